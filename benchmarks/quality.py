"""Quality harness: evaluate rules-only, model-only and combined scorers on the corpus test split.

    python benchmarks/quality.py [--split test] [--model models/replycoach-minilm] [--engine auto|onnx|torch]
                                 [--out benchmarks/results/quality.json]

Model choices (a training config against another) are made on `--split dev`; the results record the training
config that produced the model.

Prints a markdown table (all / real / authored subsets) and writes JSON.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _results import save

from replycoach import Coach
from replycoach.model.loading import sha256
from replycoach.training.corpus import OUT as CORPUS, read_jsonl
from replycoach.training.evaluate import evaluate, table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="test", choices=["train", "dev", "test"])
    ap.add_argument("--model", default=None, help="model directory (default: the shipped one)")
    ap.add_argument("--engine", default="auto", choices=["auto", "onnx", "torch"], help="model engine (torch = the trained reference)")
    ap.add_argument("--rules-only", action="store_true", help="evaluate only the rules-only scorer")
    ap.add_argument("--corpus", default=str(CORPUS))
    ap.add_argument("--limit", type=int, default=0, help="only the first N rows of the split (smoke runs)")
    ap.add_argument("--out", default="benchmarks/results/quality.json")
    args = ap.parse_args(argv)
    rows = [r for r in read_jsonl(Path(args.corpus)) if r["split"] == args.split][: args.limit or None]
    coaches: dict = {"rules": Coach(model=None)}
    produced_by = None
    if not args.rules_only:
        model = Coach(**({"model": args.model} if args.model else {}), engine=args.engine)
        coaches["model"] = model
        coaches["combined"] = model
        produced_by = {**model.scorer.cfg.produced_by, "engine": model.scorer.name}
    results = evaluate(coaches, rows, compare=None if args.rules_only else ("model", "rules"))
    print(f"split={args.split}, rows={len(rows)}")
    print(table(results))
    scored = {"path": args.corpus, "sha256": sha256(Path(args.corpus)), "rows": len(rows)}  # which replies these numbers are about
    save({"split": args.split, "corpus": scored, "model": produced_by, "results": results}, args.out, show=False)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
