"""Which sentences drive a score: each sentence of the reply scored on its own, in one model run.

The encoder's token states carry context from the whole reply, so reading the pooled heads token by
token smears a warm reply's warmth over every sentence. Scoring each sentence alone says what that
sentence does by itself ("this is the apology", "this is the next step"). All of one reply's
sentences go through the model as one batch, so a reply's spans never depend on other replies
(check_many gives the same as check). `benchmarks/attribution.py` measures how faithful this is:
deleting the driver sentences must move the reply's score more than deleting the others.
"""
from __future__ import annotations

from typing import Sequence

from ..text import sentence_spans
from .base import ModelOutput, SentenceScore
from .decode import score_batched

#: at most this many sentences (the first ones) are scored on their own
MAX_SENTENCES = 24
SENTENCE_BATCH = 8


def label_scores(out: ModelOutput) -> dict[str, float]:
    """The four scores that come with spans when they reach their thresholds, by label."""
    return {"empathy": out.empathy, "aggressive": out.stance_probs["aggressive"], "dismissive": out.dismissive, "proactive": out.proactive}


def sentence_scores(scorer, reply: str, whole: ModelOutput) -> list[SentenceScore]:
    """Each sentence's own scores. A one-sentence reply is its own sentence (no extra model run)."""
    bounds = sentence_spans(reply)[:MAX_SENTENCES]
    if len(bounds) <= 1:
        return [SentenceScore(a, b, label_scores(whole)) for a, b in bounds]
    texts = [reply[a:b] for a, b in bounds]
    none = [None] * len(texts)
    # the engines: length-sorted batches of the reply's own sentences (the same whatever else is scored);
    # any other Scorer: its own score()
    outs = score_batched(scorer, texts, none, SENTENCE_BATCH) if hasattr(scorer, "logits") else scorer.score(texts, none)
    return [SentenceScore(a, b, label_scores(o)) for (a, b), o in zip(bounds, outs)]


def drivers(sentences: Sequence[SentenceScore], label: str, threshold: float, limit: int = 3) -> list[SentenceScore]:
    """The sentences behind a score at or above `threshold`: those that clear it on their own (highest first,
    at most `limit`), or else the single highest-scoring one, so such a score always comes with a span."""
    if not sentences:
        return []
    ranked = sorted(sentences, key=lambda s: -s.scores[label])
    above = [s for s in ranked if s.scores[label] >= threshold][:limit]
    return sorted(above or ranked[:1], key=lambda s: s.start)
