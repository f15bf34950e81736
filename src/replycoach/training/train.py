"""Fine-tune the multi-task classifier (transformers + torch) and write the model directory.

    replycoach train [--config FILE]     # or: python -m replycoach.training.train
"""
from __future__ import annotations

import json
import math
import platform
import random
import time
from pathlib import Path
from typing import Callable

import numpy as np

from ..model.base import STANCE_LABELS, ModelConfig, Thresholds, base_encoder_dir
from ..model.decode import sigmoid, softmax, token_spans
from ..model.loading import sha256
from ..model.tokenize import PairEncoder
from . import metrics
from .config import TrainConfig
from .corpus import ROOT, read_jsonl

STANCE_INDEX = {s: i for i, s in enumerate(STANCE_LABELS)}


def _targets(rows: list[dict], offsets: list[list[tuple[int, int]]], width: int):
    import torch

    span = torch.full((len(rows), width), -100.0)
    for i, (r, offs) in enumerate(zip(rows, offsets)):
        for t, (a, b) in enumerate(offs):
            span[i, t + 1] = float(any(a < gb and ga < b for ga, gb in r["dismissive_spans"]))
    distress = [(-1.0 if r.get("customer_distress") is None or not (r.get("customer") or "").strip() else float(r["customer_distress"])) for r in rows]
    return {
        "empathy": torch.tensor([r["empathy"] for r in rows]),
        "stance": torch.tensor([STANCE_INDEX[r["stance"]] for r in rows]),
        "binary": torch.tensor([[float(r["dismissive"]), float(r["proactive"]), d] for r, d in zip(rows, distress)]),
        "span": span,
    }


def _batches(rows: list[dict], enc: PairEncoder, size: int, rng: random.Random) -> list[list[int]]:
    """Length-bucketed batches (little padding), shuffled."""
    lens = enc.lengths([r["reply"] for r in rows])
    order = sorted(range(len(rows)), key=lambda i: lens[i] + rng.random() * 8)
    batches = [order[k : k + size] for k in range(0, len(order), size)]
    rng.shuffle(batches)
    return batches


def _loss(out, tgt, stance_w, span_weight: float, dismissive_weight: float = 1.0):
    import torch
    import torch.nn.functional as F

    emp, stance, binary, span = out
    loss = F.cross_entropy(emp, tgt["empathy"]) + F.cross_entropy(stance, tgt["stance"], weight=stance_w)
    mask = tgt["binary"] >= 0
    weight = None
    if dismissive_weight != 1.0:  # column 0 of the binary heads is dismissive
        weight = torch.ones_like(tgt["binary"])
        weight[:, 0] = dismissive_weight
        weight = weight[mask]
    loss = loss + F.binary_cross_entropy_with_logits(binary[mask], tgt["binary"][mask], weight=weight)
    smask = tgt["span"] >= 0
    if smask.any():
        loss = loss + span_weight * F.binary_cross_entropy_with_logits(span[smask], tgt["span"][smask], pos_weight=torch.tensor(3.0))
    return loss


def fit_temperature(logits: np.ndarray, y: np.ndarray, binary: bool) -> float:
    best, best_t = math.inf, 1.0
    for t in np.arange(0.5, 4.01, 0.05):
        z = logits / t
        if binary:
            p = 1 / (1 + np.exp(-np.clip(z, -40, 40)))
            nll = -np.mean(y * np.log(p + 1e-9) + (1 - y) * np.log(1 - p + 1e-9))
        else:
            z = z - z.max(1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(1, keepdims=True))
            nll = -np.mean(logp[np.arange(len(y)), y])
        if nll < best:
            best, best_t = nll, float(t)
    return round(best_t, 2)


