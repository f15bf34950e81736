"""`replycoach train` options reach the validated training config (the training itself is faked here; the real,
short training runs in tests/test_model.py)."""
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
