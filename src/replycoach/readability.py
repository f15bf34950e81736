"""Readability with textstat, kept sane for two-word chats and long e-mails."""
from __future__ import annotations

import re

import sys
import types

from .report import Readability


def _offline_textstat():
    """Import textstat without its CMU-dictionary module.

    textstat >= 0.7.5 imports NLTK (seconds of start-up) and downloads NLTK's CMU dictionary from the
    internet on first use. replycoach is offline by default, so that one module is replaced before
    textstat loads: syllables then come from pyphen (shipped with textstat), textstat's own fallback.
    """
    name = "textstat.backend.utils._get_cmudict"
    if name not in sys.modules:
        stub = types.ModuleType(name)
        stub.get_cmudict = lambda lang: None  # type: ignore[attr-defined]
        sys.modules[name] = stub
    import textstat

    return textstat


textstat = _offline_textstat()

_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:'[a-z]+)?")
_SENT = re.compile(r"[.!?]+(?:\s|$)|\n{2,}")
#: textstat is quadratic-ish on huge inputs; beyond this many characters we measure a prefix.
MEASURE_CHARS = 5_000


def _plain(ease: float) -> str:
    for bound, label in ((90, "very easy"), (80, "easy"), (70, "fairly easy"), (60, "standard"), (50, "fairly hard"), (30, "hard")):
        if ease >= bound:
            return label
    return "very hard"


def measure(text: str) -> Readability:
    sample = text[:MEASURE_CHARS]
    words = len(_WORD.findall(text))
    sentences = max(1, len([s for s in _SENT.split(text.strip()) if _WORD.search(s)])) if words else 0
    if words < 8:  # formulas are meaningless on "ok thx" or "Refund sent."
        return Readability(words=words, sentences=sentences, flesch_reading_ease=None, grade=None, plain_words="too short to measure")
    ease = float(textstat.flesch_reading_ease(sample))
    grade = float(textstat.text_standard(sample, float_output=True))
    ease = max(-50.0, min(121.22, ease))
    grade = max(0.0, min(30.0, grade))
    return Readability(words=words, sentences=sentences, flesch_reading_ease=round(ease, 1), grade=round(grade, 1), plain_words=_plain(ease))
