"""The public contract of Coach/Report, bad inputs, batching, policy — with a tiny random model."""
from __future__ import annotations

import json

import pytest

from replycoach import Coach, InputError, Policy, Report, report_json_schema


def test_report_contract(coach):
    r = coach.check("I am sorry but I cannot help you with your query from here.", customer="My refund never arrived and nobody answers!")
    for v in (r.scores.empathy, r.scores.assertiveness, r.scores.dismissive, r.scores.proactive, r.scores.customer_distress):
        assert 0.0 <= v <= 1.0
    assert r.stance in ("passive", "assertive", "aggressive")
    f = next(f for f in r.findings if f.id == "dismissive.cannot-help")
    assert (f.category, f.severity, f.text) == ("dismissive", "error", r.reply[f.start : f.end])
    assert r.verdict == "review" and r.reasons
    assert r.versions.model == "tiny-test" and r.versions.rules
    assert r.readability.plain_words
    again = Report.model_validate_json(r.model_dump_json())
    assert again == r
    with pytest.raises(Exception):
        r.verdict = "send"  # frozen


def test_check_many_matches_check(coach):
    replies = ["Refund sent, you'll see it Friday.", "Calm down.", "ok", "I'll call the courier now and update you by 3pm."]
    customers = ["Where is my money??", None, "hi", "Parcel lost again"]
    many = coach.check_many(replies, customers)
    for rep, cust, m in zip(replies, customers, many):
        one = coach.check(rep, customer=cust)
        assert one.model_dump(exclude={"scores"}) == m.model_dump(exclude={"scores"})
        for k in ("empathy", "dismissive", "proactive", "assertiveness"):
            assert getattr(one.scores, k) == pytest.approx(getattr(m.scores, k), abs=1e-5)


@pytest.mark.parametrize("bad", [None, 42, 3.5, ["a"], {"reply": "x"}, b"bytes"])
def test_non_string_is_a_clear_error(coach, bad):
    with pytest.raises(InputError) as err:
        coach.check(bad)
    assert "must be str" in str(err.value)


def test_bytes_error_says_how_to_fix(coach):
    with pytest.raises(InputError, match="decode"):
        coach.check(b"hello")


def test_check_many_validates(coach):
    with pytest.raises(InputError, match="list of replies"):
        coach.check_many("one string")
    with pytest.raises(InputError, match="one customer message"):
        coach.check_many(["a", "b"], ["x"])


@pytest.mark.parametrize("empty", ["", "   ", "\n\t\r\n"])
def test_empty_gets_explicit_finding(coach, empty):
    r = coach.check(empty)
    assert [f.id for f in r.findings] == ["input.empty"]
    assert r.verdict == "review" and r.scores is None


def test_huge_input_is_answered_and_flagged(coach):
    text = ("Hello, as I already said this is company policy. " * 21000)[:1_000_000]
    r = coach.check(text)
    assert r.truncated and any(f.id == "input.truncated" for f in r.findings)
    assert all(text[f.start : f.end] == f.text for f in r.findings)
    assert r.reply == text


@pytest.mark.parametrize("text", [
    "\U0001f600\U0001f389 thanks!!", "\u0645\u0631\u062d\u0628\u0627 I can't help you with that", "a\x00b\x07c\x1b[31m",
    "line one\r\nline two\rline three", "\ufeffBOM first", "\ud800 lone surrogate", "\u0130stanbul \u0130\u0130 CANNOT HELP you",
    "e\u0301\u0301\u0301" * 100,
])
def test_any_unicode_never_crashes(coach, text):
    r = coach.check(text, customer=text)
    for f in r.findings:
        assert text[f.start : f.end] == f.text


def test_policy_is_changeable(tiny_scorer):
    text = "Thanks, I've sent the replacement."
    strict = Coach(model=tiny_scorer, policy=Policy(min_empathy=1.0))
    lax = Coach(model=tiny_scorer, policy=Policy(dismissive=1.0, aggressive=1.0, min_empathy_distressed=0.0))
    assert strict.check(text).verdict == "review"
    assert lax.check(text).verdict == "send"


