"""`replycoach train` options reach the validated training config, and the config's loss weights reach the loss (the
training itself is faked here; the real, short training runs in tests/test_model.py)."""
from __future__ import annotations


import pytest
from typer.testing import CliRunner

from replycoach.cli import app
from replycoach.errors import ReplycoachError


@pytest.fixture
def seen(monkeypatch):
    import replycoach.training.train as train_module

    got = []

    def fake(cfg, log=print):
        got.append(cfg)
        raise ReplycoachError("stopped before training")

    monkeypatch.setattr(train_module, "train", fake)
    return got


def test_seed_and_epochs_override_the_config(seen, tmp_path):
    res = CliRunner().invoke(app, ["train", "--seed", "14", "--epochs", "2", "--output", str(tmp_path / "m"), "--skip-eval"])
    assert res.exit_code != 0 and "stopped before training" in res.output
    assert (seen[0].seed, seen[0].epochs, seen[0].output) == (14, 2, str(tmp_path / "m"))
    assert seen[0].lr == 8e-4  # everything else from the shipped model's default.yaml


def test_without_options_the_shipped_seed_is_used(seen):
    CliRunner().invoke(app, ["train", "--skip-eval"])
    assert seen[0].seed == 13


def test_a_bad_config_names_the_field(seen, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("lr: -1\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["train", "--config", str(bad)])
    assert res.exit_code != 0 and "field lr" in res.output and not seen


def test_dismissive_weight_scales_only_the_dismissive_term():
    import torch

    from replycoach.training.train import _loss

    torch.manual_seed(0)
    out = (torch.randn(4, 3), torch.randn(4, 3), torch.randn(4, 3), torch.randn(4, 5))
    tgt = {"empathy": torch.tensor([0, 1, 2, 1]), "stance": torch.tensor([0, 1, 2, 0]),
           "binary": torch.tensor([[1.0, 0.0, -1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 0.0], [0.0, 0.0, -1.0]]),
           "span": torch.full((4, 5), -100.0)}
    w = torch.ones(3)
    F = torch.nn.functional
    mask = tgt["binary"] >= 0
    shipped = (F.cross_entropy(out[0], tgt["empathy"]) + F.cross_entropy(out[1], tgt["stance"], weight=w)  # the loss the
               + F.binary_cross_entropy_with_logits(out[2][mask], tgt["binary"][mask]))  # shipped model was trained with
    base = _loss(out, tgt, w, 0.5)
    assert torch.equal(base, shipped) and torch.equal(_loss(out, tgt, w, 0.5, 1.0), shipped)  # weight 1: bit for bit
    per = F.binary_cross_entropy_with_logits(out[2], tgt["binary"].clamp(min=0), reduction="none")
    dis = per[:, 0][mask[:, 0]].sum() / mask.sum()  # the dismissive share of the mean over the 10 labelled entries
    assert torch.allclose(_loss(out, tgt, w, 0.5, 3.0) - base, 2 * dis)
