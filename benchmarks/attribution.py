"""How faithful the sentence spans behind each model score are, on the corpus test split.

    python benchmarks/attribution.py [--out benchmarks/results/attribution.json]

For every test reply with two or more sentences and a score at or above its threshold (empathy,
aggressive, dismissive, proactive), `Coach` names driver sentences. Deletion test: remove the drivers
from the reply and re-score; remove the same number of other sentences instead and re-score. Faithful
spans move the score more. Also: how often the dismissive driver sentences hold a hand-labelled
dismissive span (replies labelled dismissive), beside the span head.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics

from _results import save


def without(reply: str, drop: list[tuple[int, int]]) -> str:
    keep, pos = [], 0
    for a, b in sorted(drop):
        keep.append(reply[pos:a])
        pos = b
    keep.append(reply[pos:])
    return " ".join(" ".join(keep).split())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="benchmarks/results/attribution.json")
    ap.add_argument("--limit", type=int, default=0, help="only the first N test replies (smoke runs)")
    args = ap.parse_args(argv)

    from replycoach import Coach
    from replycoach.model.attribution import drivers, label_scores, sentence_scores
    from replycoach.policy import thresholds
    from replycoach.training.corpus import OUT, read_jsonl

    coach = Coach()
    rows = [r for r in read_jsonl(OUT) if r["split"] == "test"][: args.limit or None]
    limits = thresholds(coach.policy, coach.scorer.cfg.thresholds.model_dump())
    per: dict[str, dict[str, list[float]]] = {}
    hits = {"sentence": 0, "span_head": 0, "replies": 0}
    for r in rows:
        reply, customer = r["reply"], r["customer"] or None
        out = coach.scorer.score([reply], [customer])[0]
        sentences = sentence_scores(coach.scorer, reply, out)
        whole = label_scores(out)
        for label, score in whole.items():
            threshold = limits[label]
            if score < threshold or len(sentences) < 2:
                continue
            d = drivers(sentences, label, threshold)
            others = [s for s in sentences if s not in d]
            if not others:
                continue
            # the other sentences nearest in length to the drivers, as many as there are drivers
            others = sorted(others, key=lambda s: abs((s.end - s.start) - (d[0].end - d[0].start)))[: len(d)]
            a, b = coach.scorer.score([without(reply, [(s.start, s.end) for s in d]), without(reply, [(s.start, s.end) for s in others])],
                                      [customer, customer])
            m = per.setdefault(label, {"drivers": [], "others": []})
            m["drivers"].append(whole[label] - label_scores(a)[label])
            m["others"].append(whole[label] - label_scores(b)[label])
            if label == "dismissive" and r["dismissive"] == 1 and r["dismissive_spans"]:
                gold = [tuple(x) for x in r["dismissive_spans"]]
                overlap = lambda spans: any(s < gb and ga < e for s, e in spans for ga, gb in gold)  # noqa: E731
                hits["replies"] += 1
                hits["sentence"] += overlap([(s.start, s.end) for s in d])
                hits["span_head"] += overlap([(s, e) for s, e, _ in out.dismissive_spans])
    res: dict = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
                 "engine": coach.scorer.name, "model": coach.versions.model, "test_replies": len(rows), "deletion": {}}
    for label, m in per.items():
        n = len(m["drivers"])
        res["deletion"][label] = {"replies": n,
                                  "mean_drop_deleting_drivers": round(statistics.fmean(m["drivers"]), 3),
                                  "mean_drop_deleting_others": round(statistics.fmean(m["others"]), 3),
                                  "share_drivers_move_more": round(sum(x > y for x, y in zip(m["drivers"], m["others"])) / n, 3)}
    if hits["replies"]:
        res["dismissive_gold_span_hit_rate"] = {"replies": hits["replies"],
                                                "driver_sentences": round(hits["sentence"] / hits["replies"], 3),
                                                "span_head": round(hits["span_head"] / hits["replies"], 3)}
    save(res, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
