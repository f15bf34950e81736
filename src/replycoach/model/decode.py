"""Logits to calibrated probabilities and character spans (numpy; shared by every engine)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .base import STANCE_LABELS, ModelConfig, ModelOutput
from .tokenize import Batch


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


def decode(cfg: ModelConfig, batch: Batch, logits: Sequence[np.ndarray], replies: Sequence[str], customers: Sequence[str | None]) -> list[ModelOutput]:
    emp, stance, binary, span = (np.asarray(x, dtype=np.float64) for x in logits)
    t = cfg.temperatures
    emp_p = softmax(emp / t.get("empathy", 1.0))
    stance_p = softmax(stance / t.get("stance", 1.0))
    dis = sigmoid(binary[:, 0] / t.get("dismissive", 1.0))
    pro = sigmoid(binary[:, 1] / t.get("proactive", 1.0))
    dst = sigmoid(binary[:, 2] / t.get("distress", 1.0))
    tok_p = sigmoid(span)
    out = []
    for i, reply in enumerate(replies):
        spans = token_spans(tok_p[i, 1 : 1 + len(batch.offsets[i])], batch.offsets[i], reply, cfg.thresholds.span)
        out.append(ModelOutput(
            empathy_probs=tuple(float(x) for x in emp_p[i]),  # type: ignore[arg-type]
            stance_probs={name: float(stance_p[i, j]) for j, name in enumerate(STANCE_LABELS)},
            dismissive=float(dis[i]), proactive=float(pro[i]),
            distress=float(dst[i]) if (customers[i] or "").strip() else None,
            dismissive_spans=spans))
    return out


def token_spans(probs: np.ndarray, offsets: list[tuple[int, int]], text: str, threshold: float) -> list[tuple[int, int, float]]:
    """Merge runs of tokens at or above `threshold` into character spans (bridging short in-sentence gaps)."""
    spans: list[list[float]] = []
    for p, (a, b) in zip(probs, offsets):
        if p < threshold or b <= a:
            continue
        gap = text[int(spans[-1][1]) : a] if spans else ""
        if spans and len(gap) <= 12 and not any(c in gap for c in ".!?\n"):  # join words split by a token or two
            spans[-1][1] = b
            spans[-1][2] = max(spans[-1][2], float(p))
        else:
            spans.append([a, b, float(p)])
    return [(int(a), int(b), p) for a, b, p in spans]


def score_batched(engine, replies: Sequence[str], customers: Sequence[str | None], batch: int) -> list[ModelOutput]:
    """Length-sorted batches through `engine.logits` (less padding), results back in input order."""
    order = sorted(range(len(replies)), key=lambda i: len(replies[i]))
    results: dict[int, ModelOutput] = {}
    for k in range(0, len(order), batch):
        idx = order[k : k + batch]
        r = [replies[i] for i in idx]
        c = [customers[i] for i in idx]
        enc, logits = engine.logits(r, c)
        for i, o in zip(idx, decode(engine.cfg, enc, logits, r, c)):
            results[i] = o
    return [results[i] for i in range(len(replies))]
