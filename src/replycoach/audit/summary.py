"""One streaming pass over the output parts -> a JSON-able summary (bounded memory).

Counts and sums only: score histograms, verdict/stance/error counts, review rate per agent, team, day
and ISO week, dismissive phrases (a counter pruned to the most frequent when it grows past a cap, with a
few examples each) and a top-N heap of the most dismissive replies. Per-agent/team/day tables grow with
the number of distinct values, not with rows.
"""
from __future__ import annotations

import heapq
import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..text import normalise
from .process import SCORES

BINS = 20
PHRASE_CAP = 20_000  # distinct phrases kept while counting; pruned to the top half past this
MAX_PHRASE_CHARS = 120
EXAMPLES = 3
_READ = ["row", "agent", "team", "date", "clean_text", *SCORES, "stance", "verdict", "findings", "status", "error_kind", "error"]


def iter_output(out: Path, columns: list[str] | None = None, batch_size: int = 4096) -> Iterator[dict[str, Any]]:
    """Rows of an audit output directory, part by part, in row order."""
    import pyarrow.parquet as pq

    from .run import list_parts

    for p in list_parts(Path(out)):
        for batch in pq.ParquetFile(p).iter_batches(columns=columns, batch_size=batch_size):
            yield from batch.to_pylist()


def _phrase(text: str) -> str:
    """Count key: the shared normaliser (curly quotes, dashes, spacing), trimmed and lower-cased."""
    return normalise(text).text.strip(" .,;:!?\"'").lower()


class _Group:
    __slots__ = ("rows", "ok", "review", "scored", "dismissive", "empathy")

    def __init__(self) -> None:
        self.rows = self.ok = self.review = self.scored = 0
        self.dismissive = self.empathy = 0.0

    def add(self, r: dict[str, Any]) -> None:
        self.rows += 1
        if r["status"] != "ok":
            return
        self.ok += 1
        self.review += r["verdict"] == "review"
        if r["dismissive"] is not None:
            self.scored += 1
            self.dismissive += r["dismissive"]
            self.empathy += r["empathy"] or 0.0

    def as_dict(self, key: str) -> dict[str, Any]:
        return {"key": key, "rows": self.rows, "ok": self.ok, "review": self.review,
                "review_rate": round(self.review / self.ok, 4) if self.ok else None,
                "mean_dismissive": round(self.dismissive / self.scored, 4) if self.scored else None,
                "mean_empathy": round(self.empathy / self.scored, 4) if self.scored else None}


def _snippet(text: str, start: int, end: int, pad: int = 70) -> str:
    a, b = max(0, start - pad), min(len(text), end + pad)
    return ("..." if a else "") + text[a:b].replace("\n", " ") + ("..." if b < len(text) else "")


