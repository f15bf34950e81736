"""Batch audit of many replies: files in, one result row per input row out, plus an HTML/JSON/Markdown report.

    from replycoach import Coach
    from replycoach.audit import Columns, run_audit, build_report

    coach = Coach()
    for result in coach.audit([{"reply": "Calm down.", "agent": "sam"}], agent_col="agent"):
        print(result["verdict"], result["dismissive"])

    res = run_audit("replies.csv", "results.parquet", coach, columns=Columns(text="reply", agent="agent"))
    build_report("results.parquet", "report.html", coach)

Command line: `replycoach audit replies.csv --text-col reply --out results.parquet --report report.html`.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator

from ..errors import InputError
from .clean import Cleaned, clean_reply
from .process import COLUMNS, ERROR_KINDS, MAX_INPUT_CHARS, SCORES, process
from .readers import Columns, iterable_source, open_source
from .report import build_report
from .run import AuditIntegrityError, AuditResult, run_audit
from .summary import iter_output, summarise, summarise_output


def audit_rows(coach: Any, rows: Iterable[Any], *, text_col: str = "reply", customer_col: str | None = None,
               agent_col: str | None = None, team_col: str | None = None, time_col: str | None = None,
               batch_size: int = 64, max_chars: int = MAX_INPUT_CHARS) -> Iterator[dict[str, Any]]:
    """Yield one result dict (keys: `COLUMNS`) per item of `rows`, in order, bad items as status='error'.

    An item is a dict (fields read by the *_col names) or the reply itself (a str; anything else is an error row).
    Lazy: rows are read and scored `batch_size` at a time.
    """
    if isinstance(rows, (str, bytes, dict)):
        raise InputError("audit takes an iterable of rows (dicts or reply strings), got a single "
                         f"{type(rows).__name__}: wrap it in a list")
    if batch_size < 1:
        raise InputError("batch_size must be at least 1")
    cols = Columns(text_col, customer_col, agent_col, team_col, time_col)
    return process(coach, iterable_source(rows, cols), batch_size=batch_size, text_col=text_col, max_chars=max_chars)


__all__ = ["audit_rows", "run_audit", "build_report", "Columns", "AuditResult", "AuditIntegrityError", "COLUMNS", "SCORES",
           "ERROR_KINDS", "MAX_INPUT_CHARS", "clean_reply", "Cleaned", "iter_output", "summarise", "summarise_output", "open_source"]