def train(cfg: TrainConfig, base_dir: Path | None = None, encoder_config=None, log: Callable[[str], None] = print) -> Path:
    """Train, calibrate on dev, write delta.safetensors + config.json. Returns the model directory."""
    import torch
    from safetensors.torch import save_file

    from ..model.network import build
    from ..model.torch_engine import TorchScorer

    torch.manual_seed(cfg.seed)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    corpus = Path(cfg.corpus) if Path(cfg.corpus).is_absolute() else ROOT / cfg.corpus
    rows = read_jsonl(corpus)
    train_rows = [r for r in rows if r["split"] == "train"]
    dev_rows = [r for r in rows if r["split"] == "dev"]  # the test split is never read here
    if cfg.limit:
        train_rows, dev_rows = train_rows[: cfg.limit], dev_rows[: max(8, cfg.limit // 4)]
    train_rows = train_rows + [r for r in train_rows if r["provenance"] == "real"] * (cfg.real_weight - 1)
    base = base_dir or base_encoder_dir()
    mcfg = ModelConfig(version=cfg.version, max_length=cfg.max_length, max_customer_tokens=cfg.max_customer_tokens,
                       lora_rank=cfg.lora_rank, lora_alpha=cfg.lora_alpha, lora_from_layer=cfg.lora_from_layer)
    net = build(mcfg, base, encoder_config=encoder_config)
    enc = PairEncoder(base / "tokenizer.json", cfg.max_length, cfg.max_customer_tokens)
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    rng = random.Random(cfg.seed)
    steps = cfg.epochs * math.ceil(len(train_rows) / cfg.batch_size)
    warm = max(1, int(cfg.warmup * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
    counts = np.bincount([STANCE_INDEX[r["stance"]] for r in train_rows], minlength=3) + 1
    stance_w = torch.tensor((counts.sum() / counts) ** 0.5, dtype=torch.float32)
    stance_w = stance_w / stance_w.mean()
    log(f"training on {len(train_rows)} rows, dev {len(dev_rows)}, {steps} steps, trainable {sum(p.numel() for p in params):,} params")
    t0 = time.time()
    step = 0
    best: tuple[float, int, dict, list] | None = None  # dev score, epoch, trainable tensors, dev logits
    for epoch in range(cfg.epochs):
        net.train()
        total = 0.0
        for idx in _batches(train_rows, enc, cfg.batch_size, rng):
            batch_rows = [train_rows[i] for i in idx]
            b = enc.encode([r["reply"] for r in batch_rows], [r["customer"] for r in batch_rows])
            out = net(torch.from_numpy(b.input_ids), torch.from_numpy(b.attention_mask), torch.from_numpy(b.token_type_ids))
            tgt = _targets(batch_rows, b.offsets, b.input_ids.shape[1])
            loss = _loss(out, tgt, stance_w, cfg.span_weight, cfg.dismissive_weight)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            total += float(loss.detach())
            step += 1
        msg = f"epoch {epoch + 1}/{cfg.epochs}: mean loss {total / max(1, math.ceil(len(train_rows) / cfg.batch_size)):.4f}"
        if cfg.select_epoch and cfg.epochs > 1:
            net.eval()
            logits = _collect(TorchScorer(None, mcfg, net=net, base_dir=base), dev_rows)
            score = dev_score(logits, dev_rows, cfg.max_fpr_dismissive)
            if best is None or score > best[0]:
                best = (score, epoch + 1, net.delta_state(), logits)
            msg += f", dev score {score:.4f}"
        log(f"{msg} ({time.time() - t0:.0f}s)")
    net.eval()
    if best is not None:
        net.load_state_dict(best[2], strict=False)
        logits = best[3]  # that epoch's dev logits: calibration needs no second pass
        log(f"kept epoch {best[1]} (dev score {best[0]:.4f})")
    else:
        logits = _collect(TorchScorer(None, mcfg, net=net, base_dir=base), dev_rows)
    _calibrate(mcfg, logits, dev_rows, cfg)
    out_dir = Path(cfg.output) if Path(cfg.output).is_absolute() else ROOT / cfg.output
    out_dir.mkdir(parents=True, exist_ok=True)
    save_file(net.delta_state(), str(out_dir / "delta.safetensors"), metadata={"format": "pt", "base": mcfg.base_model})
    mcfg.files = {"delta.safetensors": sha256(out_dir / "delta.safetensors")}
    mcfg.produced_by = _provenance(cfg, corpus, time.time() - t0)
    mcfg.produced_by["kept_epoch"] = str(best[1] if best else cfg.epochs)
    (out_dir / "config.json").write_text(mcfg.model_dump_json(indent=2) + "\n", encoding="utf-8")
    (out_dir / "train_config.json").write_text(cfg.model_dump_json(indent=2) + "\n", encoding="utf-8")
    log(f"wrote {out_dir} in {time.time() - t0:.0f}s")
    return out_dir


def _collect(scorer, rows: list[dict]) -> list[np.ndarray]:
    parts: list[list[np.ndarray]] = [[], [], [], []]
    spans: list[tuple[np.ndarray, list]] = []
    for k in range(0, len(rows), 32):
        chunk = rows[k : k + 32]
        batch, lg = scorer.logits([r["reply"] for r in chunk], [r["customer"] for r in chunk])
        for j in range(3):
            parts[j].append(lg[j])
        for i, r in enumerate(chunk):
            spans.append((lg[3][i, 1 : 1 + len(batch.offsets[i])], batch.offsets[i]))
    return [np.concatenate(p) for p in parts[:3]] + [spans]  # type: ignore[list-item]


def dev_score(logits, rows: list[dict], max_fpr: float) -> float:
    """Epoch selection: mean of dev dismissive F1 (at its best threshold with FPR <= max_fpr), empathy Spearman,
    stance macro-F1 and proactive AUC - the issue's quality targets, each on a 0..1 scale."""
    emp, stance, binary, _ = logits
    y_dis = np.array([r["dismissive"] for r in rows], bool)
    expected = softmax(emp) @ np.arange(emp.shape[1])
    parts = [metrics.best_under_cap(y_dis, sigmoid(binary[:, 0]), max_fpr)["f1"],
             metrics.spearman([r["empathy"] for r in rows], expected) or 0.0,
             metrics.macro_f1([r["stance"] for r in rows], [STANCE_LABELS[i] for i in stance.argmax(1)], list(STANCE_LABELS)),
             metrics.auc(np.array([r["proactive"] for r in rows], bool), sigmoid(binary[:, 1])) or 0.5]
    return float(np.mean(parts))


def _calibrate(mcfg: ModelConfig, logits, rows: list[dict], cfg: TrainConfig) -> None:
    emp, stance, binary, spans = logits
    y_emp = np.array([r["empathy"] for r in rows])
    y_st = np.array([STANCE_INDEX[r["stance"]] for r in rows])
    y_dis = np.array([r["dismissive"] for r in rows], float)
    y_pro = np.array([r["proactive"] for r in rows], float)
    has_c = np.array([r.get("customer_distress") is not None and bool((r.get("customer") or "").strip()) for r in rows])
    y_dst = np.array([float(r.get("customer_distress") or 0) for r in rows])
    t = {"empathy": fit_temperature(emp, y_emp, False), "stance": fit_temperature(stance, y_st, False),
         "dismissive": fit_temperature(binary[:, 0], y_dis, True), "proactive": fit_temperature(binary[:, 1], y_pro, True),
         "distress": fit_temperature(binary[has_c, 2], y_dst[has_c], True) if has_c.any() else 1.0}
    mcfg.temperatures = t
    p_st = softmax(stance / t["stance"])
    best_span, best_t = -1.0, 0.5
    gold = [[tuple(s) for s in r["dismissive_spans"]] for r in rows]
    for st in (0.3, 0.4, 0.5, 0.6, 0.7):
        pred = [[(a, b) for a, b, _ in token_spans(p, o, r["reply"], st)] if r["dismissive"] else [] for (p, o), r in zip(spans, rows)]
        f = metrics.span_f1(gold, pred)["f1"]
        if f > best_span:
            best_span, best_t = f, st
    mcfg.thresholds = Thresholds(
        dismissive=metrics.pick_threshold(y_dis.astype(bool), sigmoid(binary[:, 0] / t["dismissive"]), cfg.max_fpr_dismissive),
        proactive=metrics.pick_threshold(y_pro.astype(bool), sigmoid(binary[:, 1] / t["proactive"])),
        aggressive=metrics.pick_threshold(y_st == STANCE_INDEX["aggressive"], p_st[:, STANCE_INDEX["aggressive"]]) if (y_st == 2).any() else 0.5,
        distress=0.5, span=best_t)


def _provenance(cfg: TrainConfig, corpus: Path, seconds: float) -> dict[str, str]:
    import tokenizers
    import torch
    import transformers

    from ..coach import __version__

    return {"replycoach": __version__, "torch": torch.__version__, "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__, "python": platform.python_version(), "machine": platform.machine(),
            "corpus_sha256": sha256(corpus), "seed": str(cfg.seed),
            "train_seconds": f"{seconds:.0f}", "config": json.dumps(cfg.model_dump())}
