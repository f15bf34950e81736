"""The draft's register and frame (greeting, sign-off), sentence spans, and naturalness checks."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..text import sentence_spans  # the one sentence splitter (also used by model.attribution)

GREETING = re.compile(
    r"(?:hi|hello|hey|hiya|dear|greetings|good (?:morning|afternoon|evening))"
    r"(?:[ ,]+(?:there|sir|madam|ma'am|customer|team|all|everyone|folks|friend|and|&|(?:mr|mrs|ms|dr|miss)\.?"
    r"|(?-i:(?!(?:Sorry|Thanks|Thank|Please|We|I|It|This|That|Our|Your|You|Unfortunately|The)\b)[A-Z][\w'-]*))){0,4}"
    r"(?:\s*[,!.:]+|(?=\n)|$|(?=[ \t]+(?-i:[a-z])))", re.I)
_LEAD = re.compile(r"^(?:(?:@\w+\s+)+|[A-Z][A-Za-z ]{1,24}:[ \t]+)")
_SIGNOFF_WORDS = re.compile(r"^(?:kind|best|warm|warmest|many|with)?\s*(?:regards|wishes|thanks|thank you|cheers|sincerely|yours"
                            r"|speak soon|take care|all the best)\b", re.I)
_SIGNATURE = re.compile(r"\s+(?:\^\w{1,4}|[-\u2013\u2014~]\s?[A-Z][\w]{0,12}|\*[A-Z]\w{0,12})\s*$")
_SHORTHAND = re.compile(r"(?<![\w'])(?:u|ur|pls|plz|thx|thnx|msg|txt|r|b4|2day|tmrw|tmr|cld|wud|abt|ok|k|ty|np|asap)(?![\w'])", re.I)
APOLOGY = re.compile(r"\b(?:sorry|apologi[sz]e[sd]?|apologies|forgive)\b", re.I)


@dataclass(frozen=True)
class Frame:
    """A draft cut into lead ("@user ", "Agent: "), greeting, body and sign-off; `text == lead+greeting+gap+body+tail+signoff`."""

    register: str  # email | chat | sms
    lead: str
    greeting: str
    gap: str  # whitespace between greeting and body
    body: str
    tail: str  # whitespace between body and sign-off
    signoff: str
    lowercase: bool
    shorthand: bool

    def join(self, body: str) -> str:
        gap = self.gap
        if self.greeting and not gap:
            gap = " "
        greeting = self.greeting
        if greeting and not re.search(r"[,!.:]\s*$", greeting) and "\n" not in gap:
            greeting += ","
        tail = self.tail or (" " if self.signoff else "")
        return f"{self.lead}{greeting}{gap}{body}{tail if self.signoff else ''}{self.signoff}"


def split_frame(text: str) -> Frame:
    lead_m = _LEAD.match(text)
    lead = lead_m.group(0) if lead_m else ""
    rest = text[len(lead):]
    greeting, gap = "", ""
    g = GREETING.match(rest)
    if g and g.end() > 0 and (g.end() == len(rest) or rest[g.end()].isspace() or rest[g.end() - 1] in ",!.:"):
        greeting = rest[: g.end()]
        gap = re.match(r"\s*", rest[g.end():]).group(0)  # type: ignore[union-attr]
        rest = rest[g.end() + len(gap):]
    signoff, tail = _signoff(rest)
    body = rest[: len(rest) - len(signoff) - len(tail)] if signoff else rest
    email = "\n" in text and (("\n" in gap) or ("\n" in tail) or "\n\n" in body)
    letters = re.sub(r"@\w+|https?://\S+", "", greeting + " " + body)
    lowercase = bool(re.search(r"[a-z]", letters)) and not re.search(r"(?<![\w'])(?:[A-Z][a-z]|I\b)", letters)
    shorthand = len(_SHORTHAND.findall(body)) > 0
    register = "email" if email else ("sms" if shorthand or (lowercase and len(text) <= 160) else "chat")
    return Frame(register, lead, greeting, gap, body, tail, signoff, lowercase, shorthand)


def _signoff(rest: str) -> tuple[str, str]:
    """Trailing sign-off lines ("Kind regards\\nSam") or a chat signature ("^KT", "-AI")."""
    lines = rest.rstrip().split("\n")
    if len(lines) > 1:
        block: list[str] = []
        for line in reversed(lines[1:]):
            s = line.strip()
            if not s:
                if block:
                    break
                continue
            if len(s) > 40 or s.endswith((".", "?")) or len(block) >= 4:
                break
            block.insert(0, line)
        start = next((i for i, line in enumerate(block) if _SIGNOFF_WORDS.match(line.strip())), None)
        if start is None and block and all(len(b.split()) <= 4 for b in block):
            idx = len(lines) - len(block)
            start = 0 if idx > 0 and not lines[idx - 1].strip() else None
        if start is not None:
            sign = "\n".join(block[start:])
            cut = rest.rstrip().rfind(sign)
            before = rest[:cut]
            tail = before[len(before.rstrip()):]
            return rest[cut:], tail
    m = _SIGNATURE.search(rest)
    if m:
        tail = re.match(r"\s*", m.group(0)).group(0)  # type: ignore[union-attr]
        return rest[m.start() + len(tail):], tail
    return "", ""


def is_sentence_start(before: str) -> bool:
    """True when text following `before` starts a sentence."""
    b = before.rstrip(" \t")
    greeting = bool(GREETING.fullmatch(b.strip())) and not b.endswith(",")  # "Hi Sam, as I said" stays lower case
    return not b or b[-1] in ".!?:\n" or greeting or bool(_LEAD.fullmatch(before))


def cap_first(s: str) -> str:
    return s[:1].upper() + s[1:] if s[:1].islower() else s


def lower_first(s: str) -> str:
    if not s or s.startswith("[") or re.match(r"I(?:\b|')", s) or (len(s) > 1 and s[1].isupper()):
        return s
    return s[:1].lower() + s[1:]


def styled(template: str, frame: Frame) -> str:
    """A template sentence in the draft's register: lower case and shorthand for lowercase SMS/chat."""
    if frame.shorthand:
        template = re.sub(r"\byou\b", "u", re.sub(r"\byour\b", "ur", template))
    if frame.lowercase:
        template = re.sub(r"(?<!\[)\b([A-Z])(?=[a-z' ])", lambda m: m.group(1).lower(), template)
    return template


