"""Evaluate a scorer behind the public API on corpus rows (rules only, model only, combined)."""
from __future__ import annotations

from typing import Iterable

import numpy as np

from ..model.base import STANCE_LABELS
from ..report import Report
from . import metrics

SCORERS = ("rules", "model", "combined")
#: the issue's false-positive cap; `dismissive_best` is the best F1 under it, the measure training selects thresholds by
MAX_FPR = 0.03
_RULE_P = {"error": 1.0, "warning": 0.75, "suggestion": 0.5}


def predictions(kind: str, reports: list[Report], shipped: dict[str, float]) -> dict[str, list]:
    """Per-row predictions of one scorer kind, derived from reports."""
    out: dict[str, list] = {k: [] for k in ("dismissive_p", "dismissive", "proactive_p", "proactive", "empathy", "stance", "spans")}
    t_dis, t_pro = shipped.get("dismissive", 0.5), shipped.get("proactive", 0.5)
    for r in reports:
        s = r.scores
        if kind == "rules" or s is None:
            rule_dis = [f for f in r.findings if f.category == "dismissive" and f.source == "rule"]
            rule_p = max((_RULE_P[f.severity] for f in rule_dis), default=0.0)
            cats = {f.category for f in r.findings if f.source == "rule"}
            stance = "aggressive" if "aggressive" in cats else "passive" if "passive" in cats else "assertive"
            dis_p, pro_p, emp = rule_p, None, None
            spans = [(f.start, f.end) for f in rule_dis]
            dis = rule_p >= 0.75
            pro = None
        else:
            stance = r.stance
            emp, pro_p = s.empathy, s.proactive
            pro = pro_p >= t_pro
            dis_p, dis = s.dismissive, s.dismissive >= t_dis  # with a model, the model decides (policy.RULE_REVIEW_WITH_MODEL)
            if kind == "model":
                spans = [(f.start, f.end) for f in r.findings if f.category == "dismissive" and f.source == "model"]
            else:  # combined: what the report shows, rule spans merged with the model's
                spans = [(f.start, f.end) for f in r.findings if f.category == "dismissive"]
        for k, v in (("dismissive_p", dis_p), ("dismissive", dis), ("proactive_p", pro_p), ("proactive", pro),
                     ("empathy", emp), ("stance", stance), ("spans", spans)):
            out[k].append(v)
    return out


def score_rows(rows: list[dict], pred: dict[str, list]) -> dict:
    y_dis = np.array([r["dismissive"] == 1 for r in rows])
    y_pro = np.array([r["proactive"] == 1 for r in rows])
    res: dict = {"n": len(rows), "n_dismissive": int(y_dis.sum())}
    res["dismissive_auc"] = metrics.auc(y_dis, pred["dismissive_p"])
    res["dismissive_f1"] = metrics.f1(y_dis, pred["dismissive"])
    res["dismissive_fpr"] = metrics.fpr(y_dis, pred["dismissive"])
    res["dismissive_ece"] = metrics.ece(y_dis, pred["dismissive_p"])
    p_dis = np.asarray(pred["dismissive_p"], float)
    res["dismissive_best"] = metrics.best_under_cap(y_dis, p_dis, MAX_FPR)  # this scorer at its own best threshold on these rows
    if (res["dismissive_best"]["fpr"] or 0) > MAX_FPR:  # no threshold keeps under the cap (pick_threshold's fallback)
        res["dismissive_best"] = {"threshold": None, "f1": None, "fpr": None}
    res["dismissive_span"] = metrics.span_f1([[tuple(s) for s in r["dismissive_spans"]] for r in rows], pred["spans"])
    pred_dis = np.asarray(pred["dismissive"], bool)
    groups = _groups(rows)
    res["intervals"] = {  # 95% bootstrap over near-duplicate groups: how far these figures could move on another sample
        "dismissive_f1": metrics.group_bootstrap(groups, lambda i: metrics.f1(y_dis[i], pred_dis[i])),
        "dismissive_fpr": metrics.group_bootstrap(groups, lambda i: metrics.fpr(y_dis[i], pred_dis[i]))}
    if pred["proactive_p"][0] is not None:
        res["proactive_auc"] = metrics.auc(y_pro, pred["proactive_p"])
        res["proactive_f1"] = metrics.f1(y_pro, pred["proactive"])
        res["proactive_ece"] = metrics.ece(y_pro, pred["proactive_p"])
        res["empathy_spearman"] = metrics.spearman([r["empathy"] for r in rows], pred["empathy"])
    else:
        res.update(proactive_auc=None, proactive_f1=None, proactive_ece=None, empathy_spearman=None)
    res["stance_macro_f1"] = metrics.macro_f1([r["stance"] for r in rows], pred["stance"], STANCE_LABELS)
    return res


