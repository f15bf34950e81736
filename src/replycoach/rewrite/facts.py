"""Facts a rewrite must never change: numbers, ids, amounts, dates, times, URLs, e-mails, names.

Extraction is deliberately regex-only (no model): it is cheap, predictable and easy to test.
`missing_facts` and `invented_facts` are the checks every candidate goes through before it
is returned; a candidate that drops or invents one is discarded.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: Marked gaps a rewrite leaves for what the library cannot know: "[team]", "[by when]".
PLACEHOLDER = re.compile(r"\[[a-z][a-z' ]{0,40}\]")

_MONTH = (r"(?:(?i:january|february|march|april|june|july|august|september|october|november|december)"
          r"|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)")
_DAY = (r"\b(?:(?i:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
        r"|Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\b")
_TIME = r"(?:\b\d{1,2}(?::\d{2})?\s?(?i:[ap]\.m\.|[ap]m)(?![a-z])|\b\d{1,2}:\d{2}\b(?:\s?(?i:[ap]\.m\.|[ap]m)(?![a-z]))?|\b(?i:noon|midday|midnight)\b)"
_DATE = (rf"(?:\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}\b"
         rf"|\b\d{{1,2}}(?:st|nd|rd|th)?(?: of)? {_MONTH}(?:,? \d{{4}})?"
         rf"|\b{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?\b(?:,? \d{{4}})?|\b{_MONTH} \d{{4}}\b"
         rf"|(?:(?i:this|next|last) )?{_DAY}(?: \d{{1,2}}(?:st|nd|rd|th)?\b(?: {_MONTH})?)?"
         r"|\b(?i:today|tomorrow|tonight|yesterday)\b(?: (?i:morning|afternoon|evening|night)\b)?"
         r"|\b(?i:(?:next|this|last) (?:week|weekend|month|year|morning|afternoon|evening))\b"
         r"|\b(?i:end of (?:the )?(?:day|week|month|year))\b)")
_NUMBER_WORDS = ("two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty"
                 "|hundred|thousand|million|twice")

# (kind, pattern) in priority order: an earlier kind wins an overlap, then the longer match.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("url", re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|co\.uk|org|net|io|gov|uk|edu|info|me|app)(?:/[^\s<>\"')\]]*)?", re.I)),
    ("handle", re.compile(r"(?<![\w@])@\w{2,}")),
    ("amount", re.compile(r"(?:[£$€¥₹]|(?:USD|GBP|EUR|AUD|CAD) ?)\d[\d,]*(?:\.\d+)?(?:k|m|bn)?\b|\b\d[\d,]*(?:\.\d+)? ?(?:USD|GBP|EUR|dollars|pounds|euros|pence|cents|p)\b")),
    ("datetime", re.compile(rf"(?:{_DATE})(?:,? (?:at |from |before |after |by )?{_TIME})")),
    ("date", re.compile(_DATE)),
    ("time", re.compile(_TIME)),
    ("id", re.compile(r"#[A-Za-z0-9][\w-]*|\b[A-Z]{1,6}-\d[\w-]*\b|\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9][A-Z0-9-]{3,}\b")),
    ("phone", re.compile(r"(?<![\w.])\+?\d[\d ()-]{6,}\d(?![\w.])")),
    ("number", re.compile(rf"(?<![\w.])\d+(?:[.,]\d+)*(?:%|st|nd|rd|th)?(?![\w])|\b(?:{_NUMBER_WORDS})\b", re.I)),
]
_CAPWORD = re.compile(r"\b(?:[A-Z][\w'&-]*[a-z][\w'&-]*|[a-z]+[A-Z][\w-]*|[A-Z]{2,6})\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"(]|[^\x00-\u024f\s])\s*(?:@\w+\s+)*$")  # emoji end a sentence too
_NOT_NAMES = {
    "I", "I'm", "I'll", "I've", "I'd", "OK", "Ok", "The", "A", "An", "And", "But", "So", "Or", "If", "Thanks", "Thank",
    "Please", "Sorry", "Hi", "Hello", "Hey", "Dear", "Regards", "Kind", "Best", "Warm", "Many", "Yours", "Sincerely",
    "Unfortunately", "However", "Also", "Just", "Yes", "No", "We", "We'll", "We've", "We're", "You", "Your", "You're",
    "You'll", "It", "It's", "That", "That's", "This", "There", "There's", "Here", "Here's", "Our", "My", "Sir", "Madam",
    "Ma'am", "Customer", "Cheers", "Agent", "Team", "Not", "Oh", "Ah", "Hmm", "Um", "Okay", "Well", "Maybe", "Re",
}
_WRAP = ".,;:!?)]}'\""


@dataclass(frozen=True)
class Fact:
    kind: str
    text: str
    start: int
    end: int


def extract_facts(text: str | None) -> list[Fact]:
    """Every fact in `text`, in order, without overlaps (e-mails and URLs beat the numbers inside them)."""
    if not text:
        return []
    found: list[Fact] = []
    taken: list[tuple[int, int]] = []
    for kind, pat in _PATTERNS:
        for m in pat.finditer(text):
            a, b = m.start(), m.end()
            if kind == "url":
                while b > a and text[b - 1] in _WRAP:
                    b -= 1
            value = text[a:b].strip()
            if not value or any(a < y and x < b for x, y in taken):
                continue
            if PLACEHOLDER.fullmatch(value):
                continue
            found.append(Fact(kind, value, a, b))
            taken.append((a, b))
    for m in _CAPWORD.finditer(text):
        a, b = m.start(), m.end()
        word = m.group(0)
        if word in _NOT_NAMES or any(a < y and x < b for x, y in taken):
            continue
        if word.isupper() and (_caps_neighbour(text, a, b) or len(word) < 2):
            continue  # a run of capitals is shouting, not a name
        if _SENTENCE_START.search(text[max(0, a - 40):a]) and not _camel(word):
            continue  # capitalised only because it starts a sentence
        found.append(Fact("name", word, a, b))
    return sorted(found, key=lambda f: f.start)


def _camel(word: str) -> bool:
    return any(c.isupper() for c in word[1:]) and not word.isupper()


def _caps_neighbour(text: str, a: int, b: int) -> bool:
    before = re.search(r"([A-Z]{2,})[\s,!]+$", text[max(0, a - 30):a])
    after = re.match(r"[\s,!]+([A-Z]{2,})\b", text[b:b + 30])
    return bool(before or after)


def _present(value: str, text: str) -> bool:
    """`value` occurs in `text` verbatim, not as part of a longer word or number."""
    left = r"(?<![\w])" if value[:1].isalnum() else ""
    right = r"(?![\w])" if value[-1:].isalnum() else ""
    return re.search(left + re.escape(value) + right, text) is not None


#: Kinds whose first letter may change case at a sentence start ("three weeks" -> "Three weeks").
CASE_FREE_START = ("number", "date", "datetime", "time")


def _kept(f: Fact, text: str) -> bool:
    if _present(f.text, text):
        return True
    return f.kind in CASE_FREE_START and f.text[:1].isalpha() and _present(f.text[:1].swapcase() + f.text[1:], text)


def missing_facts(facts: list[Fact], candidate: str) -> list[Fact]:
    """Facts of the draft that do not appear verbatim in `candidate` (one per distinct text)."""
    seen: set[str] = set()
    out = []
    for f in facts:
        if f.text not in seen and not _kept(f, candidate):
            out.append(f)
        seen.add(f.text)
    return out


def can_capitalise(text: str) -> bool:
    """Whether upper-casing the first letter of `text` leaves its facts intact."""
    return not any(f.start == 0 and f.kind not in CASE_FREE_START for f in extract_facts(text))


def invented_facts(candidate: str, *sources: str | None) -> list[Fact]:
    """Facts in `candidate` that occur in none of `sources` (the draft, the customer message)."""
    pool = "\n".join(s for s in sources if s)
    bare = PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), candidate)  # "[one or two sentences]" is no fact
    low = pool.lower()
    return [f for f in extract_facts(bare)
            if not _kept(f, pool) and not (f.kind == "name" and _present(f.text.lower(), low))]


def has_facts(text: str) -> bool:
    return bool(extract_facts(text))


def placeholders(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)
