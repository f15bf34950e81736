"""Pair encoding shared by training and every engine: [CLS] reply [SEP] customer [SEP].

Uses the `tokenizers` library directly (fast, no torch). The bundled tokenizer.json pads to
128 by default, so padding and truncation are switched off here and done per batch.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
from tokenizers import Tokenizer


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(text: str) -> str:
    """Lone surrogates cannot be tokenised; swap them one-for-one so offsets still line up."""
    return _SURROGATE.sub("\ufffd", text)


@dataclass
class Batch:
    input_ids: np.ndarray  # int64 [B, T]
    attention_mask: np.ndarray
    token_type_ids: np.ndarray
    #: per row: character (start, end) in the reply for each reply token, in token order from position 1
    offsets: list[list[tuple[int, int]]]


class PairEncoder:
    def __init__(self, tokenizer_file: Path, max_length: int = 256, max_customer_tokens: int = 96):
        self.tok = Tokenizer.from_file(str(tokenizer_file))
        self.tok.no_padding()
        self.tok.no_truncation()
        self.cls = self.tok.token_to_id("[CLS]")
        self.sep = self.tok.token_to_id("[SEP]")
        self.pad = self.tok.token_to_id("[PAD]") or 0
        self.max_length = max_length
        self.max_customer = max_customer_tokens

    def encode(self, replies: Sequence[str], customers: Sequence[str | None]) -> Batch:
        r_enc, c_enc = self.pieces(replies), self.pieces(customers)
        rows, types, offsets = [], [], []
        for r, c in zip(r_enc, c_enc):
            c_ids = c.ids[: self.max_customer]
            r_ids = r.ids[: self._room(len(c_ids))]
            ids = [self.cls, *r_ids, self.sep]
            tt = [0] * len(ids)
            if c_ids:
                ids += [*c_ids, self.sep]
                tt += [1] * (len(c_ids) + 1)
            rows.append(ids)
            types.append(tt)
            offsets.append([tuple(o) for o in r.offsets[: len(r_ids)]])
        width = max(len(x) for x in rows)
        ids = np.full((len(rows), width), self.pad, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        tt = np.zeros((len(rows), width), dtype=np.int64)
        for i, (row, ty) in enumerate(zip(rows, types)):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
            tt[i, : len(ty)] = ty
        return Batch(ids, mask, tt, offsets)

    def _room(self, customer_tokens: int) -> int:
        """Reply tokens that fit beside a customer message of this many tokens (`encode` cuts the rest)."""
        return max(1, self.max_length - 3 - customer_tokens) if customer_tokens else self.max_length - 2

    def reply_room(self, customers: Sequence[str | None]) -> list[int]:
        """For each customer message (or None): how many reply tokens the model reads beside it."""
        return [self._room(min(len(c.ids), self.max_customer)) for c in self.pieces(customers)]

    def lengths(self, replies: Sequence[str]) -> list[int]:
        return [len(e.ids) for e in self.pieces(replies)]

    def pieces(self, texts: Sequence[str | None]):
        """Each text's word pieces with character offsets, no [CLS]/[SEP] (None reads as ""): the one tokenising step."""
        return self.tok.encode_batch([_clean(t or "") for t in texts], add_special_tokens=False)
