"""Rewrite harness: how often `Coach.rewrite` finds a verified candidate for drafts that need one.

    python benchmarks/rewrite_eval.py [--model models/replycoach-minilm] [--limit N] [--out benchmarks/results/rewrite.json]

Drafts: corpus rows of the chosen split (default test) labelled dismissive or aggressive. Reports the share of
drafts with at least one candidate, the share of scored candidates that clear the gate, fact preservation of
returned candidates (must be 100%), the mean score change per label, and rewrite latency (p50/p95).
Prints a markdown table and writes JSON.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from _results import save

from replycoach import Coach, ReplycoachError
from replycoach.rewrite import trace
from replycoach.rewrite.facts import extract_facts, missing_facts
from replycoach.rewrite.verify import GATE_CATEGORIES, gate_reasons
from replycoach.training.corpus import OUT as CORPUS, read_jsonl

LABELS = ("empathy", "proactive", "dismissive", "assertiveness")


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


_DIGITS = re.compile(r"\d+")


def digits_kept(draft: str, customer: str | None, text: str) -> bool:
    """Independent of the library's fact extractor: every digit run of the draft is still there (as often), and
    the rewrite has no digit run that neither the draft nor the customer message had."""
    have, need = Counter(_DIGITS.findall(text)), Counter(_DIGITS.findall(draft))
    return need <= have and set(have) <= set(need) | set(_DIGITS.findall(customer or ""))


def gate_kind(reason: str) -> str:
    """A gate reason without its numbers or quoted text: "dismissive rule", "the model rates the reply dismissive", ..."""
    head = reason.split(":")[0]
    return f"{head} rule" if head in GATE_CATEGORIES else reason.split(" (")[0]


def evaluate(coach: Coach, rows: list[dict]) -> dict:
    kinds: Counter = Counter()
    reasons: Counter = Counter()
    gate: Counter = Counter()
    latency: list[float] = []
    drafts_with = review = 0
    generated = scored = cleared = returned = kept_facts = kept_digits = sent = 0
    deltas: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    best_deltas: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        group = "dismissive" if row.get("dismissive") == 1 else "aggressive"
        t = time.perf_counter()
        draft, cands = trace(coach, row["reply"], row.get("customer"))
        latency.append((time.perf_counter() - t) * 1000)
        review += draft.verdict == "review"
        facts = extract_facts(row["reply"])
        accepted = [c for c in cands if c.accepted and c.rewrite is not None][:3]
        drafts_with += bool(accepted)
        generated += len(cands)
        for c in cands:
            kinds[(c.kind, c.accepted)] += 1
            if c.report is not None:
                scored += 1
                blocked = gate_reasons(c.report)
                cleared += not blocked
                gate.update({gate_kind(r) for r in blocked})
            if not c.accepted:
                reasons[c.reason.split(":")[0].split(" (")[0][:60]] += 1
        for i, c in enumerate(accepted):
            returned += 1
            kept_facts += not missing_facts(facts, c.text)
            kept_digits += digits_kept(row["reply"], row.get("customer"), c.text)
            sent += c.report.verdict == "send"
            for label in LABELS:
                d = getattr(c.rewrite.scores, label) - getattr(draft.scores, label)
                deltas["all"][label].append(d)
                deltas[group][label].append(d)
                if i == 0:
                    best_deltas[label].append(d)
    n = len(rows)
    return {
        "drafts": n,
        "drafts_needing_review": review,
        "share_with_candidate": drafts_with / n if n else None,
        "share_of_review_drafts_with_candidate": drafts_with / review if review else None,
        "candidates_generated": generated,
        "candidates_scored": scored,
        "share_scored_clearing_gate": cleared / scored if scored else None,
        "candidates_returned": returned,
        "fact_preservation": kept_facts / returned if returned else None,  # the library's own filter: 100% by construction
        "digit_preservation_independent": kept_digits / returned if returned else None,
        "returned_with_verdict_send": sent / returned if returned else None,
        "mean_score_change": {g: {k: _mean(v) for k, v in d.items()} for g, d in deltas.items()},
        "mean_score_change_best": {k: _mean(v) for k, v in best_deltas.items()},
        "latency_ms": {"p50": _pct(latency, 0.5), "p95": _pct(latency, 0.95), "mean": _mean(latency)},
        "by_kind": {f"{k}:{'accepted' if a else 'rejected'}": v for (k, a), v in sorted(kinds.items())},
        "rejections": dict(reasons.most_common(12)),
        "gate_reasons": dict(gate.most_common()),  # per scored candidate that does not clear the gate; one may have several
    }


def table(res: dict) -> str:
    def f(x, pct=False):
        return "-" if x is None else (f"{100 * x:.1f}%" if pct else f"{x:+.3f}")

    lines = ["| metric | value |", "|---|---|",
             f"| drafts | {res['drafts']} |",
             f"| drafts the coach sends to review | {res['drafts_needing_review']} |",
             f"| drafts with >= 1 candidate | {f(res['share_with_candidate'], True)} (of review drafts: "
             f"{f(res['share_of_review_drafts_with_candidate'], True)}) |",
             f"| scored candidates clearing the gate | {f(res['share_scored_clearing_gate'], True)} ({res['candidates_scored']} scored) |",
             f"| fact preservation (returned; the library's own extractor, so 100% by construction) | {f(res['fact_preservation'], True)} ({res['candidates_returned']} returned) |",
             f"| digit runs kept, none invented (independent check) | {f(res['digit_preservation_independent'], True)} |",
             f"| returned candidates the coach would send | {f(res['returned_with_verdict_send'], True)} |",
             f"| latency p50 / p95 | {res['latency_ms']['p50'] or 0:.0f} ms / {res['latency_ms']['p95'] or 0:.0f} ms |"]
    lines += ["", "| mean score change | " + " | ".join(LABELS) + " |", "|---" * (len(LABELS) + 1) + "|"]
    for g, d in sorted(res["mean_score_change"].items()):
        lines.append(f"| {g} | " + " | ".join(f(d.get(k)) for k in LABELS) + " |")
    lines.append("| best candidate | " + " | ".join(f(res["mean_score_change_best"].get(k)) for k in LABELS) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="model directory (default: the shipped models/replycoach-minilm)")
    ap.add_argument("--engine", default="auto", choices=["auto", "onnx", "torch"])
    ap.add_argument("--split", default="test", choices=["train", "dev", "test"])
    ap.add_argument("--limit", type=int, default=None, help="evaluate only the first N drafts")
    ap.add_argument("--corpus", default=str(CORPUS))
    ap.add_argument("--out", default="benchmarks/results/rewrite.json")
    args = ap.parse_args(argv)
    try:
        coach = Coach(**({"model": args.model} if args.model else {}), engine=args.engine)
    except ReplycoachError as exc:
        print(f"error: {exc}\n(pass --model PATH to a trained model directory)", file=sys.stderr)
        return 2
    rows = [r for r in read_jsonl(Path(args.corpus))
            if r["split"] == args.split and (r.get("dismissive") == 1 or r.get("stance") == "aggressive")]
    rows = rows[: args.limit] if args.limit else rows
    res = evaluate(coach, rows)
    res.update(split=args.split, model=coach.versions.model)
    print(f"split={args.split}, drafts={len(rows)}, model={coach.versions.model}")
    print(table(res))
    if res["fact_preservation"] not in (None, 1.0):
        print("WARNING: a returned candidate dropped a fact; this is a bug", file=sys.stderr)
    save(res, args.out, show=False)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
