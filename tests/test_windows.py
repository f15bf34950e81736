"""Replies longer than the model's token window are read in full, in sentence-aligned windows."""
from __future__ import annotations

import pytest

from replycoach import Coach
from replycoach.model.base import ModelConfig, ModelOutput, base_encoder_dir
from replycoach.model.tokenize import PairEncoder
from replycoach.model.decode import score_batched
from replycoach.model.windows import merge, plan
from replycoach.text import sentence_spans

SENTENCES = [f"Step {i}: open the billing page and confirm the address on file for order A-{1000 + i}." for i in range(9)]
LONG = " ".join(SENTENCES) + " Sadly there is nothing more we can do for you."


@pytest.fixture(scope="module")
def small():
    return PairEncoder(base_encoder_dir() / "tokenizer.json", max_length=48, max_customer_tokens=12)


def test_a_reply_that_fits_is_one_window(small):
    assert plan(small, ["Thanks, your refund is on its way."], [None]) == [[(0, 34)]]


def test_windows_fit_cover_the_reply_and_start_at_sentences(small):
    for customer in (None, "Where is my refund? I have asked three times now and nobody answers me."):
        (windows,) = plan(small, [LONG], [customer])
        room = small.reply_room([customer])[0]
        assert len(windows) > 1
        assert windows[0][0] == 0 and windows[-1][1] == len(LONG)
        for (a, b), (c, _) in zip(windows, windows[1:]):
            assert c <= b  # contiguous or overlapping: no text falls between windows
        starts = {a for a, _ in sentence_spans(LONG)}
        assert all(a in starts for a, _ in windows)
        assert all(n <= room for n in small.lengths([LONG[a:b] for a, b in windows]))
    assert len(plan(small, [LONG], ["word " * 40])[0]) > len(plan(small, [LONG], [None])[0])  # less room beside a customer


def test_the_last_window_is_never_a_lone_sign_off(small):
    reply = " ".join(SENTENCES[:3]) + "\n\nKind regards,\nBilling Team"
    windows = plan(small, [reply], [None])[0]
    assert len(windows) > 1
    a, _ = windows[-1]
    assert reply[a:].startswith("Step")  # reaches back over the window before it
    assert small.lengths([reply[a:]])[0] > small.reply_room([None])[0] // 2


def test_a_sentence_longer_than_a_window_is_cut_between_words(small):
    reply = "Unfortunately " + " ".join(["the", "verification", "requirements", "apply"] * 30) + "."
    windows = plan(small, [reply], [None])[0]
    assert len(windows) > 2
    for a, _ in windows[1:]:
        assert reply[a - 1] == " " and reply[a] != " "
    assert all(n <= small.reply_room([None])[0] for n in small.lengths([reply[a:b] for a, b in windows]))


def _out(dis: float, pro: float, agg: float, emp: tuple, spans=(), distress=None) -> ModelOutput:
    return ModelOutput(empathy_probs=emp, stance_probs={"passive": 0.5 - agg / 2, "assertive": 0.5 - agg / 2, "aggressive": agg},
                       dismissive=dis, proactive=pro, distress=distress, dismissive_spans=list(spans))


def test_merge_takes_the_worst_passage_and_the_best_effort():
    first = _out(0.1, 0.9, 0.2, (0.1, 0.2, 0.7), spans=[(5, 9, 0.4)], distress=0.8)
    second = _out(0.95, 0.3, 0.6, (0.6, 0.3, 0.1), spans=[(0, 6, 0.9), (20, 24, 0.5)], distress=0.1)
    m = merge([first, second], [0, 7])
    assert (m.dismissive, m.proactive, m.distress) == (0.95, 0.9, 0.8)
    assert m.stance_probs == second.stance_probs and m.empathy_probs == first.empathy_probs
    assert m.dismissive_spans == [(5, 13, 0.9), (27, 31, 0.5)]  # shifted into the reply; the overlap joined
    assert merge([first], [0]) is first


@pytest.fixture(scope="module")
def windowed(tiny_scorer):
    """The tiny model behind a 48-token window (the shipped one reads 192)."""
    from replycoach.model.torch_engine import TorchScorer

    cfg = ModelConfig(version="tiny-test", lora_from_layer=0, max_length=48, max_customer_tokens=12)
    return TorchScorer(None, cfg, net=tiny_scorer.net)


def test_the_engine_and_the_coach_score_every_window_of_a_long_reply(windowed):
    windows = plan(windowed.encoder, [LONG], [None])[0]
    parts = windowed.score([LONG[a:b] for a, b in windows], [None] * len(windows))
    whole = windowed.score([LONG], [None])[0]
    assert whole.dismissive == pytest.approx(max(p.dismissive for p in parts))
    assert whole.dismissive != pytest.approx(score_batched(windowed, [LONG], [None], 1)[0].dismissive)  # not the cut-off reading
    coach = Coach(model=windowed)
    report = coach.check(LONG)
    assert report.scores.dismissive == pytest.approx(whole.dismissive)
    assert coach.check_many(["Short one.", LONG, "Another."])[1] == report
    for f in report.findings:
        assert LONG[f.start : f.end] == f.text


def test_a_scorer_of_the_callers_own_gets_whole_replies():
    seen = []

    class Plain:
        def score(self, replies, customers):
            seen.extend(replies)
            return [_out(0.1, 0.5, 0.1, (0.2, 0.5, 0.3)) for _ in replies]

    Coach(model=Plain(), explain=False).check(LONG * 3)  # (explain would also score each sentence)
    assert seen == [LONG * 3]
