"""One validated training config (YAML), so the shipped model is reproducible from the repo."""
from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import ReplycoachError

DEFAULT = Path(__file__).with_name("default.yaml")


class TrainConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seed: int = 13
    corpus: str = Field("corpus/replies.jsonl", description="JSONL with the corpus schema (see corpus/LABELLING.md)")
    output: str = "models/replycoach-minilm"
    version: str = "0.1.0"
    epochs: int = Field(4, ge=1)
    batch_size: int = Field(32, ge=1)
    lr: float = Field(8e-4, gt=0)
    weight_decay: float = 0.01
    warmup: float = Field(0.06, ge=0, lt=1)
    max_length: int = Field(192, ge=16, le=512)
    max_customer_tokens: int = Field(64, ge=0)
    lora_rank: int = Field(8, ge=1)
    lora_alpha: float = 16.0
    lora_from_layer: int = Field(2, ge=0)
    span_weight: float = 0.5
    dismissive_weight: float = Field(1.0, gt=0, description="weight of the dismissive term inside the binary-heads loss "
                                     "(1 = each of dismissive, proactive and distress counts alike)")
    real_weight: int = Field(1, ge=1, description="each real (non-authored) training reply is seen this many times per epoch")
    max_fpr_dismissive: float = Field(0.03, description="dismissive threshold: best dev F1 with FPR at most this")
    select_epoch: bool = Field(True, description="keep the epoch with the best dev score (see train.dev_score), not the last")
    threads: int = Field(0, description="torch threads; 0 = torch default")
    limit: int = Field(0, ge=0, description="use only the first N training rows (smoke tests); 0 = all")


def load_config(path: str | Path | None = None, **overrides) -> TrainConfig:
    p = Path(path) if path else DEFAULT
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ReplycoachError(f"{p}: cannot read training config ({exc})") from exc
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return TrainConfig.model_validate(data)
    except ValidationError as exc:
        e = exc.errors()[0]
        raise ReplycoachError(f"{p}: field {'.'.join(map(str, e['loc']))}: {e['msg']}") from exc