def _subset(rows: list[dict], sub: str) -> list[int]:
    return [i for i, r in enumerate(rows) if sub == "all" or r["provenance"] == sub]


def _groups(rows: list[dict]) -> list[str]:
    """Near-duplicate group of each row (a corpus row's `group`); rows without one stand alone."""
    return [str(r.get("group") or r.get("id") or f"row-{i}") for i, r in enumerate(rows)]


def paired_difference(rows: list[dict], a: dict[str, list], b: dict[str, list]) -> dict:
    """Scorer a minus scorer b on the same rows, each difference with a 95% interval from resampling near-duplicate
    groups once for both scorers: whether a difference is larger than the sample can tell."""
    y = np.array([r["dismissive"] == 1 for r in rows])
    gold = [[tuple(s) for s in r["dismissive_spans"]] for r in rows]
    stance = [r["stance"] for r in rows]
    arrays = [{"dis": np.asarray(p["dismissive"], bool), "p": np.asarray(p["dismissive_p"], float), "stance": p["stance"],
               "spans": p["spans"]} for p in (a, b)]
    measures = {
        "dismissive_f1": lambda i, q: metrics.f1(y[i], q["dis"][i]),
        "dismissive_fpr": lambda i, q: metrics.fpr(y[i], q["dis"][i]),
        "dismissive_auc": lambda i, q: metrics.auc(y[i], q["p"][i]),
        "stance_macro_f1": lambda i, q: metrics.macro_f1([stance[k] for k in i], [q["stance"][k] for k in i], STANCE_LABELS),
        "span_f1": lambda i, q: metrics.span_f1([gold[k] for k in i], [q["spans"][k] for k in i])["f1"]}
    out, groups = {}, _groups(rows)
    for name, fn in measures.items():
        def stat(i, fn=fn):
            x, z = fn(i, arrays[0]), fn(i, arrays[1])
            return None if x is None or z is None else x - z
        out[name] = {"difference": stat(np.arange(len(rows))), "interval": metrics.group_bootstrap(groups, stat)}
    return out


def evaluate(coach_by_kind: dict[str, object], rows: list[dict], subsets: Iterable[str] = ("all", "real", "authored"),
             compare: tuple[str, str] | None = None) -> dict:
    """{scorer: {subset: metrics}} for each coach (a Coach with or without a model). With `compare=(a, b)`, scorer a's
    metrics for each subset also hold `vs_<b>`: its paired difference from b (`paired_difference`)."""
    results: dict = {}
    preds: dict[str, dict[str, list]] = {}
    checked: dict[int, list[Report]] = {}  # "model" and "combined" read the same reports of one coach: check the split once
    for kind, coach in coach_by_kind.items():
        if id(coach) not in checked:
            checked[id(coach)] = coach.check_many([r["reply"] for r in rows], [r["customer"] or None for r in rows])  # type: ignore[attr-defined]
        reports = checked[id(coach)]
        shipped = getattr(coach, "_shipped", {})
        preds[kind] = pred = predictions(kind, reports, shipped)
        results[kind] = {}
        for sub in subsets:
            idx = _subset(rows, sub)
            if idx:
                results[kind][sub] = score_rows([rows[i] for i in idx], {k: [v[i] for i in idx] for k, v in pred.items()})
    if compare:
        a, b = compare
        for sub in results[a]:
            idx = _subset(rows, sub)
            pick = [{k: [v[i] for i in idx] for k, v in preds[kind].items()} for kind in (a, b)]
            results[a][sub][f"vs_{b}"] = paired_difference([rows[i] for i in idx], *pick)
    return results


def table(results: dict) -> str:
    cols = ["dismissive_f1", "dismissive_fpr", "dismissive_auc", "dismissive_ece", "span_f1", "empathy_spearman", "stance_macro_f1", "proactive_auc", "proactive_f1"]
    lines = ["| scorer | subset | n | " + " | ".join(cols) + " |", "|" + "---|" * (len(cols) + 3)]
    for kind, subs in results.items():
        for sub, m in subs.items():
            vals = [m["dismissive_span"]["f1"] if c == "span_f1" else m.get(c) for c in cols]
            lines.append(f"| {kind} | {sub} | {m['n']} | " + " | ".join("-" if v is None else f"{v:.3f}" for v in vals) + " |")
    return "\n".join(lines)
