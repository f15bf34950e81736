"""The real shipped model, loaded offline (marked 'model': run by .ci/run after the fast suite)."""
from __future__ import annotations

import shutil

import pytest

from replycoach import Coach, ModelError
from replycoach.model.base import ModelConfig
from replycoach.model.loading import DEFAULT_MODEL_DIR
from replycoach.policy import thresholds
from replycoach.training.corpus import OUT, read_jsonl

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def real():
    return Coach()


@pytest.fixture(scope="module")
def real_torch():
    return Coach(engine="torch")


def test_known_cases(real):
    bad = real.check("I am sorry but I cannot help you with your query from here.", customer="My refund never arrived and nobody answers!")
    assert bad.verdict == "review" and bad.scores.dismissive > 0.5
    good = real.check("I'm sorry your refund still hasn't arrived after two weeks - that's a long wait. I've chased our payments team and "
                      "I'll email you by 3pm tomorrow with the transfer reference.", customer="My refund never arrived and nobody answers!")
    assert good.verdict == "send" and good.scores.dismissive < 0.5 and good.scores.proactive > 0.5 and good.scores.empathy > 0.5
    rude = real.check("You should have read the instructions. Calm down.")
    assert rude.stance == "aggressive" and rude.verdict == "review"


def test_deterministic_and_batch_equals_single(real):
    rows = [r for r in read_jsonl(OUT) if r["split"] == "test"][:24]
    a = real.check_many([r["reply"] for r in rows], [r["customer"] for r in rows])
    b = real.check_many([r["reply"] for r in rows], [r["customer"] for r in rows])
    assert [x.model_dump() for x in a] == [x.model_dump() for x in b]
    one = real.check(rows[5]["reply"], customer=rows[5]["customer"])
    assert one.scores.dismissive == pytest.approx(a[5].scores.dismissive, abs=1e-4)


def test_onnx_int8_matches_torch_within_tolerance(real, real_torch):
    """Stated tolerance (README): per score, mean |int8 - torch| <= 0.02 and 99th percentile <= 0.15."""
    import numpy as np

    rows = [r for r in read_jsonl(OUT) if r["split"] == "test"][:200]
    fast = real.check_many([r["reply"] for r in rows], [r["customer"] for r in rows])
    ref = real_torch.check_many([r["reply"] for r in rows], [r["customer"] for r in rows])
    for k in ("empathy", "assertiveness", "dismissive", "proactive"):
        d = np.array([abs(getattr(f.scores, k) - getattr(t.scores, k)) for f, t in zip(fast, ref)])
        assert d.mean() <= 0.02 and np.percentile(d, 99) <= 0.15, (k, d.mean(), np.percentile(d, 99))