def greetings_at_start(text: str) -> int:
    """Greeting phrases among the first three sentences (after any lead)."""
    lead = _LEAD.match(text)
    body = text[lead.end():] if lead else text
    n = 0
    while (m := GREETING.match(body)) and m.end() > 0:  # greetings back to back: "Hi Sam, hello there."
        n += 1
        body = body[m.end():].lstrip()
    return n + sum(1 for a, b in sentence_spans(body)[:3] if GREETING.match(body[a:b]))


def stacked_apologies(text: str) -> int:
    """Pairs of apologies in one sentence or in neighbouring sentences."""
    marks = [len(APOLOGY.findall(text[a:b])) for a, b in sentence_spans(text)]
    return sum(max(0, n - 1) for n in marks) + sum(1 for x, y in zip(marks, marks[1:]) if x and y)


def repeats(text: str, n: int = 6) -> int:
    """Word n-grams that occur more than once (a template sentence pasted twice, a clause echoed)."""
    words = re.findall(r"[\w\[\]']+", text.lower())
    grams = Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    return sum(k - 1 for k in grams.values() if k > 1)


_SEAMS = re.compile(r"[ \t]{2,}|\s+[,.;:!?](?!\w)|[,;:]\s*[.,;:]|\.\s*\.(?!\.)|\b(\w+) \1\b", re.I)


def natural_problems(candidate: str, draft: str) -> list[str]:
    """What reads as machine-made, counted against the draft so its own quirks are not held against a rewrite."""
    out = []
    if greetings_at_start(candidate) > max(1, greetings_at_start(draft)):
        out.append("double greeting")
    if stacked_apologies(candidate) > stacked_apologies(draft):
        out.append("stacked apologies")
    if repeats(candidate) > repeats(draft):
        out.append("repeats itself")
    if len(_SEAMS.findall(candidate)) > len(_SEAMS.findall(draft)):
        out.append("broken punctuation or spacing at a seam")
    low = sum(1 for a, _ in sentence_spans(candidate) if candidate[a].islower())
    if low > sum(1 for a, _ in sentence_spans(draft) if draft[a].islower()) and not split_frame(draft).lowercase:
        out.append("a sentence starts in lower case")
    return out
