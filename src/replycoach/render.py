"""Plain-text rendering of a draft with its findings highlighted."""
from __future__ import annotations

from .report import Finding

_ANSI = {"error": "\x1b[41;97m", "warning": "\x1b[43;30m", "suggestion": "\x1b[46;30m", "info": "\x1b[42;30m"}


def highlight(text: str, findings: list[Finding], colour: bool = True) -> str:
    """Mark each finding's span: ANSI colours on a terminal, [[...]] brackets otherwise."""
    marks = sorted({(f.start, f.end, f.severity) for f in findings if f.end > f.start and f.source != "input"})
    out, pos = [], 0
    for start, end, sev in marks:
        if start < pos:
            continue  # overlapping spans: the first one wins in the rendering
        out.append(text[pos:start])
        out.append(f"{_ANSI[sev]}{text[start:end]}\x1b[0m" if colour else f"[[{text[start:end]}]]")
        pos = end
    out.append(text[pos:])
    return "".join(out)
