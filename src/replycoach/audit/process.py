"""Row checks, cleaning and batched scoring: `RawRow`s in, one flat result dict per row out (errors included).

A result dict has exactly the keys in `COLUMNS` (the Parquet output schema): the input row number and
line, agent/team/time metadata, `clean_text` (what was scored; finding offsets point into it),
`cleaned` (what cleaning removed, e.g. 'html+quote+signature'), the five scores (None for a rules-only
coach or an error row), stance, verdict, reasons and findings as JSON strings, and `status` ('ok' or
'error') with `error_kind` / `error` for a row that could not be scored.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Iterable, Iterator

from .clean import clean_reply
from .readers import MISSING, RawRow

#: replies longer than this (characters, before cleaning) are error rows, not scored
MAX_INPUT_CHARS = 100_000
SCORES = ("empathy", "assertiveness", "dismissive", "proactive", "customer_distress")
ERROR_KINDS = ("empty", "not_text", "undecodable", "oversize", "malformed", "missing", "scoring")
#: output column -> Arrow type name ('int64', 'float64' or 'string'); all nullable
COLUMNS: dict[str, str] = {
    "row": "int64", "line": "int64", "agent": "string", "team": "string", "time": "string", "date": "string",
    "clean_text": "string", "cleaned": "string",
    **{s: "float64" for s in SCORES},
    "stance": "string", "verdict": "string", "reasons": "string", "findings": "string",
    "status": "string", "error_kind": "string", "error": "string",
}
_BAD_BYTES = re.compile("[\udc80-\udcff\ud800-\udbff]")
_EPOCH = re.compile(r"^\d{9,13}(?:\.\d+)?$")


@dataclass
class Pending:
    base: dict[str, Any]
    text: str
    customer: str | None
    cleaned: str | None


def _safe(s: str) -> str:
    """A str Arrow can store (lone surrogates become U+FFFD)."""
    return s.encode("utf-8", "replace").decode("utf-8") if _BAD_BYTES.search(s) else s


def _label(value: Any) -> str | None:
    """Agent / team values: text as is, numbers as their digits, nothing for null / NaN / missing."""
    if value is None or value is MISSING:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    s = _safe(str(value)).strip()
    return s or None


def parse_time(value: Any) -> tuple[str | None, str | None]:
    """(time as stored, calendar date 'YYYY-MM-DD' or None when it cannot be read as a time).

    Accepts datetimes, ISO 8601 strings, RFC 2822 strings and Unix epoch seconds or milliseconds.
    The date is the one written in the value (no time-zone conversion).
    """
    if value is None or value is MISSING:
        return None, None
    if isinstance(value, datetime):
        return value.isoformat(), value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat(), value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            return None, None
        return _epoch(value, str(value))
    s = _safe(str(value)).strip()
    if not s:
        return None, None
    if _EPOCH.match(s):
        return _epoch(float(s), s)
    try:
        return s, datetime.fromisoformat(s).date().isoformat()
    except ValueError:
        pass
    try:
        return s, parsedate_to_datetime(s).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d"):
        try:
            return s, datetime.strptime(s, fmt).date().isoformat()
        except ValueError:
            continue
    return s, None


def _epoch(value: float, shown: str) -> tuple[str | None, str | None]:
    secs = value / 1000 if abs(value) > 1e11 else value
    try:
        dt = datetime.fromtimestamp(secs, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return shown, None
    return dt.isoformat(), dt.date().isoformat()


def _base(raw: RawRow) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(COLUMNS)
    v = raw.values
    t, d = parse_time(v.get("time"))
    out.update(row=raw.row, line=raw.line, agent=_label(v.get("agent")), team=_label(v.get("team")), time=t, date=d)
    return out


def error_row(base: dict[str, Any], kind: str, message: str, clean_text: str | None = None) -> dict[str, Any]:
    base.update(status="error", error_kind=kind, error=message, clean_text=clean_text)
    return base


def _as_text(value: Any, what: str) -> tuple[str | None, tuple[str, str] | None]:
    """(text, None) or (None, (error kind, message)) for one input value."""
    if isinstance(value, (bytes, bytearray)):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, ("undecodable", f"the {what} holds bytes that are not UTF-8 (byte {exc.start})")
    if not isinstance(value, str):
        shown = repr(value)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        return None, ("not_text", f"the {what} is {type(value).__name__} {shown}, not text")
    if _BAD_BYTES.search(value):
        return None, ("undecodable", f"the {what} holds bytes that are not UTF-8; re-export the input as UTF-8")
    return value, None


def prepare(raw: RawRow, text_col: str = "reply", max_chars: int = MAX_INPUT_CHARS) -> Pending | dict[str, Any]:
    """Check and clean one row: a `Pending` ready to score, or a finished error result."""
    base = _base(raw)
    if raw.error is not None:
        return error_row(base, *raw.error)
    value = raw.values.get("text", MISSING)
    if value is MISSING:
        return error_row(base, "missing", f"the row has no {text_col!r} field")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return error_row(base, "empty", "the reply is null")
    text, err = _as_text(value, "reply")
    if err is not None:
        return error_row(base, *err)
    assert text is not None
    if len(text) > max_chars:
        return error_row(base, "oversize", f"the reply has {len(text):,} characters, more than the {max_chars:,} limit")
    if not text.strip():
        return error_row(base, "empty", "the reply is empty")
    cleaned = clean_reply(text)
    if not cleaned.text.strip():
        return error_row(base, "empty", f"nothing is left of the reply after removing {cleaned.label or 'markup'}", cleaned.text)
    customer = raw.values.get("customer")
    if customer is MISSING or customer is None or (isinstance(customer, float) and math.isnan(customer)):
        customer = None
    else:
        customer, err = _as_text(customer, "customer message")
        if err is not None:
            return error_row(base, *err)
        customer = clean_reply(customer[:max_chars]).text or None  # type: ignore[index]
    return Pending(base, cleaned.text, customer, cleaned.label)


def _result(p: Pending, report: Any) -> dict[str, Any]:
    out = p.base
    s = report.scores
    out.update(clean_text=p.text, cleaned=p.cleaned, stance=report.stance, verdict=report.verdict, status="ok",
               reasons=json.dumps(list(report.reasons), ensure_ascii=False),
               findings=json.dumps([f.model_dump(mode="json") for f in report.findings], ensure_ascii=False))
    for name in SCORES:
        v = getattr(s, name) if s is not None else None
        out[name] = float(v) if v is not None else None
    return out


def score_batch(coach: Any, pending: list[Pending]) -> list[dict[str, Any]]:
    """Score through `coach.check_many`; if the batch fails, retry row by row so one bad row costs only itself."""
    if not pending:
        return []
    try:
        reports = coach.check_many([p.text for p in pending], [p.customer for p in pending])
        return [_result(p, r) for p, r in zip(pending, reports)]
    except Exception:  # noqa: BLE001 - isolate the failing row below
        pass
    out = []
    for p in pending:
        try:
            out.append(_result(p, coach.check_many([p.text], [p.customer])[0]))
        except Exception as exc:  # noqa: BLE001 - recorded in the row, never silently dropped
            out.append(error_row(p.base, "scoring", f"scoring failed: {type(exc).__name__}: {exc}"[:500], p.text))
    return out


def process(coach: Any, rows: Iterable[RawRow], *, batch_size: int = 64, text_col: str = "reply",
            max_chars: int = MAX_INPUT_CHARS, on_batch: Callable[[list[dict[str, Any]]], None] | None = None) -> Iterator[dict[str, Any]]:
    """Results for `rows`, in input order, scoring `batch_size` rows per `check_many` call."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    buf: list[Pending | dict[str, Any]] = []
    waiting = 0

    def flush() -> list[dict[str, Any]]:
        scored = iter(score_batch(coach, [b for b in buf if isinstance(b, Pending)]))
        done = [next(scored) if isinstance(b, Pending) else b for b in buf]
        if on_batch is not None:
            on_batch(done)
        return done

    for raw in rows:
        item = prepare(raw, text_col, max_chars)
        buf.append(item)
        if isinstance(item, Pending):
            waiting += 1
        if waiting >= batch_size or len(buf) >= 4 * batch_size:
            yield from flush()
            buf, waiting = [], 0
    if buf:
        yield from flush()