def test_rules_only_coach_has_no_scores(rules_coach):
    r = rules_coach.check("Calm down.")
    assert r.scores is None and r.versions.model is None and r.verdict == "review"


def test_schema_is_generated_and_documented():
    from pathlib import Path

    doc = Path(__file__).resolve().parents[1] / "docs" / "report-schema.json"
    assert json.loads(doc.read_text()) == report_json_schema(), "run: replycoach schema > docs/report-schema.json"


def test_readability_is_sane_on_short_and_long(rules_coach):
    assert rules_coach.check("ok thx").readability.plain_words == "too short to measure"
    long = "Dear Ms Patel,\n\nThank you for your e-mail about the delayed delivery. " * 80
    rd = rules_coach.check(long).readability
    assert rd.grade is not None and 0 <= rd.grade <= 30 and -50 <= rd.flesch_reading_ease <= 122


def test_rule_finding_wins_over_overlapping_model_span():
    from replycoach.model import ModelOutput

    class Fixed:
        name, version = "fixed", "t"

        def score(self, replies, customers):
            return [ModelOutput((0.9, 0.05, 0.05), {"passive": 0.1, "assertive": 0.8, "aggressive": 0.1}, 0.99, 0.1, None,
                                [(0, len(r), 0.99)]) for r in replies]

    r = Coach(model=Fixed()).check("nothing appears in the application gentleman, please wait")
    ids = [f.id for f in r.findings]
    assert "dismissive.nothing-appears" in ids and "model.dismissive" not in ids
    r2 = Coach(model=Fixed()).check("Your order shipped and will arrive soon.")
    assert [f.id for f in r2.findings] == ["model.dismissive"]


def test_metrics_against_hand_computed_values():
    from replycoach.training import metrics

    assert metrics.auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    assert metrics.f1([1, 1, 0, 0], [1, 0, 1, 0]) == 0.5
    assert metrics.fpr([1, 0, 0, 0], [1, 1, 0, 0]) == 1 / 3
    assert metrics.spearman([1, 2, 3], [10, 20, 30]) == pytest.approx(1.0)
    # absent classes do not count: only 'assertive' occurs
    assert metrics.macro_f1(["assertive"] * 3, ["assertive"] * 3, ["passive", "assertive", "aggressive"]) == 1.0
    assert metrics.span_f1([[(0, 5)]], [[(3, 8), (10, 12)]]) == {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(2 / 3)}
    assert metrics.ece([0, 1], [0.0, 1.0]) == 0.0


# ------------------------------------------------------------------ sentence attribution

class _CueScorer:
    """Test-only scorer that reacts to cue words, so attribution has something to find."""

    name, version = "cue", "t"

    def __init__(self):
        self.calls = []

    def score(self, replies, customers):
        from replycoach.model import ModelOutput

        self.calls.append(list(replies))
        out = []
        for r in replies:
            low = r.lower()
            emp = 0.9 if "sorry" in low else 0.05
            agg = 0.9 if "your fault" in low else 0.05
            out.append(ModelOutput((1 - emp, 0.0, emp), {"passive": 0.05, "assertive": 0.95 - agg, "aggressive": agg},
                                   0.9 if "whatever" in low else 0.05, 0.9 if "i will" in low else 0.05, None))
        return out


@pytest.mark.parametrize("text,want", [
    ("Hi Sam,\n\nI'm so sorry. We'll ship it (today). Thanks!  ", ["Hi Sam,", "I'm so sorry.", "We'll ship it (today).", "Thanks!"]),
    ('Wait... what? "Yes." Ok', ["Wait...", "what?", '"Yes."', "Ok"]),
    ("See www.x.com/a.b now. It weighs 3.5 kg", ["See www.x.com/a.b now.", "It weighs 3.5 kg"]),
    ("one line", ["one line"]), ("  \n ", []),
])
def test_sentence_spans(text, want):
    from replycoach.text import sentence_spans

    assert [text[a:b] for a, b in sentence_spans(text)] == want


