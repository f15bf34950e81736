"""The MINIMAL candidate: replace only the flagged spans with a proactive alternative.

What the library cannot know (a team, a deadline) stays a marked placeholder such as
``[team]`` or ``[by when]``; seams get the right capitals, spacing and punctuation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..report import Finding, Report
from ..rules.engine import ACRONYMS
from .facts import can_capitalise, extract_facts, has_facts
from .style import GREETING, Frame, cap_first, is_sentence_start, lower_first, sentence_spans, split_frame, styled

TARGET = ("dismissive", "aggressive", "passive")
_PRIORITY = {"dismissive": 0, "aggressive": 1, "passive": 2}
DEFAULTS = {
    "dismissive": "I'll look into this for you and update you by [by when].",
    "aggressive": "Here's what happened and what I'll do about it: [explanation].",
    "passive": "I'll [next step] and confirm by [by when].",
}
_CLAUSE = re.compile(r"[,;:]\s+|\s[-\u2013\u2014]\s|\s(?:but|and|so|because)\s", re.I)
_LINK = re.compile(r"[,;:]|(?:about|for|with|on|regarding|in|at|to|as|because|since|and|but|so|which|until|before|after|if"
                   r"|when|from|by|via|re|or|then)\b", re.I)
_CLAUSE_END = re.compile(r"[,;.!?](?=\s|$)|\n|\s[-\u2013\u2014]\s|$")
_VAGUE_TIME = re.compile(r"at some point|sometime|some time|eventually|in due course|when (?:they|someone) (?:can|get a chance)")
_UNSURE = re.compile(r"(?:i'?m |im |i am )?not (?:\w+ )?sure (what|how|who|if|whether|why|when|where)", re.I)


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


def targets(reply: str, findings: list[Finding]) -> list[Finding]:
    """Flagged spans to rewrite, non-overlapping, in order.

    Skipped: a model finding on a whole sentence (attribution: it says where, not what to replace) or the
    whole reply, a one-word model span, and any span that holds a fact (replacing it would lose the fact).
    """
    facts = extract_facts(reply)
    fs = [f for f in findings if f.category in TARGET and f.end > f.start
          and not any(f.start < x.end and x.start < f.end for x in facts)
          and not (f.source == "model" and (f.severity != "error" or len(f.text.split()) < 2
                                            or (f.start == 0 and f.end >= len(reply.rstrip()))))]
    fs.sort(key=lambda f: (_PRIORITY[f.category], f.start))
    kept: list[Finding] = []
    for f in fs:
        if not any(f.start < k.end and k.start < f.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


def minimal_edits(text: str, findings: list[Finding], frame: Frame | None = None) -> list[Edit]:
    """One edit per flagged span: the span (plus a few filler words of its clause) -> a proactive alternative."""
    frame = frame or split_frame(text)
    edits: list[Edit] = []
    used: set[str] = set()
    for f in targets(text, findings):
        if f.category == "aggressive" and f.suggestion is None and f.text.upper() == f.text:
            edits.append(Edit(f.start, f.end, _unshout(f.text, is_sentence_start(text[: f.start]))))
            continue
        if _VAGUE_TIME.fullmatch(f.text.lower()):
            edits.append(Edit(f.start, f.end, styled("by [by when]", frame)))
            continue
        wh = _UNSURE.fullmatch(f.text)
        if wh:
            edits.append(_find_out(text, f.start, f.end, wh.group(1), frame))
            continue
        sugg = (f.suggestion or DEFAULTS[f.category]).strip()
        if sugg in used:
            sugg = DEFAULTS[f.category]
        if sugg in used:
            continue  # each alternative once: the same sentence pasted twice reads machine-made (natural_problems checks it too)
        used.add(sugg)
        edits.append(_replace(text, f.start, f.end, styled(sugg, frame), frame.lowercase))
    merged: list[Edit] = []
    for e in edits:  # widened edits may touch: keep the earlier one
        if merged and e.start < merged[-1].end:
            continue
        merged.append(e)
    return merged


def apply(text: str, edits: list[Edit]) -> str:
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: e.start] + e.text + text[e.end:]
    return text


def minimal(reply: str, report: Report) -> str | None:
    """The draft with only its flagged spans (inside the greeting/sign-off frame) replaced; None if none."""
    frame = split_frame(reply)
    a = len(frame.lead) + len(frame.greeting) + len(frame.gap)
    inside = [f for f in report.findings if a <= f.start and f.end <= a + len(frame.body)]
    edits = minimal_edits(reply, inside, frame)
    return apply(reply, edits) if edits else None


def _unshout(span: str, sentence_start: bool) -> str:
    words = re.split(r"(\W+)", span)
    out = "".join(w if (w in ACRONYMS or w == "I") else w.lower() for w in words)
    return cap_first(out) if sentence_start else out


def _replace(text: str, a: int, b: int, sugg: str, lowercase: bool = False) -> Edit:
    while a > 0 and (text[a - 1].isalnum() or text[a - 1] == "'") and text[a].isalnum():
        a -= 1  # never cut a word in two
    while b < len(text) and (text[b].isalnum() or text[b] == "'") and (text[b - 1].isalnum() or text[b - 1] == "'"):
        b += 1
    sa, sb = _sentence(text, a, b)
    cuts = [m.end() for m in _CLAUSE.finditer(text, sa, a)]
    cs = cuts[-1] if cuts else sa
    left = text[cs:a]
    if left.strip() and len(left.split()) <= 4 and not has_facts(left) and not GREETING.match(left.strip()):
        a = cs
    rest = text[b:sb]
    core = rest.rstrip(".!?")
    sentence_like = sugg[-1:] in ".!?:"
    joined = False
    if sentence_like and len(core.split()) <= 6 and not has_facts(core) and not re.search(r"\b(?:but|because|so)\b", core):
        b = sb
        core = ""
    elif core.strip():
        lead = re.match(r"\s*", core).group(0)  # type: ignore[union-attr]
        nxt = core[len(lead):]
        if sugg.endswith(":"):  # "To put it another way: twice already, ..." reads on in lower case
            if nxt.startswith(","):
                b += len(lead) + 1
        elif _LINK.match(nxt):
            sugg = sugg.rstrip(".!")
        elif sentence_like and nxt[:1].islower():
            if not can_capitalise(nxt):
                sugg = sugg.rstrip(".!") + ","  # capitalising would change a fact ("this year")
            else:
                sugg = sugg + " " + nxt[0].upper()
                b += len(lead) + 1
                joined = True
    elif not rest.strip() and text[b:b + 1] in ".!?" and sugg[-1:] in ".!?":
        sugg = sugg[:-1]
    before = text[:a]
    prefix = ""
    g = before.strip()
    if g and GREETING.fullmatch(g) and g[-1] not in ",!.:":
        a = len(before.rstrip())
        prefix = ", "
    if not lowercase:
        sugg = cap_first(sugg) if is_sentence_start(text[:a]) or prefix else lower_first(sugg)
    if a > 0 and not prefix and not text[a - 1].isspace():
        prefix = " "
    suffix = " " if not joined and b < len(text) and (text[b].isalnum() or text[b] in "[(\"") else ""
    return Edit(a, b, prefix + sugg + suffix)


def _find_out(text: str, a: int, b: int, wh: str, frame: Frame) -> Edit:
    """"I'm not sure what's causing it, ..." -> "I'll find out what's causing it and confirm by [by when], ..."."""
    while b < len(text) and (text[b].isalnum() or text[b] == "'"):
        b += 1
    end = _CLAUSE_END.search(text, b).start()  # type: ignore[union-attr]
    head = styled("I'll find out ", frame)
    if not frame.lowercase:
        head = cap_first(head) if is_sentence_start(text[:a]) else lower_first(head)
    tail = styled(" and confirm by [by when]", frame)
    wh_start = text.lower().rfind(wh.lower(), a, b)
    return Edit(a, end, head + text[wh_start:end] + tail)


def _sentence(text: str, a: int, b: int) -> tuple[int, int]:
    spans = sentence_spans(text)
    sa = next((x for x, y in spans if x <= a < y), a)
    sb = next((y for x, y in spans if x < b <= y), b)
    return min(sa, a), max(sb, b)
