"""The quality measures benchmarks/quality.py reports (training.evaluate, training.metrics)."""
from __future__ import annotations

import numpy as np

from replycoach.training.evaluate import MAX_FPR, score_rows
from replycoach.training.metrics import pick_threshold


def _rows(labels):
    return [{"dismissive": y, "proactive": 0, "empathy": 0, "stance": "assertive", "dismissive_spans": [], "provenance": "authored"}
            for y in labels]


def test_pick_threshold_keeps_under_the_false_positive_cap():
    y = np.array([1] * 10 + [0] * 100, bool)
    p = np.concatenate([np.linspace(0.55, 0.95, 10), np.linspace(0.0, 0.5, 95), [0.6, 0.7, 0.8, 0.9, 0.92]])
    free, capped = pick_threshold(y, p), pick_threshold(y, p, 0.03)
    assert free < capped  # without the cap the best F1 takes a false positive or more; with it, at most 3 of 100
    assert ((p >= capped) & ~y).sum() <= 3 < ((p >= 0.56) & ~y).sum()


def test_score_rows_reports_each_scorers_best_threshold_under_the_cap():
    labels = [1] * 20 + [0] * 80
    rng = np.random.default_rng(0)
    p = np.clip(np.array(labels) * 0.5 + rng.uniform(0, 0.5, 100), 0, 1)
    pred = {"dismissive_p": list(p), "dismissive": list(p >= 0.9), "proactive_p": [None] * 100, "proactive": [None] * 100,
            "empathy": [None] * 100, "stance": ["assertive"] * 100, "spans": [[] for _ in labels]}
    res = score_rows(_rows(labels), pred)
    best = res["dismissive_best"]
    assert best["threshold"] == pick_threshold(np.array(labels, bool), p, MAX_FPR)
    assert best["fpr"] <= MAX_FPR and best["f1"] >= res["dismissive_f1"]  # the shipped-threshold F1 can only be lower or equal


def test_no_threshold_under_the_cap_is_reported_as_none():
    labels = [1] * 5 + [0] * 20
    p = [0.99] * 25  # every negative scores as high as the positives: no threshold keeps FPR <= 3%
    pred = {"dismissive_p": p, "dismissive": [True] * 25, "proactive_p": [None] * 25, "proactive": [None] * 25,
            "empathy": [None] * 25, "stance": ["assertive"] * 25, "spans": [[] for _ in labels]}
    assert score_rows(_rows(labels), pred)["dismissive_best"] == {"threshold": None, "f1": None, "fpr": None}
