"""Scoring with torch + transformers: the reference engine (the one training produces)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .base import ModelConfig, ModelOutput, base_encoder_dir
from .tokenize import PairEncoder
from .windows import score_whole

BATCH = 16


class TorchScorer:
    name = "torch"

    def __init__(self, model_dir: Path | None, cfg: ModelConfig, net=None, base_dir: Path | None = None):
        import torch

        from .network import load_trained

        self.cfg = cfg
        self.version = cfg.version
        base = base_dir or base_encoder_dir()
        self.encoder = PairEncoder(base / "tokenizer.json", cfg.max_length, cfg.max_customer_tokens)
        if net is None:
            net = load_trained(Path(model_dir), cfg, base)
        self.net = net.eval()
        self._torch = torch

    def logits(self, replies: Sequence[str], customers: Sequence[str | None]):
        torch = self._torch
        batch = self.encoder.encode(replies, customers)
        with torch.inference_mode():
            out = self.net(torch.from_numpy(batch.input_ids), torch.from_numpy(batch.attention_mask), torch.from_numpy(batch.token_type_ids))
        return batch, [o.float().numpy() for o in out]

    def score(self, replies: Sequence[str], customers: Sequence[str | None]) -> list[ModelOutput]:
        return score_whole(self, replies, customers, BATCH)
