"""Checks a candidate must pass, and how survivors are ranked: small pure functions, easy to test."""
from __future__ import annotations

import difflib
import functools
import re
from typing import Callable

from ..policy import rule_reason
from ..report import Finding, Report, Scores

GATE_CATEGORIES = ("dismissive", "aggressive")
#: A candidate must beat the draft by more than this on empathy or proactivity.
MIN_GAIN = 1e-6


def gate_reasons(report: Report) -> list[str]:
    """Why `report` would not do as a rewrite: the coach's own verdict reasons (its Policy: model thresholds, rule
    errors, empathy for a distressed customer), plus any dismissive or aggressive rule finding still in the text, at any
    severity (with a model loaded, a dismissive rule alone does not make the verdict review, but a rewrite must not keep it)."""
    extra = [rule_reason(f) for f in report.findings if f.category in GATE_CATEGORIES and f.source == "rule"]
    return list(dict.fromkeys([*report.reasons, *extra]))  # a rule the verdict already named is named once


def accept(draft: Report, candidate: Report, min_gain: float = MIN_GAIN) -> tuple[bool, str]:
    """(accepted, why): the coach would send it, and it raises empathy or proactivity over the draft."""
    reasons = gate_reasons(candidate)
    if reasons:
        return False, "does not clear the gate: " + "; ".join(reasons)
    d, c = draft.scores, candidate.scores
    if d is None or c is None:
        raise ValueError("accept compares model scores: both reports need them")
    if c.empathy - d.empathy > min_gain or c.proactive - d.proactive > min_gain:
        return True, f"empathy {d.empathy:.2f}\u2192{c.empathy:.2f}, proactive {d.proactive:.2f}\u2192{c.proactive:.2f}"
    return False, f"raises neither empathy ({d.empathy:.2f}\u2192{c.empathy:.2f}) nor proactivity ({d.proactive:.2f}\u2192{c.proactive:.2f})"


def _key(f: Finding) -> tuple[str, str]:
    return f.id, re.sub(r"\s+", " ", f.text.strip().lower())


def fixes(draft: Report, candidate: Report) -> list[Finding]:
    """Findings of the draft that no longer appear in the candidate (same rule, same words)."""
    left = {_key(f) for f in candidate.findings}
    whole = {f.id for f in candidate.findings if f.source == "model"}
    out = []
    for f in draft.findings:
        if f.source == "input" or f.severity == "info":
            continue  # input notes and things done well are not problems to fix
        if f.source == "model" and f.id in whole:
            continue  # the model still flags the candidate: not fixed, whatever the span
        if _key(f) not in left:
            out.append(f)
    return out


def make_diff(draft: str, candidate: str) -> str:
    """Unified diff: line-level for multi-line drafts (e-mail), word-level for one-liners (chat, SMS)."""
    if "\n" in draft.strip() or "\n" in candidate.strip():
        a, b = draft.splitlines(), candidate.splitlines()
    else:
        a, b = draft.split(), candidate.split()
    return "\n".join(difflib.unified_diff(a, b, "draft", "rewrite", lineterm=""))


def rank_score(draft: Scores, candidate: Scores, similarity: float, weight: float = 0.5) -> float:
    """Higher is better: score gains (empathy, proactivity, less dismissive) plus closeness to the draft."""
    gain = (candidate.empathy - draft.empathy) + (candidate.proactive - draft.proactive) - (candidate.dismissive - draft.dismissive)
    return gain + weight * similarity


# ------------------------------------------------------------------ closeness

def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@functools.lru_cache(maxsize=1)
def _encoder() -> Callable[[list[str]], list[list[float]]] | None:
    """Mean-pooled sentence embeddings from the base encoder, loaded once; None if it cannot be loaded."""
    try:
        import torch
        from transformers import AutoModel, AutoTokenizer

        from ..model.base import base_encoder_dir

        from transformers.utils import logging as hf_logging

        path = base_encoder_dir()
        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
        try:
            tok = AutoTokenizer.from_pretrained(str(path))
            model = AutoModel.from_pretrained(str(path)).eval()
        finally:
            if bars:
                hf_logging.enable_progress_bar()
    except Exception:  # noqa: BLE001 - any failure means: fall back to string similarity
        return None

    def encode(texts: list[str]) -> list[list[float]]:
        with torch.no_grad():
            batch = tok(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1).tolist()

    return encode


def similarities(draft: str, candidates: list[str]) -> list[float]:
    """Cosine similarity of each candidate to the draft (base-encoder embeddings; difflib ratio if unavailable)."""
    if not candidates:
        return []
    encode = _encoder()
    if encode is not None:
        try:
            vecs = encode([draft, *candidates])
            return [float(sum(x * y for x, y in zip(vecs[0], v))) for v in vecs[1:]]
        except Exception:  # noqa: BLE001
            pass
    return [_ratio(draft, c) for c in candidates]
