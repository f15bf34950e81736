"""Plain-numpy quality metrics used by training and the benchmark harness."""
from __future__ import annotations

import numpy as np


def auc(y: np.ndarray, p: np.ndarray) -> float | None:
    y, p = np.asarray(y, bool), np.asarray(p, float)
    pos, neg = y.sum(), (~y).sum()
    if pos == 0 or neg == 0:
        return None
    ranks = _ranks(p)
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / (pos * neg))


def _ranks(x: np.ndarray) -> np.ndarray:
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x), float)
    xs = x[order]
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and xs[j + 1] == xs[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(a, b) -> float | None:
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.std() == 0 or b.std() == 0:
        return None
    return float(np.corrcoef(_ranks(a), _ranks(b))[0, 1])


def f1(y, pred) -> float:
    y, pred = np.asarray(y, bool), np.asarray(pred, bool)
    tp = (y & pred).sum()
    denom = 2 * tp + (y & ~pred).sum() + (~y & pred).sum()
    return float(2 * tp / denom) if denom else 1.0


def fpr(y, pred) -> float | None:
    y, pred = np.asarray(y, bool), np.asarray(pred, bool)
    return float((pred & ~y).sum() / (~y).sum()) if (~y).sum() else None


def macro_f1(y: list, pred: list, labels: list) -> float:
    """Mean F1 over the labels that occur in `y` or `pred` (as scikit-learn does): an absent class scores nothing."""
    present = [c for c in labels if c in set(y) | set(pred)]
    return float(np.mean([f1([t == c for t in y], [p == c for p in pred]) for c in present]))


def ece(y, p, bins: int = 10) -> float:
    y, p = np.asarray(y, float), np.asarray(p, float)
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (p >= lo) & ((p < hi) if hi < 1 else (p <= hi))
        if m.any():
            total += m.sum() / len(p) * abs(y[m].mean() - p[m].mean())
    return float(total)


def span_f1(gold: list[list[tuple[int, int]]], pred: list[list[tuple[int, int]]]) -> dict:
    """Overlap-matched span precision/recall/F1 over all rows."""
    tp_p = sum(any(a < gb and ga < b for ga, gb in g) for g, ps in zip(gold, pred) for a, b in ps)
    n_p = sum(len(ps) for ps in pred)
    tp_g = sum(any(a < gb and ga < b for a, b in ps) for g, ps in zip(gold, pred) for ga, gb in g)
    n_g = sum(len(g) for g in gold)
    prec = tp_p / n_p if n_p else 0.0
    rec = tp_g / n_g if n_g else 0.0
    return {"precision": prec, "recall": rec, "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0}


def pick_threshold(y: np.ndarray, p: np.ndarray, max_fpr: float | None = None) -> float:
    """The threshold (0.05..0.95, step 0.01) with the best F1, among those whose false-positive rate is <= max_fpr."""
    best, best_t = -1.0, 0.5
    for t in (k / 100 for k in range(5, 96)):  # exactly the values returned (np.arange drifts: 0.7000000000000002)
        pred = p >= t
        if max_fpr is not None and (fpr(y, pred) or 0) > max_fpr:
            continue
        score = f1(y, pred)
        if score > best:
            best, best_t = score, t
    return best_t


def best_under_cap(y: np.ndarray, p: np.ndarray, max_fpr: float) -> dict:
    """`pick_threshold` under the false-positive cap and what it gives: {"threshold", "f1", "fpr"}. The fpr exceeds the cap
    only when no threshold keeps under it (pick_threshold then falls back to 0.5). Training selects epochs by its F1 (the
    shipped dismissive threshold is its threshold on calibrated dev scores); evaluation reports it as `dismissive_best`."""
    t = pick_threshold(y, p, max_fpr)
    pred = p >= t
    return {"threshold": t, "f1": f1(y, pred), "fpr": fpr(y, pred)}


def group_bootstrap(groups, stat, n: int = 2000, seed: int = 0, level: float = 0.95) -> list[float] | None:
    """Percentile interval of `stat(row_indices)` over `n` resamples that draw whole groups with replacement.

    Rows of one near-duplicate group (a contrast pair, a templated real reply and its copies) are not independent, so the
    groups are what is resampled. Resamples where `stat` is undefined (None: no negatives, say) are skipped."""
    keys, inverse = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    order = np.argsort(inverse, kind="mergesort")
    members = np.split(order, np.cumsum(np.bincount(inverse, minlength=len(keys)))[:-1])
    rng = np.random.default_rng(seed)
    vals = []
    for _ in range(n):
        v = stat(np.concatenate([members[i] for i in rng.integers(0, len(keys), len(keys))]))
        if v is not None:
            vals.append(v)
    if not vals:
        return None
    lo, hi = np.quantile(vals, [(1 - level) / 2, 1 - (1 - level) / 2])
    return [float(lo), float(hi)]
