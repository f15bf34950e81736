"""Shared fixtures: a tiny randomly initialised model built in the test session (fast, offline)."""
from __future__ import annotations

import pytest

from replycoach import Coach


@pytest.fixture(scope="session")
def tiny_scorer():
    import torch
    from transformers import BertConfig

    from replycoach.model.base import ModelConfig, base_encoder_dir
    from replycoach.model.network import build
    from replycoach.model.torch_engine import TorchScorer

    torch.manual_seed(0)
    enc_cfg = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)
    cfg = ModelConfig(version="tiny-test", lora_from_layer=0)
    net = build(cfg, base_encoder_dir(), encoder_config=enc_cfg)
    return TorchScorer(None, cfg, net=net)


@pytest.fixture(scope="session")
def coach(tiny_scorer):
    return Coach(model=tiny_scorer)


@pytest.fixture(scope="session")
def rules_coach():
    return Coach(model=None)