def summarise(rows: Iterable[dict[str, Any]], top: int = 20) -> dict[str, Any]:
    """Aggregate result rows (from `iter_output` or `Coach.audit`) into the report summary."""
    total = ok = 0
    verdicts: Counter[str] = Counter()
    stances: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    error_examples: dict[str, list[dict[str, Any]]] = {}
    hist = {s: [0] * BINS for s in SCORES}
    sums = dict.fromkeys(SCORES, 0.0)
    counts = dict.fromkeys(SCORES, 0)
    agents: dict[str, _Group] = {}
    teams: dict[str, _Group] = {}
    days: dict[str, _Group] = {}
    phrases: Counter[str] = Counter()
    examples: dict[str, list[dict[str, Any]]] = {}
    heap: list[tuple[float, int, dict[str, Any]]] = []
    has_agent = has_team = False
    for r in rows:
        total += 1
        has_agent = has_agent or r.get("agent") is not None
        has_team = has_team or r.get("team") is not None
        agents.setdefault(r.get("agent") or "(none)", _Group()).add(r)
        teams.setdefault(r.get("team") or "(none)", _Group()).add(r)
        if r.get("date"):
            days.setdefault(r["date"], _Group()).add(r)
        if r["status"] != "ok":
            kind = r.get("error_kind") or "unknown"
            kinds[kind] += 1
            ex = error_examples.setdefault(kind, [])
            if len(ex) < EXAMPLES:
                ex.append({"row": r["row"], "error": r.get("error")})
            continue
        ok += 1
        verdicts[r["verdict"]] += 1
        if r.get("stance"):
            stances[r["stance"]] += 1
        for s in SCORES:
            v = r.get(s)
            if v is not None:
                hist[s][min(int(v * BINS), BINS - 1)] += 1
                sums[s] += v
                counts[s] += 1
        findings = json.loads(r["findings"] or "[]")
        text = r["clean_text"] or ""
        dismissive = [f for f in findings if f.get("category") == "dismissive"]
        for f in dismissive:
            if len(f["text"]) > MAX_PHRASE_CHARS:
                continue
            key = _phrase(f["text"])
            if not key:
                continue
            phrases[key] += 1
            ex = examples.setdefault(key, [])
            if len(ex) < EXAMPLES:
                ex.append({"row": r["row"], "agent": r.get("agent"), "snippet": _snippet(text, f["start"], f["end"])})
        if len(phrases) > PHRASE_CAP:
            keep = dict(phrases.most_common(PHRASE_CAP // 2))
            phrases = Counter(keep)
            examples = {k: v for k, v in examples.items() if k in keep}
        score = r["dismissive"] if r.get("dismissive") is not None else float(sum(f["severity"] == "error" for f in dismissive))
        if score > 0:
            item = (score, -r["row"], {"row": r["row"], "agent": r.get("agent"), "team": r.get("team"), "date": r.get("date"),
                                       "dismissive": r.get("dismissive"), "empathy": r.get("empathy"), "verdict": r["verdict"],
                                       "clean_text": text[:4000], "findings": findings})
            if len(heap) < top:
                heapq.heappush(heap, item)
            elif item[:2] > heap[0][:2]:
                heapq.heapreplace(heap, item)
    review = verdicts.get("review", 0)
    use_weeks = len(days) > 120
    trend = _weekly(days) if use_weeks else [g.as_dict(k) for k, g in sorted(days.items())]
    return {
        "rows": total, "ok": ok, "errors": total - ok, "error_kinds": dict(sorted(kinds.items())), "error_examples": error_examples,
        "verdicts": {"send": verdicts.get("send", 0), "review": review},
        "review_rate": round(review / ok, 4) if ok else None,
        "stances": dict(sorted(stances.items())),
        "scores": {s: {"mean": round(sums[s] / counts[s], 4) if counts[s] else None, "count": counts[s],
                       "bins": [round(i / BINS, 3) for i in range(BINS + 1)], "histogram": hist[s]} for s in SCORES},
        "agents": sorted((g.as_dict(k) for k, g in agents.items()), key=lambda d: (-d["rows"], d["key"])) if has_agent else [],
        "teams": sorted((g.as_dict(k) for k, g in teams.items()), key=lambda d: (-d["rows"], d["key"])) if has_team else [],
        "trend": {"granularity": "week" if use_weeks else "day", "points": trend, "rows_without_date": total - sum(g.rows for g in days.values())},
        "dismissive_phrases": [{"phrase": p, "count": c, "examples": examples.get(p, [])} for p, c in phrases.most_common(top)],
        "worst": [item[2] for item in sorted(heap, key=lambda x: (-x[0], -x[1]))],
    }


def _weekly(days: dict[str, _Group]) -> list[dict[str, Any]]:
    weeks: dict[str, _Group] = {}
    for d, g in days.items():
        try:
            y, w, _ = date.fromisoformat(d).isocalendar()
        except ValueError:
            continue
        acc = weeks.setdefault(f"{y}-W{w:02d}", _Group())
        for slot in _Group.__slots__:
            setattr(acc, slot, getattr(acc, slot) + getattr(g, slot))
    return [g.as_dict(k) for k, g in sorted(weeks.items())]


def summarise_output(out: str | Path, top: int = 20) -> dict[str, Any]:
    """Summary of an audit output directory, streamed part by part."""
    return summarise(iter_output(Path(out), _READ), top=top)