def test_checksum_mismatch_is_a_clear_error(tmp_path):
    copy = tmp_path / "m"
    shutil.copytree(DEFAULT_MODEL_DIR, copy)
    data = bytearray((copy / "delta.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (copy / "delta.safetensors").write_bytes(bytes(data))
    with pytest.raises(ModelError, match="SHA-256 mismatch"):
        Coach(model=copy)
    with pytest.raises(ModelError, match="not found"):
        Coach(model=tmp_path / "nope")


def test_training_runs_and_is_reproducible(tmp_path):
    from safetensors.numpy import load_file

    from replycoach.training.config import load_config
    from replycoach.training.train import train

    logs: list[str] = []
    outs = [train(load_config(None, limit=32, epochs=2, batch_size=16, output=str(tmp_path / f"run{i}")), log=logs.append) for i in (0, 1)]
    a, b = (load_file(str(o / "delta.safetensors")) for o in outs)
    assert a.keys() == b.keys() and all((a[k] == b[k]).all() for k in a)
    kept = [m for m in logs if m.startswith("kept epoch")]
    assert len(kept) == 2 and kept[0] == kept[1]  # the epoch chosen on dev is recorded, and chosen the same way twice
    assert ModelConfig.read(outs[0]).produced_by["kept_epoch"] == kept[0].split()[2]
    c = Coach(model=outs[0], engine="torch")
    assert 0 <= c.check("Refund sent.").scores.dismissive <= 1
    other = train(load_config(None, limit=32, epochs=2, batch_size=16, seed=14, output=str(tmp_path / "seed14")), log=logs.append)
    d = load_file(str(other / "delta.safetensors"))
    assert d.keys() == a.keys() and any((d[k] != a[k]).any() for k in a)  # the seed is what makes the run
    assert ModelConfig.read(other).produced_by["seed"] == "14"


def test_rewrite_with_the_real_model_returns_verified_candidates(real):
    from replycoach.rewrite.facts import extract_facts, missing_facts

    draft = "Hi Sam, I am sorry but I cannot help you with order #A-88213 from here. Please contact the courier yourself. Thanks, Dana"
    before = real.check(draft, customer="My parcel #A-88213 never arrived and I paid $49.99 for express!")
    out = real.rewrite(draft, customer="My parcel #A-88213 never arrived and I paid $49.99 for express!")
    assert before.verdict == "review" and 1 <= len(out) <= 3
    for rw in out:
        assert missing_facts(extract_facts(draft), rw.text) == []
        after = real.check(rw.text, customer="My parcel #A-88213 never arrived and I paid $49.99 for express!")
        assert not [f for f in after.findings if f.category in ("dismissive", "aggressive")]
        assert rw.scores.dismissive < before.scores.dismissive and rw.fixes


def test_scores_above_threshold_come_with_the_sentences_behind_them(real, real_torch):
    reply = ("I'm so sorry your parcel went missing, that must be really frustrating. "
             "I have reissued order #4471 today and you will get tracking by 5pm.")
    for coach in (real, real_torch):
        r = coach.check(reply)
        got = {(f.id, f.text) for f in r.findings if f.source == "model"}
        assert got == {("model.empathy", "I'm so sorry your parcel went missing, that must be really frustrating."),
                       ("model.proactive", "I have reissued order #4471 today and you will get tracking by 5pm.")}, coach.scorer.name
    test = [r for r in read_jsonl(OUT) if r["split"] == "test"]
    rows = test[:60] + [r for r in test[60:] if r["stance"] == "aggressive"][:10]  # the first 60 hold no aggressive reply
    limits = thresholds(real.policy, real._shipped)
    seen = set()
    for rep in real.check_many([r["reply"] for r in rows], [r["customer"] for r in rows]):
        s = rep.scores
        for label, score in {"empathy": s.empathy, "aggressive": s.stance_probs["aggressive"], "dismissive": s.dismissive,
                             "proactive": s.proactive}.items():
            if score >= limits[label]:
                seen.add(label)
                assert any(f.category == label for f in rep.findings), (label, score, rep.reply[:80])
    assert seen == {"empathy", "aggressive", "dismissive", "proactive"}  # every label was exercised


def test_dev_score_prefers_the_better_model():
    import numpy as np

    from replycoach.training.train import dev_score

    rng = np.random.default_rng(0)
    rows = [{"dismissive": i % 3 == 0, "proactive": i % 2, "empathy": i % 3, "stance": ("passive", "assertive", "aggressive")[i % 3]}
            for i in range(60)]
    onehot = lambda k, n: np.eye(n)[[r[k] if k != "stance" else ("passive", "assertive", "aggressive").index(r[k]) for r in rows]]  # noqa: E731
    good = [5 * onehot("empathy", 3), 5 * onehot("stance", 3),
            np.stack([[8.0 if r["dismissive"] else -8.0, 8.0 if r["proactive"] else -8.0, 0.0] for r in rows]), None]
    noise = [rng.normal(size=g.shape) for g in good[:3]] + [None]
    assert dev_score(good, rows, 0.03) == pytest.approx(1.0)
    assert dev_score(noise, rows, 0.03) < 0.7


def test_the_card_is_rewritten_from_a_fresh_scoring_of_the_test_split(tmp_path):
    """`python -m replycoach.training.card` (the README's step after an inference change), on a copy of the shipped model."""
    import json

    from replycoach.training.card import main

    copy = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, copy)
    (copy / "metrics.json").unlink()
    cfg = json.loads((copy / "config.json").read_text())  # a model trained with another cap and loss weight than shipped
    cfg["produced_by"]["config"] = json.dumps({**json.loads(cfg["produced_by"]["config"]), "max_fpr_dismissive": 0.05,
                                               "dismissive_weight": 3.0})
    (copy / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    rows = read_jsonl(OUT)
    small = [r for r in rows if r["split"] != "test"][:20] + [r for r in rows if r["split"] == "test"][:30]
    corpus = tmp_path / "replies.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in small), encoding="utf-8")
    assert main([str(copy), "--corpus", str(corpus)]) == 0
    metrics = json.loads((copy / "metrics.json").read_text())
    assert metrics["rows"] == 30 and set(metrics["results"]) == {"rules", "model", "combined", "combined-onnx-int8"}
    card = (copy / "README.md").read_text()
    assert "## Test-split metrics (30 replies" in card and "sentence-aligned windows" in card
    assert "dev false-positive rate <= 5%" in card and "threshold with FPR <= 5%" in card  # the training config's cap
    assert "dismissive F1 >= 0.90 with FPR <= 3%" in card  # the target stays
    assert "BCE (dismissive weighted 3, proactive" in card