def test_every_score_above_threshold_points_at_the_sentences_behind_it():
    reply = "  Hello Ana. I am so sorry about the delay!\nI will refund order #12 today. It was your fault, whatever."
    r = Coach(model=_CueScorer()).check(reply)
    by = {}
    for f in r.findings:
        if f.source == "model":
            by.setdefault(f.id, []).append(f.text)
            assert reply[f.start : f.end] == f.text
    assert by == {"model.empathy": ["I am so sorry about the delay!"], "model.proactive": ["I will refund order #12 today."],
                  "model.aggressive": ["It was your fault, whatever."], "model.dismissive": ["It was your fault, whatever."]}
    sev = {f.id: f.severity for f in r.findings if f.source == "model"}
    assert sev == {"model.empathy": "info", "model.proactive": "info", "model.aggressive": "warning", "model.dismissive": "warning"}


def test_attribution_falls_back_to_the_strongest_sentence_and_respects_rules_and_explain():
    from replycoach.model.attribution import drivers
    from replycoach.model.base import SentenceScore

    ss = [SentenceScore(0, 5, {"empathy": 0.3}), SentenceScore(6, 9, {"empathy": 0.4})]
    assert drivers(ss, "empathy", 0.5) == [ss[1]]  # none clears the threshold alone: the strongest one
    assert drivers([SentenceScore(i, i + 1, {"empathy": 0.6 + i / 100}) for i in range(5)], "empathy", 0.5, limit=2) == \
        [SentenceScore(3, 4, {"empathy": 0.63}), SentenceScore(4, 5, {"empathy": 0.64})]
    # a rule finding of the same category on the same text wins; the model adds nothing there
    r = Coach(model=_CueScorer()).check("Fine. That is your fault.")
    assert r.scores.stance_probs["aggressive"] == 0.9
    assert [(f.id, f.text) for f in r.findings] == [("aggressive.you-should-have", "That is your fault")]
    scorer = _CueScorer()
    r = Coach(model=scorer, explain=False).check("I am so sorry. I will call you.")
    assert not [f for f in r.findings if f.source == "model"] and len(scorer.calls) == 1


def test_attribution_is_per_reply_so_batch_equals_single():
    coach = Coach(model=_CueScorer())
    replies = ["Sorry for the wait. I will call you at 3pm.", "ok", "Whatever. Not my problem, I will not help."]
    assert [r.model_dump() for r in coach.check_many(replies)] == [coach.check(x).model_dump() for x in replies]


def test_with_a_model_the_model_decides_dismissive_and_rules_still_explain(tiny_scorer, rules_coach):
    """A dismissive phrase rule reports its span either way; it sends the reply to review on its own only without a model
    (or when the policy names the category)."""
    text = "Nothing is showing on our system, sorry."
    quiet = dict(dismissive=1.0, aggressive=1.0, min_empathy_distressed=0.0)  # the tiny model's scores never trigger review
    with_model = Coach(model=tiny_scorer, policy=Policy(**quiet)).check(text)
    assert any(f.source == "rule" and f.category == "dismissive" and f.severity == "error" for f in with_model.findings)
    assert with_model.verdict == "send"
    assert rules_coach.check(text).verdict == "review"
    strict = Coach(model=tiny_scorer, policy=Policy(review_on_rule_categories=("dismissive", "aggressive"), **quiet)).check(text)
    assert strict.verdict == "review" and any(r.startswith("dismissive:") for r in strict.reasons)
    assert Coach(model=tiny_scorer, policy=Policy(**quiet)).check("Calm down.").verdict == "review"  # aggressive rules keep their say
