"""Proactive rewrites of a draft that needs review: generate, verify (facts, naturalness, gate), rank.

    from replycoach import Coach
    for r in Coach().rewrite("I cannot help you from here.", customer="My refund never arrived!"):
        print(r.kind, r.text)

Every candidate, built-in or from a `generator`, goes through the same checks before it is
returned: it keeps every fact of the draft verbatim and invents none, reads naturally (no double
greeting, no stacked apologies, clean seams), clears the gate when re-scored by the coach and
raises empathy or proactivity over the draft.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional, Sequence

from ..errors import InputError, ModelError
from ..report import Report, Rewrite
from ..text import MAX_CHARS, ensure_text
from .candidates import minimal
from .facts import Fact, extract_facts, invented_facts, missing_facts
from .restructure import restructure
from .style import natural_problems
from .verify import accept, fixes, make_diff, rank_score, similarities

if TYPE_CHECKING:  # pragma: no cover
    from ..coach import Coach

Generator = Callable[[str, Optional[str], Report], Sequence[str]]
MAX_CANDIDATES = 3

__all__ = ["rewrite", "trace", "Candidate", "Generator", "builtin_candidates", "extract_facts", "missing_facts", "accept"]


@dataclass
class Candidate:
    """One candidate and what the checks said about it (`trace` returns these, accepted or not)."""

    text: str
    kind: str
    missing: list[Fact] = field(default_factory=list)
    invented: list[Fact] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    report: Report | None = None
    accepted: bool = False
    reason: str = ""
    similarity: float = 0.0
    rank: float = 0.0
    rewrite: Rewrite | None = None


def builtin_candidates(reply: str, customer: str | None, report: Report) -> list[tuple[str, str]]:
    """(kind, text): the minimal edit, the full restructure and a concise restructure."""
    out = [("minimal", minimal(reply, report)), ("restructure", restructure(reply, customer, report)),
           ("restructure", restructure(reply, customer, report, concise=True))]
    return [(k, t) for k, t in out if t]


def rewrite(coach: "Coach", reply: str, customer: str | None = None, generator: Generator | None = None) -> list[Rewrite]:
    """Up to three verified rewrites, best first; [] when the draft needs none or nothing passes."""
    _, cands = trace(coach, reply, customer, generator)
    return [c.rewrite for c in cands if c.accepted and c.rewrite is not None][:MAX_CANDIDATES]


def trace(coach: "Coach", reply: str, customer: str | None = None,
          generator: Generator | None = None) -> tuple[Report, list[Candidate]]:
    """The draft's report and every candidate with its check results; accepted ones first, ranked."""
    reply = ensure_text(reply, "reply")
    customer = None if customer is None else ensure_text(customer, "customer")
    if not reply.strip():
        raise InputError("the draft is empty: write a reply before asking for a rewrite")
    if len(reply) > MAX_CHARS:
        raise InputError(f"the draft has {len(reply):,} characters; rewrite works on drafts up to {MAX_CHARS:,}: shorten it")
    if coach.scorer is None:
        raise ModelError("rewrite re-scores every candidate, so it needs a model: use Coach() or Coach(model=PATH), not model=None")
    draft = coach.check(reply, customer)
    if draft.verdict == "send":
        return draft, []
    cands = [Candidate(t, k) for k, t in _generate(reply, customer, draft, generator)]
    facts = extract_facts(reply)
    for c in cands:
        c.missing = missing_facts(facts, c.text)
        c.invented = invented_facts(c.text, reply, customer)
        c.problems = natural_problems(c.text, reply)
        if c.missing:
            c.reason = "drops " + ", ".join(f"{f.kind} {f.text!r}" for f in c.missing)
        elif c.invented:
            c.reason = "invents " + ", ".join(f"{f.kind} {f.text!r}" for f in c.invented)
        elif c.problems:
            c.reason = "; ".join(c.problems)
    live = [c for c in cands if not c.reason]
    if live:
        # no sentence spans for candidates: acceptance needs the verdict and scores, not where a score comes from
        for c, rep in zip(live, coach.check_many([c.text for c in live], [customer] * len(live), explain=False)):
            c.report = rep
            c.accepted, c.reason = accept(draft, rep)
    good = [c for c in live if c.accepted]
    for c, sim in zip(good, similarities(reply, [c.text for c in good])):
        c.similarity = sim
        c.rank = rank_score(draft.scores, c.report.scores, sim)  # type: ignore[arg-type,union-attr]
        c.rewrite = Rewrite(text=c.text, scores=c.report.scores, fixes=fixes(draft, c.report),  # type: ignore[union-attr,arg-type]
                            diff=make_diff(reply, c.text), kind=c.kind)
    cands.sort(key=lambda c: (not c.accepted, -c.rank))
    return draft, cands


def _generate(reply: str, customer: str | None, draft: Report, generator: Generator | None) -> list[tuple[str, str]]:
    if generator is None:
        raw = builtin_candidates(reply, customer, draft)
    else:
        out = generator(reply, customer, draft)
        if isinstance(out, str) or not isinstance(out, (list, tuple)) or not all(isinstance(t, str) for t in out):
            raise InputError("generator must return a list of candidate strings, e.g. lambda reply, customer, report: [reply.replace(...)]")
        raw = [("custom", t) for t in out]
    seen = {reply.strip()}
    unique = []
    for kind, text in raw:
        if text.strip() and text.strip() not in seen:
            seen.add(text.strip())
            unique.append((kind, text))
    return unique
