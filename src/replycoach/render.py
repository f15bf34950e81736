"""Plain-text rendering of a draft with its findings highlighted."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from .report import Finding

_ANSI = {"error": "\x1b[41;97m", "warning": "\x1b[43;30m", "suggestion": "\x1b[46;30m", "info": "\x1b[42;30m"}


def mark_spans(text: str, spans: Iterable[tuple[int, int, Any]], mark: Callable[[str, Any], str],
               plain: Callable[[str], str] = lambda s: s) -> str:
    """`text` with each (start, end, tag) span rendered by mark(piece, tag) and the rest by plain(piece);
    where spans overlap, the one that starts first wins."""
    out, pos = [], 0
    for start, end, tag in sorted(spans):
        if start < pos:
            continue
        out += [plain(text[pos:start]), mark(text[start:end], tag)]
        pos = end
    out.append(plain(text[pos:]))
    return "".join(out)


def highlight(text: str, findings: list[Finding], colour: bool = True) -> str:
    """Mark each finding's span: ANSI colours on a terminal, [[...]] brackets otherwise."""
    marks = {(f.start, f.end, f.severity) for f in findings if f.end > f.start and f.source != "input"}
    return mark_spans(text, marks, (lambda s, sev: f"{_ANSI[sev]}{s}\x1b[0m") if colour else (lambda s, _: f"[[{s}]]"))
