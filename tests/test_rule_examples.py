"""Every rule ships pass/fail examples, and each one behaves as its file says (proselint-style)."""
from __future__ import annotations

import pytest

from replycoach.rules import load_rules
from replycoach.text import normalise

RULES = load_rules()
CASES = [(r.id, "fail", ex) for r in RULES.rules for ex in r.spec.examples.fail] + [
    (r.id, "pass", ex) for r in RULES.rules for ex in r.spec.examples.pass_
]


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_every_rule_has_pass_and_fail_examples(rule):
    assert rule.spec.examples.fail, f"{rule.source}: rule {rule.id} has no 'fail' examples"
    assert rule.spec.examples.pass_, f"{rule.source}: rule {rule.id} has no 'pass' examples"


@pytest.mark.parametrize("rule_id,kind,text", CASES, ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_rule_example(rule_id, kind, text):
    rule = next(r for r in RULES.rules if r.id == rule_id)
    hits = list(rule.check(normalise(text)))
    if kind == "fail":
        assert hits, f"{rule_id} should flag: {text!r}"
    else:
        assert not hits, f"{rule_id} should not flag: {text!r} (matched {[normalise(text).text[a:b] for a, b, _ in hits]})"
