"""Find, verify (SHA-256) and open a model directory with the fastest available engine."""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import ModelError
from .base import ModelConfig, Scorer

#: models/ at the repository root in a source checkout; the installed package looks there too.
DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[3] / "models" / "replycoach-minilm"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify(model_dir: Path, cfg: ModelConfig, names: list[str]) -> None:
    for name in names:
        expected = cfg.files.get(name)
        path = model_dir / name
        if expected is None:
            raise ModelError(f"{model_dir / 'config.json'}: no checksum recorded for {name}; rebuild the model with 'replycoach train'")
        if not path.is_file():
            raise ModelError(f"{path}: missing; the model directory is incomplete (re-clone, or rebuild with 'replycoach train')")
        actual = sha256(path)
        if actual != expected:
            raise ModelError(f"{path}: SHA-256 mismatch (expected {expected[:12]}..., got {actual[:12]}...); "
                             "the file is corrupt or was changed after training: restore it (git checkout models/) or rebuild with 'replycoach train'")


def load_scorer(model_dir: str | Path | None = None, engine: str = "auto") -> Scorer:
    """Open `model_dir` (default: the shipped model). engine: auto/onnx (ONNX Runtime int8) | torch (reference)."""
    path = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
    if not path.is_dir():
        raise ModelError(f"{path}: model directory not found; train one with 'replycoach train' or pass Coach(model=None) for rules only")
    cfg = ModelConfig.read(path)
    if engine not in ("auto", "onnx", "torch"):
        raise ModelError(f"engine must be 'auto', 'onnx' or 'torch', not {engine!r}")
    verify(path, cfg, ["delta.safetensors"])
    if engine in ("auto", "onnx"):
        return _onnx_scorer(path, cfg)
    from .torch_engine import TorchScorer

    return TorchScorer(path, cfg)


def _onnx_scorer(model_dir: Path, cfg: ModelConfig) -> Scorer:
    """The int8 graph, built once from base + delta and cached. A cached file ONNX Runtime cannot load
    (truncated, corrupted on disk) is rebuilt once; if the rebuilt one fails too, a ModelError says so."""
    from .export import build_onnx
    from .onnx_engine import OnnxScorer

    for attempt in (1, 2):
        graph = build_onnx(model_dir, cfg)
        try:
            return OnnxScorer(graph, cfg)
        except Exception as exc:  # noqa: BLE001 - ONNX Runtime's own exception types (InvalidProtobuf, Fail, ...)
            if not type(exc).__module__.startswith("onnxruntime"):
                raise
            if attempt == 2:
                raise ModelError(f"{graph}: ONNX Runtime cannot load the graph rebuilt from {model_dir} ({type(exc).__name__}: "
                                 f"{str(exc)[:300]}); delete the file to retry, or score with Coach(engine='torch')") from exc
            graph.unlink(missing_ok=True)  # a damaged cache entry: rebuild it from base + delta
    raise AssertionError("unreachable")  # pragma: no cover
