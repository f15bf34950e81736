"""Speed and memory of the pre-send check and batch scoring, on this machine.

    python benchmarks/speed.py [--out benchmarks/results/speed.json]

Measures (corpus test replies): single-check latency p50/p95 (rules + model + readability, model loaded),
`replycoach check` wall time from a fresh process, resident memory, batch throughput, and that throughput
as a share of this machine's int8 matrix-multiply peak measured in the same run (ONNX Runtime MatMulInteger;
model throughput and peak each best of three, measured alternately).
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _results import save


def matmul_peak(kind: str, n: int = 1024, reps: int = 20, threads: int = 0) -> float:
    """Multiply-accumulates per second of ONNX Runtime's n x n MatMulInteger (kind "int8": uint8 x int8 -> int32) or
    MatMul (kind "fp32"), threads 0 = all cores."""
    import onnxruntime as ort
    from onnx import TensorProto, helper

    rng = np.random.default_rng(0)
    if kind == "int8":
        types, op = (TensorProto.UINT8, TensorProto.INT8, TensorProto.INT32), "MatMulInteger"
        feeds = {"a": rng.integers(0, 255, (n, n), dtype=np.uint8), "b": rng.integers(-127, 127, (n, n), dtype=np.int8)}
    elif kind == "fp32":
        types, op = (TensorProto.FLOAT,) * 3, "MatMul"
        feeds = {"a": rng.random((n, n), dtype=np.float32), "b": rng.random((n, n), dtype=np.float32)}
    else:
        raise ValueError(f"kind must be 'int8' or 'fp32', not {kind!r}")
    io = [helper.make_tensor_value_info(name, t, [n, n]) for name, t in zip("aby", types)]
    graph = helper.make_graph([helper.make_node(op, ["a", "b"], ["y"])], "mm", io[:2], io[2:])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=9)
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
    sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    sess.run(None, feeds)
    t = time.perf_counter()
    for _ in range(reps):
        sess.run(None, feeds)
    return reps * n**3 / (time.perf_counter() - t)


def onnx_build() -> tuple[float, float]:
    """What the first `Coach()` on a machine pays: base + delta -> fused int8 ONNX graph, in a fresh subprocess and cache.
    Returns (seconds, MB of the cached graph)."""
    import tempfile

    with tempfile.TemporaryDirectory() as cache:
        t = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "replycoach.cli", "export-onnx"], capture_output=True, check=True, text=True,
                             env={**os.environ, "REPLYCOACH_CACHE": cache})
        seconds = round(time.perf_counter() - t, 1)
        return seconds, round(Path(run.stdout.strip().splitlines()[-1]).stat().st_size / 1e6, 1)


def model_macs(tokens: int, layers: int = 6, hidden: int = 384, ffn: int = 1536) -> float:
    """Multiply-accumulates for one sequence through the encoder (linear layers + attention)."""
    linear = layers * tokens * (4 * hidden * hidden + 2 * hidden * ffn)
    attention = layers * 2 * tokens * tokens * hidden
    return float(linear + attention)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="benchmarks/results/speed.json")
    ap.add_argument("--n", type=int, default=300, help="single checks to time")
    args = ap.parse_args(argv)

    from replycoach import Coach
    from replycoach.model.windows import plan
    from replycoach.training.corpus import OUT, read_jsonl

    rows = [r for r in read_jsonl(OUT) if r["split"] == "test"]
    replies = [r["reply"] for r in rows]
    customers = [r["customer"] or None for r in rows]
    res: dict = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
                 "python": platform.python_version()}

    res["onnx_first_build_s"], res["onnx_graph_mb"] = onnx_build()
    t = time.perf_counter()
    coach = Coach()
    res["load_s"] = round(time.perf_counter() - t, 3)
    res["engine"] = coach.scorer.name
    words = sorted(len(r.split()) for r in replies)
    median_words = words[len(words) // 2]
    median = [r for r in rows if abs(len(r["reply"].split()) - median_words) <= 3]
    for r in median[:10]:
        coach.check(r["reply"], customer=r["customer"] or None)
    times = []
    for i in range(args.n):
        r = median[i % len(median)]
        t = time.perf_counter()
        coach.check(r["reply"], customer=r["customer"] or None)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    res["single_check_ms"] = {"median_reply_words": median_words, "p50": round(statistics.median(times), 2),
                              "p95": round(times[int(0.95 * len(times))], 2), "n": len(times)}

    res["rss_mb_after_single_checks"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    enc = coach.scorer.encoder
    # token counts exactly as the engine feeds the model: [CLS] reply [SEP] customer [SEP] per window of each reply
    # (a reply longer than the model's window is read in several, model/windows.py)
    plans = plan(enc, replies, customers)
    lengths = [enc.encode([r[a:b]], [c]).input_ids.shape[1] for r, c, windows in zip(replies, customers, plans) for a, b in windows]
    # the roofline share: model throughput and the int8 peak, each best of three, measured alternately, so a moment
    # when the shared VM lends the process less than every core does not decide either side
    model_runs, peaks = [], []
    for _ in range(3):
        peaks.append(matmul_peak("int8"))
        t = time.perf_counter()
        coach.scorer.score(replies, customers)
        model_runs.append(time.perf_counter() - t)
    model_s, peak = min(model_runs), max(peaks)
    lanes = getattr(coach.scorer, "lanes", 1)
    coach.scorer.lanes = 1  # the same replies on the one all-cores session, one at a time
    t = time.perf_counter()
    coach.scorer.score(replies, customers)
    one_lane_s = time.perf_counter() - t
    coach.scorer.lanes = lanes
    t = time.perf_counter()
    coach.check_many(replies, customers)
    full_s = time.perf_counter() - t
    coach.explain = False  # the same, without scoring each sentence on its own for the spans
    t = time.perf_counter()
    coach.check_many(replies, customers)
    plain_s = time.perf_counter() - t
    coach.explain = True
    macs = sum(model_macs(n) for n in lengths)
    res["batch"] = {"replies": len(replies), "lanes": lanes, "model_replies_per_s": round(len(replies) / model_s, 1),
                    "model_replies_per_s_runs": [round(len(replies) / x, 1) for x in model_runs],
                    "int8_peak_gmacs_per_s_runs": [round(x / 1e9, 2) for x in peaks],
                    "model_replies_per_s_one_lane": round(len(replies) / one_lane_s, 1),
                    "check_many_replies_per_s": round(len(replies) / full_s, 1),
                    "check_many_explain_false_replies_per_s": round(len(replies) / plain_s, 1), "model_tokens": sum(lengths),
                    "replies_read_in_windows": sum(len(w) > 1 for w in plans), "model_runs": len(lengths),
                    "model_gmacs_per_s": round(macs / model_s / 1e9, 2), "int8_peak_gmacs_per_s": round(peak / 1e9, 2),
                    "share_of_int8_peak": round(macs / model_s / peak, 3)}
    res["rss_mb_after_batch"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    cli = []
    exe = [sys.executable, "-m", "replycoach.cli", "check", "I cannot help you with that from here.", "--json"]
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(exe, capture_output=True, check=False)
        cli.append(time.perf_counter() - t)
    res["fresh_process_check_s"] = {"min": round(min(cli), 3), "median": round(statistics.median(cli), 3)}

    save(res, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
