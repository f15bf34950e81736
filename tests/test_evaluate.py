"""The quality measures benchmarks/quality.py reports (training.evaluate, training.metrics)."""
from __future__ import annotations

import numpy as np

from replycoach.training.evaluate import MAX_FPR, paired_difference, score_rows
from replycoach.training.metrics import f1, group_bootstrap, pick_threshold


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


def _pred(p, threshold=0.5, spans=None):
    n = len(p)
    return {"dismissive_p": list(p), "dismissive": [x >= threshold for x in p], "proactive_p": [None] * n, "proactive": [None] * n,
            "empathy": [None] * n, "stance": ["assertive"] * n, "spans": spans or [[] for _ in p]}


def test_group_bootstrap_resamples_whole_groups():
    rng = np.random.default_rng(3)
    y = rng.random(200) < 0.3
    hit = y ^ (rng.random(200) < 0.1)
    twice_y, twice_hit = np.repeat(y, 2), np.repeat(hit, 2)  # every row copied: 200 groups of two identical rows
    by_group = group_bootstrap([str(i // 2) for i in range(400)], lambda i: f1(twice_y[i], twice_hit[i]))
    by_row = group_bootstrap([str(i) for i in range(400)], lambda i: f1(twice_y[i], twice_hit[i]))
    once = group_bootstrap([str(i) for i in range(200)], lambda i: f1(y[i], hit[i]))
    point = f1(y, hit)
    assert by_group[0] < point < by_group[1]
    assert by_row[1] - by_row[0] < 0.8 * (by_group[1] - by_group[0])  # copies treated as independent rows look too certain
    assert abs((by_group[1] - by_group[0]) - (once[1] - once[0])) < 0.03  # whole groups: as wide as the 200 distinct rows
    assert group_bootstrap(["a"] * 5, lambda i: f1(y[i], hit[i])) is not None
    assert group_bootstrap(["a", "b"], lambda i: None) is None
    assert group_bootstrap(["a", "b", "c"], lambda i: float(len(set(i.tolist())))) == group_bootstrap(["a", "b", "c"], lambda i: float(len(set(i.tolist()))))


def test_score_rows_gives_intervals_around_its_figures():
    labels = [1] * 30 + [0] * 70
    rng = np.random.default_rng(1)
    p = np.clip(np.array(labels) * 0.45 + rng.uniform(0, 0.55, 100), 0, 1)
    res = score_rows(_rows(labels), _pred(p))
    for key in ("dismissive_f1", "dismissive_fpr"):
        lo, hi = res["intervals"][key]
        assert lo <= res[key] <= hi and lo < hi


def test_paired_difference_tells_a_real_gap_from_noise():
    labels = [1] * 40 + [0] * 160
    rows = [dict(r, group=f"g{i}") for i, r in enumerate(_rows(labels))]
    y = np.array(labels, bool)
    good = np.where(y, 0.9, 0.1)
    same = paired_difference(rows, _pred(good), _pred(good))
    assert all(v["difference"] == 0 and v["interval"] == [0.0, 0.0] for k, v in same.items() if k != "span_f1")
    worse = good.copy()
    worse[160:200] = 0.9  # 40 of the 160 negatives now flagged
    diff = paired_difference(rows, _pred(worse), _pred(good))
    assert diff["dismissive_fpr"]["difference"] == 0.25 and diff["dismissive_fpr"]["interval"][0] > 0
    one = good.copy()
    one[199] = 0.9  # a single false positive more: the interval must include no difference
    assert paired_difference(rows, _pred(one), _pred(good))["dismissive_fpr"]["interval"][0] == 0.0


def test_the_model_card_shows_the_intervals_and_the_paired_differences():
    from replycoach.training.card import _shortfalls

    labels = [1] * 30 + [0] * 70
    rows = [dict(r, group=f"g{i // 2}", empathy=i % 3, proactive=i % 2) for i, r in enumerate(_rows(labels))]
    rng = np.random.default_rng(2)
    model_p = np.clip(np.array(labels) * 0.5 + rng.uniform(0, 0.5, 100), 0, 1)
    model = dict(_pred(model_p, 0.6), proactive_p=list(rng.random(100)), proactive=[True] * 100, empathy=list(rng.random(100)))
    rules = _pred(np.where(rng.random(100) < 0.5, 1.0, 0.0))
    results = {k: {sub: score_rows(rows, pred) for sub in ("all", "real")} for k, pred in (("model", model), ("rules", rules), ("combined", model))}
    results["model"]["real"]["vs_rules"] = paired_difference(rows, model, rules)
    real = [{"dismissive": 1}] * 3 + [{"dismissive": 0}] * 7
    text = _shortfalls(results, real)
    n_test = results["model"]["real"]["n_dismissive"]
    assert f"(30%; 3 in the whole corpus, {n_test} in the test split)" in text  # counted, not written in
    lo, hi = results["model"]["all"]["intervals"]["dismissive_f1"]
    assert f"| dismissive F1 >= 0.90 | {results['model']['all']['dismissive_f1']:.3f} | {lo:.3f} to {hi:.3f} |" in text
    d_lo, d_hi = results["model"]["real"]["vs_rules"]["dismissive_fpr"]["interval"]
    assert f"| {d_lo:.3f} to {d_hi:.3f} |" in text and "cannot tell the two apart" in text


def test_the_card_says_whether_a_threshold_could_have_met_the_dismissive_targets():
    from replycoach.training.card import _threshold_note

    missed = {"dismissive_best": {"threshold": 0.77, "f1": 0.897, "fpr": 0.026}}
    assert "what is missing is ranking" in " ".join(_threshold_note(missed, missed=True))
    reachable = {"dismissive_best": {"threshold": 0.8, "f1": 0.93, "fpr": 0.02}}
    assert "the one fitted on dev does not carry over" in " ".join(_threshold_note(reachable, missed=True))
    assert "No threshold keeps" in " ".join(_threshold_note({"dismissive_best": {"threshold": None}}, missed=True))
    assert _threshold_note(reachable, missed=False) == []  # targets met: nothing to explain


def test_one_coach_under_two_names_checks_the_rows_once():
    from replycoach import Coach
    from replycoach.training.evaluate import evaluate

    class Counting:
        def __init__(self):
            self.coach, self.calls = Coach(model=None), 0

        def check_many(self, replies, customers):
            self.calls += 1
            return self.coach.check_many(replies, customers)

    rows = [dict(r, reply=text, customer=None, id=f"r{i}") for i, (r, text) in
            enumerate(zip(_rows([1, 0, 0]), ["I cannot help you with that.", "Refund sent today.", "Thanks, all fixed."]))]
    shared = Counting()
    res = evaluate({"model": shared, "combined": shared}, rows, subsets=("all",))
    assert shared.calls == 1 and res["model"]["all"]["dismissive_f1"] == res["combined"]["all"]["dismissive_f1"]
