"""Replies longer than the model's token window, read in full: sentence-aligned windows, outputs merged.

The encoder reads [CLS] reply [SEP] customer [SEP] in at most `max_length` tokens, so a long reply used to be
cut and what it said after the cut (a dismissive closing line, the next step) went unread by the model. A reply
that does not fit beside its customer message is now split into windows that do, at sentence starts (a sentence
longer than a window at a word start; the last window reaches back over the one before so that it is
never a lone sign-off), each window is scored with the same customer message, and the outputs
are merged:

- dismissive, proactive: the highest window (one dismissive passage makes a reply dismissive; a next step
  anywhere counts);
- empathy: the probabilities of the window with the highest empathy score;
- stance: the probabilities of the window with the highest P(aggressive) (an aggressive passage makes the
  reply aggressive; the three still sum to 1);
- distress: the first window's (the customer message is the same in each);
- dismissive spans: every window's, as offsets into the whole reply.

A reply that fits is one window and scores exactly as before. Both engines' `score` read replies this way, so
`Coach`, the audit and the benchmarks all see the same scores; `logits` (training, sentence attribution) reads one
window, as the model was trained.
"""
from __future__ import annotations

from bisect import bisect_left
from typing import Sequence

from ..text import sentence_spans
from .base import ModelOutput
from .decode import score_batched
from .tokenize import PairEncoder


def plan(encoder: PairEncoder, replies: Sequence[str], customers: Sequence[str | None]) -> list[list[tuple[int, int]]]:
    """Per reply, the [start, end) character windows the model reads it in (one window when it fits)."""
    rooms = encoder.reply_room(customers)
    return [_windows(reply, enc, room) for reply, enc, room in zip(replies, encoder.pieces(replies), rooms)]


def _windows(reply: str, enc, room: int) -> list[tuple[int, int]]:
    n = len(enc.ids)
    if n <= room:
        return [(0, len(reply))]
    starts = [a for a, _ in enc.offsets]
    sentence_first = {bisect_left(starts, a) for a, _ in sentence_spans(reply)}  # first token of each sentence
    word_first = {j for j in range(1, n) if not enc.tokens[j].startswith("##")}

    def latest(lo: int, hi: int) -> int:  # the latest sentence (else word) start in lo..hi
        span = range(hi, lo - 1, -1)
        return next((j for j in span if j in sentence_first), None) or next((j for j in span if j in word_first), hi)

    def earliest(lo: int, hi: int) -> int:  # the earliest sentence (else word) start in lo..hi
        span = range(lo, hi + 1)
        return next((j for j in span if j in sentence_first), None) or next((j for j in span if j in word_first), lo)

    tokens, i = [], 0  # token ranges [i, cut): each window as full as it can be, cut at a sentence start
    while n - i > room:
        cut = latest(i + 1, i + room)
        tokens.append((i, cut))
        i = cut
    # the last window reaches back as far as it fits (overlapping the one before), so it is never a stray
    # sign-off on its own: alone, "Kind regards, Billing Team" reads as curt
    tokens.append((earliest(max(1, n - room), i), n))
    return [(0 if s == 0 else starts[s], len(reply) if e == n else starts[e]) for s, e in tokens]


def merge(parts: Sequence[ModelOutput], offsets: Sequence[int]) -> ModelOutput:
    """One reply's output from its windows' outputs (`offsets`: where each window starts in the reply)."""
    if len(parts) == 1:
        return parts[0]
    empathy = max(parts, key=lambda o: o.empathy)
    stance = max(parts, key=lambda o: o.stance_probs["aggressive"])
    spans: list[tuple[int, int, float]] = []
    for a, b, p in sorted((a + at, b + at, p) for o, at in zip(parts, offsets) for a, b, p in o.dismissive_spans):
        if spans and a < spans[-1][1]:  # windows overlap: one span where two windows mark the same words
            spans[-1] = (spans[-1][0], max(b, spans[-1][1]), max(p, spans[-1][2]))
        else:
            spans.append((a, b, p))
    return ModelOutput(empathy_probs=empathy.empathy_probs, stance_probs=dict(stance.stance_probs),
                       dismissive=max(o.dismissive for o in parts), proactive=max(o.proactive for o in parts),
                       distress=parts[0].distress, dismissive_spans=spans)


def score_whole(engine, replies: Sequence[str], customers: Sequence[str | None], batch: int) -> list[ModelOutput]:
    """What an engine's `score` returns: each reply read in full (its windows through `score_batched`, merged)."""
    plans = plan(engine.encoder, replies, customers)
    texts = [reply[a:b] for reply, windows in zip(replies, plans) for a, b in windows]
    custs = [c for c, windows in zip(customers, plans) for _ in windows]
    outs = score_batched(engine, texts, custs, batch)
    merged, k = [], 0
    for windows in plans:
        merged.append(merge(outs[k : k + len(windows)], [a for a, _ in windows]))
        k += len(windows)
    return merged
