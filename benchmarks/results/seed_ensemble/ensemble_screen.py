"""Screen in DECISION.md: two trained members' logits averaged, scored on the dev split like benchmarks/quality.py.

    python benchmarks/results/seed_ensemble/ensemble_screen.py --members DIR13 DIR14 --out FILE [--single]

`--single` scores the first member alone through the same code (a check that this harness reproduces quality.py).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from replycoach import Coach
from replycoach.model.base import ModelConfig
from replycoach.model.loading import sha256
from replycoach.model.network import load_trained
from replycoach.model.torch_engine import TorchScorer
from replycoach.training.corpus import OUT as CORPUS, read_jsonl
from replycoach.training.evaluate import evaluate, table


class Averaged:
    """Several trained networks behind one call: each head's output averaged over them (TorchScorer runs it as its net)."""

    def __init__(self, nets):
        self.nets = nets

    def eval(self):
        for net in self.nets:
            net.eval()
        return self

    def __call__(self, *inputs):
        outs = [net(*inputs) for net in self.nets]
        return tuple(sum(heads) / len(heads) for heads in zip(*outs))


def ensemble(dirs: list[Path]) -> TorchScorer:
    """The first member's tokeniser, calibration and thresholds; every head's logits averaged over the members."""
    return TorchScorer(dirs[0], ModelConfig.read(dirs[0]), net=Averaged([load_trained(d, ModelConfig.read(d)) for d in dirs]))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", nargs="+", required=True)
    ap.add_argument("--single", action="store_true")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    dirs = [Path(d) for d in args.members][: 1 if args.single else None]
    rows = [r for r in read_jsonl(CORPUS) if r["split"] == "dev"]
    t0 = time.perf_counter()
    coach = Coach(model=ensemble(dirs))
    results = evaluate({"model": coach, "combined": coach}, rows)
    print(table(results))
    out = {"split": "dev", "corpus": {"path": str(CORPUS), "sha256": sha256(CORPUS), "rows": len(rows)},
           "members": [str(d) for d in dirs], "seconds": round(time.perf_counter() - t0, 1), "results": results}
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n")
    print("dismissive_best", results["model"]["all"]["dismissive_best"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
