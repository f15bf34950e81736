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
        from .export import build_onnx
        from .onnx_engine import OnnxScorer

        return OnnxScorer(build_onnx(path, cfg), cfg)  # built once from base + delta, then cached
    from .torch_engine import TorchScorer

    return TorchScorer(path, cfg)
