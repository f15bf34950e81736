"""End-to-end speed and memory of `replycoach audit` on a generated CSV, beside the model's own batch throughput.

    python benchmarks/audit_speed.py [--rows 100000] [--model DIR | --rules-only] [--no-explain] [--out benchmarks/results/audit_speed.json]

Builds a --rows-row CSV in a temp dir from the corpus test replies (every 4th body wrapped in HTML with a quoted
earlier message and a signature, so cleaning is exercised), runs the audit (read -> clean -> check_many ->
Parquet parts) and the report, and records replies/s, peak RSS (getrusage ru_maxrss) and, for comparison,
`coach.scorer.score` on the same replies (the model alone, no rules/cleaning/IO).
"""
from __future__ import annotations

import argparse
import csv
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from _results import save


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def make_csv(path: Path, rows: list[dict], n: int) -> None:
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "reply", "customer", "agent", "team", "sent_at"])
        for i in range(n):
            r = rows[i % len(rows)]
            body = r["reply"]
            if i % 4 == 0:
                body = (f"<div><p>{body}</p><p>Kind regards,<br>Agent {i % 50}<br>Acme Support</p></div>"
                        f"<div class=\"gmail_quote\">On Mon, Jan 1, 2024 customer wrote:<blockquote>{r['customer'] or 'help'}</blockquote></div>")
            w.writerow([i, body, r.get("customer") or "", f"agent-{i % 50:02d}", f"team-{i % 5}",
                        (start + timedelta(minutes=7 * i)).isoformat()])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    ap.add_argument("--rules-only", action="store_true", help="no model: rules and cleaning only")
    ap.add_argument("--no-explain", action="store_true", help="no sentence spans (replycoach audit --no-explain)")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--chunk-rows", type=int, default=5000)
    ap.add_argument("--out", default="benchmarks/results/audit_speed.json")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (CSV, parts, report)")
    args = ap.parse_args(argv)

    from replycoach import Coach, ReplycoachError
    from replycoach.audit import Columns, build_report, run_audit
    from replycoach.training.corpus import OUT, read_jsonl

    rows = [r for r in read_jsonl(OUT) if r.get("split") == "test"]
    if not rows:
        print(f"no test replies in {OUT}; build the corpus first", file=sys.stderr)
        return 2
    t = time.perf_counter()
    try:
        explain = not args.no_explain
        coach = Coach(model=None) if args.rules_only else (Coach(model=args.model, explain=explain) if args.model else Coach(explain=explain))
    except ReplycoachError as exc:
        print(f"cannot load the coach: {exc}", file=sys.stderr)
        return 2
    res: dict = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
                 "python": platform.python_version(), "rows": args.rows, "batch_size": args.batch_size, "chunk_rows": args.chunk_rows,
                 "engine": getattr(coach.scorer, "name", None), "explain": coach.explain, "model": coach.versions.model, "load_s": round(time.perf_counter() - t, 3),
                 "rss_mb_after_load": rss_mb()}

    tmp = Path(tempfile.mkdtemp(prefix="audit-bench-"))
    src = tmp / "replies.csv"
    t = time.perf_counter()
    make_csv(src, rows, args.rows)
    res["csv_mb"] = round(src.stat().st_size / 1e6, 1)
    res["generate_s"] = round(time.perf_counter() - t, 2)

    cols = Columns(text="reply", customer="customer", agent="agent", team="team", time="sent_at")
    t = time.perf_counter()
    out = run_audit(src, tmp / "results.parquet", coach, columns=cols, batch_size=args.batch_size, chunk_rows=args.chunk_rows,
                    progress=True, overwrite=True)
    audit_s = time.perf_counter() - t
    res["audit"] = {"seconds": round(audit_s, 2), "replies_per_s": round(out.rows_in / audit_s, 1), "rows_in": out.rows_in,
                    "rows_out": out.rows_out, "ok": out.ok, "errors": out.errors, "parts": out.parts}
    res["rss_mb_peak_after_audit"] = rss_mb()
    t = time.perf_counter()
    build_report(tmp / "results.parquet", tmp / "report.html", coach)
    res["report_s"] = round(time.perf_counter() - t, 2)
    res["rss_mb_peak_after_report"] = rss_mb()

    if coach.scorer is not None:
        sample = rows[: min(len(rows), args.rows, 2000)]
        replies, customers = [r["reply"] for r in sample], [r.get("customer") or None for r in sample]
        t = time.perf_counter()
        coach.scorer.score(replies, customers)
        s = time.perf_counter() - t
        res["model_only"] = {"replies": len(replies), "replies_per_s": round(len(replies) / s, 1)}
        res["audit_share_of_model_throughput"] = round(res["audit"]["replies_per_s"] / res["model_only"]["replies_per_s"], 3)
    else:
        res["model_only"] = None
    res["workdir"] = str(tmp) if args.keep else None
    if not args.keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    save(res, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
