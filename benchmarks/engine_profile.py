"""Where the ONNX engine's time goes, and what batching would buy, on the corpus test replies.

    python benchmarks/engine_profile.py [--limit N] [--out benchmarks/results/engine_profile.json]

1. ONNX Runtime's profiler over the replies one at a time on a one-thread session: share of kernel time per
   operator type, and the work behind it: multiply-accumulates per kind of kernel (from each reply's token count)
   against the kernel time and a one-thread int8 MatMulInteger peak measured in the same run. The profile file
   goes to a temporary folder and is deleted. With a one-thread fp32 MatMul peak measured beside it (best of three
   each, alternating): the ceilings on the share of the int8 peak if the fp32 attention ran at that fp32 peak, with
   GELU and LayerNorm as they are and with them free (what any fp32 attention kernel could reach at best).
2. Model-only throughput: one reply per run on the all-cores session; token-length-sorted batches of 4-32 on
   the same session (what static batching would give; the shipped engine does not batch, because dynamic int8
   quantisation would make a reply's scores depend on its batch-mates), the same on a one-thread session (what
   a lane runs on); and the engine's lanes.
3. The export recipe's one deliberate non-fusion: the shipped graph (Add + LayerNormalization) against the same
   weights exported with ONNX Runtime's fused SkipLayerNormalization, one thread, one reply per run, alternating
   three rounds; and how far the two graphs' dismissive probabilities differ.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from _results import save
from speed import matmul_peak


#: element-wise fp32 kernels: no multiply-accumulates, all per-token time
FP32_OPS = ("BiasGelu", "Gelu", "FastGelu", "LayerNormalization", "SkipLayerNormalization")


def op_times(path: Path, feeds: list[dict]) -> dict[str, float]:
    """Kernel time in microseconds per operator type, one thread, the feeds one at a time."""
    from replycoach.model.onnx_engine import open_session

    with tempfile.TemporaryDirectory() as tmp:
        sess = open_session(path, threads=1, profile_prefix=str(Path(tmp) / "profile"))
        for f in feeds:
            sess.run(None, f)
        events = json.loads(Path(sess.end_profiling()).read_text())
    time_per_op: collections.Counter = collections.Counter()
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
            time_per_op[e["args"]["op_name"]] += e["dur"]
    return dict(time_per_op.most_common())


def work_split(times_us: dict[str, float], tokens: list[int], peak: float, fp32_peak: float, layers: int = 6,
               hidden: int = 384, ffn: int = 1536) -> dict:
    """Multiply-accumulates per kind of kernel against the kernel time. DynamicQuantizeMatMul: attention output and
    feed-forward; QAttention: the int8 QKV multiply plus fp32 scores and weighted sum. Its time is split assuming its
    int8 QKV multiply runs as fast as DynamicQuantizeMatMul does; the rest of it, GELU and LayerNorm are the per-token
    fp32 work. `peak`, `fp32_peak`: one-thread int8 and fp32 multiply-accumulates per second.

    Ceilings: the share of `peak` if the fp32 attention (scores and weighted sum) took only its multiply-accumulates
    at `fp32_peak` (no softmax, no mask, no overhead), with GELU and LayerNorm as measured, and with them free too."""
    dqmm = sum(layers * t * (hidden * hidden + 2 * hidden * ffn) for t in tokens)
    qkv = sum(layers * t * 3 * hidden * hidden for t in tokens)
    attn = sum(layers * 2 * t * t * hidden for t in tokens)
    macs = dqmm + qkv + attn
    sec = {op: us / 1e6 for op, us in times_us.items()}
    total = sum(sec.values())
    dqmm_rate = dqmm / sec["DynamicQuantizeMatMul"]
    attn_s = sec.get("QAttention", 0.0) - qkv / dqmm_rate
    elementwise = sum(sec.get(op, 0.0) for op in FP32_OPS)
    fp32 = attn_s + elementwise
    ideal = total - attn_s + attn / fp32_peak  # the same kernels with an fp32 attention at the fp32 peak
    at_70 = macs / (0.7 * peak)  # kernel time at 70% of the one-thread peak
    return {"one_thread_int8_peak_gmacs_per_s": round(peak / 1e9, 2),
            "macs_share": {"dynamic_quantize_matmul": round(dqmm / macs, 3), "qattention_int8_qkv": round(qkv / macs, 3),
                           "qattention_fp32_attention": round(attn / macs, 3)},
            "dynamic_quantize_matmul_share_of_peak": round(dqmm_rate / peak, 3),
            "model_share_of_peak_in_kernel_time": round(macs / total / peak, 3),
            "per_token_fp32_time_share": round(fp32 / total, 3),
            "per_token_fp32_macs_share": round(attn / macs, 3),
            "fp32_time_cut_needed_for_70pct": round((total - at_70) / fp32, 3) if total > at_70 else 0.0,
            "one_thread_fp32_peak_gmacs_per_s": round(fp32_peak / 1e9, 2),
            "fp32_attention_time_share": round(attn_s / total, 3),
            "ceiling_fp32_attention_at_fp32_peak": round(macs / ideal / peak, 3),
            "ceiling_same_and_gelu_layernorm_free": round(macs / (ideal - elementwise) / peak, 3)}


def fusion_comparison(scorer, feeds: list[dict]) -> dict:
    """One-thread replies/s of the shipped graph vs the same weights with SkipLayerNormalization fused."""
    import numpy as np
    import onnxruntime as ort

    from replycoach.model.decode import sigmoid
    from replycoach.model.export import export_onnx, onnx_path
    from replycoach.model.loading import DEFAULT_MODEL_DIR
    from replycoach.model.network import load_trained
    from replycoach.model.onnx_engine import open_session

    with tempfile.TemporaryDirectory() as tmp:
        fused = export_onnx(load_trained(DEFAULT_MODEL_DIR, scorer.cfg), Path(tmp) / "fused.int8.onnx", unfused={})
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        sessions = {"shipped_add_layernorm": open_session(onnx_path(scorer.cfg), threads=1),
                    "fused_skip_layernorm": ort.InferenceSession(str(fused), opts, providers=["CPUExecutionProvider"])}
        rates: dict[str, list[float]] = {k: [] for k in sessions}
        for _ in range(3):
            for name, sess in sessions.items():
                sess.run(None, feeds[0])
                t = time.perf_counter()
                for f in feeds:
                    sess.run(None, f)
                rates[name].append(round(len(feeds) / (time.perf_counter() - t), 1))
        binary = [[s.run(["binary"], f)[0][0, 0] for f in feeds] for s in sessions.values()]
    p = [sigmoid(np.array(b, dtype=np.float64) / scorer.cfg.temperatures.get("dismissive", 1.0)) for b in binary]
    best = {k: max(v) for k, v in rates.items()}
    return {"one_thread_replies_per_s": rates, "speedup_best_of_3": round(best["shipped_add_layernorm"] / best["fused_skip_layernorm"], 3),
            "dismissive_prob_max_abs_diff": round(float(np.abs(p[0] - p[1]).max()), 4),
            "dismissive_prob_mean_abs_diff": round(float(np.abs(p[0] - p[1]).mean()), 5)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=0, help="only the first N test replies (smoke runs)")
    ap.add_argument("--out", default="benchmarks/results/engine_profile.json")
    args = ap.parse_args(argv)

    from replycoach import Coach
    from replycoach.model.export import onnx_path
    from replycoach.model.onnx_engine import open_session
    from replycoach.training.corpus import OUT, read_jsonl

    rows = [r for r in read_jsonl(OUT) if r["split"] == "test"][: args.limit or None]
    replies, customers = [r["reply"] for r in rows], [r["customer"] or None for r in rows]
    scorer = Coach(explain=False).scorer
    if scorer.name != "onnx":
        raise SystemExit("this profiles the ONNX engine; install onnxruntime")
    enc = scorer.encoder

    def feed(idx: list[int]) -> dict:
        b = enc.encode([replies[i] for i in idx], [customers[i] for i in idx])
        return {"input_ids": b.input_ids, "attention_mask": b.attention_mask, "token_type_ids": b.token_type_ids}

    singles = [feed([i]) for i in range(len(rows))]
    lengths = [f["input_ids"].shape[1] for f in singles]
    times = op_times(onnx_path(scorer.cfg), singles)
    shares = {op: round(us / sum(times.values()), 3) for op, us in times.items()}
    peaks: dict[str, list[float]] = {"int8": [], "fp32": []}
    for _ in range(3):  # alternating, best of three: this VM's peaks move by a third between samples
        for kind in peaks:
            peaks[kind].append(matmul_peak(kind, threads=1))
    split = work_split(times, lengths, max(peaks["int8"]), max(peaks["fp32"]))
    split["peak_samples_gmacs_per_s"] = {k: [round(x / 1e9, 1) for x in v] for k, v in peaks.items()}

    order = sorted(range(len(rows)), key=lambda i: lengths[i])
    rates: dict[str, float] = {}
    one_thread = open_session(onnx_path(scorer.cfg), threads=1)  # what each lane runs on
    for size in (1, 4, 8, 16, 32):
        feeds = [feed(order[k : k + size]) for k in range(0, len(order), size)]  # tokenised before the clock
        for label, sess in (("", scorer.session), ("one_thread_", one_thread)):
            sess.run(None, feeds[0])
            t = time.perf_counter()
            for f in feeds:
                sess.run(None, f)
            rates[f"{label}sorted_batches_of_{size}"] = round(len(rows) / (time.perf_counter() - t), 1)
    scorer.score(replies[:8], customers[:8])
    t = time.perf_counter()
    scorer.score(replies, customers)
    rates[f"lanes_{scorer.lanes}_incl_tokenising"] = round(len(rows) / (time.perf_counter() - t), 1)

    res_fusion = fusion_comparison(scorer, singles)
    res = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
           "replies": len(rows), "kernel_time_share_one_thread": shares,
           "work_vs_time_one_thread": split,
           "model_replies_per_s": rates, "skip_layernorm_fusion": res_fusion}
    save(res, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
