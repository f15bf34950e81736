"""Input checks and an offset-preserving normalised view of a draft.

Rules match against a normalised copy (lower case, straight quotes, single spaces,
control characters dropped); every normalised character remembers the index of the
original character it came from, so findings always point into the caller's string.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import InputError

#: Longest draft analysed in full (characters). Longer input is analysed up to here and
#: the report carries a `input.truncated` finding; nothing is silently dropped.
MAX_CHARS = 20_000

_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
           "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"'}
_DASHES = {"\u2013": "-", "\u2014": "-", "\u2212": "-"}


def ensure_text(value: object, name: str = "reply") -> str:
    """Return `value` if it is a str, else raise InputError naming the argument and the fix."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        raise InputError(f"{name} must be str, got bytes: decode it first, e.g. {name}.decode('utf-8')")
    raise InputError(f"{name} must be str, got {type(value).__name__}: pass the reply text as a string")


@dataclass(frozen=True)
class Normalised:
    """A normalised view of `original` with `index[i]` = original offset of normalised char i."""

    original: str
    text: str
    index: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) to the original string."""
        if end <= start:
            o = self.index[start] if start < len(self.index) else len(self.original)
            return o, o
        return self.index[start], self.index[end - 1] + 1


def normalise(original: str, limit: int = MAX_CHARS) -> Normalised:
    out: list[str] = []
    idx: list[int] = []
    last_space = True
    for i, ch in enumerate(original[:limit]):
        ch = _QUOTES.get(ch, _DASHES.get(ch, ch))
        cat = unicodedata.category(ch)
        if ch.isspace() or cat in ("Zs", "Zl", "Zp"):
            if not last_space:
                out.append(" ")
                idx.append(i)
            last_space = True
            continue
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue  # control/format characters (zero-width, bidi marks) carry no words
        low = ch.lower()
        if len(low) != 1:  # e.g. 'İ' lowers to two code points; keep one-to-one mapping
            low = ch
        out.append(low)
        idx.append(i)
        last_space = False
    return Normalised(original, "".join(out), tuple(idx))


_SENT = re.compile(r"(?:[^\n.!?]|[.!?]+(?![.!?\s\"')\]]|$))+(?:[.!?]+[\"')\]]*|\n|$)")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence or line (end includes its punctuation and closing quote), skipping blank space."""
    spans = []
    for m in _SENT.finditer(text):
        a, b = m.start(), m.end()
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append((a, b))
    return spans
