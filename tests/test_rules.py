"""Rule engine behaviour: robustness, hard negatives, offsets, allow-lists, user rule files."""
from __future__ import annotations

import pytest

from replycoach import Coach, RuleFileError

DISMISSIVE = [
    "I am sorry but I cannot help you with your query from here.",
    "I'm afraid I really cannot help you with that from here.",
    "im sorry we cant help u with this",
    "nothing appears in the application gentleman",
    "Nothing is appearing in our system.",
    "That's not our department.",
    "There's nothing I can do.",
    "You'll need to contact them yourself.",
    "It's company policy.",
    "As I already said, the refund takes 10 days.",
    "It's only a small delay.",
    "Please read the FAQ.",
    "I am closing this ticket now.",
    "Unfortunately we are unable to assist you with this matter.",
]
HARD_NEGATIVES = [
    "I can't wait to help you with this!",
    "Nothing to worry about \u2014 I've already refunded it.",
    "Unfortunately that fare can't be changed, but here's what I can do: I'll rebook you on the 9:40 at no cost.",
    "You wrote \u201cnothing appears in the application\u201d \u2014 I've re-synced your account and it shows now.",
    "No problem at all! Your replacement ships today.",
    "Thanks for your patience, Maria. I've refunded order #A-88213 ($49.99); you'll see it by Friday.",
    "It's our policy not to take card numbers by chat because it keeps your account safe, so I'll send a secure link instead.",
]


@pytest.mark.parametrize("text", DISMISSIVE)
def test_dismissive_phrasings_are_flagged(rules_coach, text):
    r = rules_coach.check(text)
    assert any(f.category == "dismissive" for f in r.findings), text
    assert r.verdict == "review" or any(f.severity == "warning" for f in r.findings)


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives_stay_clean(rules_coach, text):
    r = rules_coach.check(text)
    bad = [f for f in r.findings if f.category in ("dismissive", "aggressive")]
    assert not bad, [(f.id, f.text) for f in bad]
    assert r.verdict == "send"


def test_offsets_point_into_the_original_string(rules_coach):
    text = "\ud83d\ude4f Hi\r\n\u200fMr\u00a0Lee,\r\n\r\nAs  I\tALREADY said, it\u2019s company   policy."
    r = rules_coach.check(text)
    assert r.findings
    for f in r.findings:
        assert text[f.start : f.end] == f.text
    texts = {f.text for f in r.findings}
    assert "As  I\tALREADY said" in texts
    assert "it\u2019s company   policy" in texts


def test_allow_list_phrase_and_rule_id(tmp_path):
    assert any(f.id == "dismissive.policy-no-reason" for f in Coach(model=None).check("It's company policy.").findings)
    allow = tmp_path / "team-billing.yaml"
    allow.write_text("team: billing\nrules: [dismissive.policy-no-reason]\nphrases: ['read the faq']\n")
    c = Coach(model=None, allow=[allow])
    assert not c.check("It's company policy.").findings
    assert not c.check("Please read the FAQ.").findings
    assert c.check("That's not our department.").findings


def test_user_rule_file(tmp_path):
    pack = tmp_path / "acme.yaml"
    pack.write_text(
        "family: acme\ncategory: dismissive\nlevel: error\nrules:\n"
        "  - id: ticket-portal\n    message: Don't send people to the portal alone.\n"
        "    patterns: ['(?:use|try) the (?:ticket )?portal']\n"
        "    examples: {fail: ['Just use the portal.'], pass: ['I logged it in the portal for you.']}\n")
    c = Coach(model=None, rules=[pack])
    r = c.check("Just use the portal.")
    assert [f.id for f in r.findings] == ["dismissive.ticket-portal"] and r.verdict == "review"


@pytest.mark.parametrize("body,field", [
    ("family: x\ncategory: dismissive\nrules:\n  - id: a\n    patterns: ['x']\n", "rules[0]"),
    ("family: x\ncategory: dismissive\nrules:\n  - id: a\n    message: m\n    patterns: ['(unclosed']\n", "not a valid regular expression"),
    ("family: x\nrules: []\n", "category"),
    ("family: x\ncategory: c\nrules:\n  - id: a\n    message: m\n    patterns: ['{nosuch}']\n", "unknown macro"),
    ("family: [unclosed\n", "not valid YAML"),
])
def test_broken_rule_file_names_file_and_field(tmp_path, body, field):
    bad = tmp_path / "broken.yaml"
    bad.write_text(body)
    with pytest.raises(RuleFileError) as err:
        Coach(model=None, rules=[bad])
    assert "broken.yaml" in str(err.value) and field in str(err.value)


def test_jargon_points_at_the_words(rules_coach):
    r = rules_coach.check("Kindly revert with the aforementioned details.")
    words = {f.text.lower() for f in r.findings if f.category == "clarity"}
    assert {"kindly", "revert", "aforementioned"} <= words
    assert all(f.suggestion for f in r.findings if f.category == "clarity")
