"""A tiny stderr progress bar with rate and ETA (no tqdm dependency).

On a terminal the line is redrawn in place at most twice a second; otherwise (a log file, CI) a full line
is printed every 10 seconds. The ETA comes from how far through the input the reader is (bytes for
CSV/JSONL, rows for Parquet), counting only the time and progress of rows scored in this run, so rows
skipped on resume do not make the estimate optimistic.
"""
from __future__ import annotations

import sys
import time
from typing import Callable, TextIO


def _clock(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}"


class Progress:
    def __init__(self, enabled: bool = True, total: int | None = None, fraction: Callable[[], float | None] | None = None,
                 stream: TextIO | None = None, label: str = "audit", width: int = 20):
        self.enabled = enabled
        self.total = total
        self._fraction = fraction or (lambda: None)
        self.stream = stream or sys.stderr
        self.label = label
        self.width = width
        self.scored = self.resumed = self.errors = self.parts = 0
        self._t0 = time.perf_counter()
        self._scoring_s = 0.0
        self._scored_frac = 0.0
        self._last_frac = 0.0
        self._last_draw = 0.0
        self._last_event = self._t0
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._drawn = False

    def _frac(self) -> float | None:
        f = self._fraction()
        if f is None and self.total:
            f = (self.scored + self.resumed) / self.total
        return None if f is None else min(max(f, 0.0), 1.0)

    def update(self, rows: int, errors: int = 0) -> None:
        """`rows` more rows scored (`errors` of them error rows)."""
        now = time.perf_counter()
        self.scored += rows
        self.errors += errors
        self._scoring_s += now - self._last_event
        self._last_event = now
        f = self._frac()
        if f is not None:
            self._scored_frac += max(f - self._last_frac, 0.0)
            self._last_frac = f
        self._maybe_draw(now)

    def skip(self, rows: int) -> None:
        """`rows` rows already done by an earlier run (read, not scored)."""
        self.resumed += rows
        f = self._frac()
        if f is not None:
            self._last_frac = f
        self._last_event = time.perf_counter()
        self._maybe_draw(self._last_event)

    def part(self, k: int) -> None:
        self.parts += 1

    def rate(self) -> float:
        return self.scored / self._scoring_s if self._scoring_s > 0 else 0.0

    def eta(self) -> float | None:
        f = self._frac()
        if f is None or self._scored_frac <= 0 or self._scoring_s <= 0:
            return None
        return (1.0 - f) * self._scoring_s / self._scored_frac

    def line(self) -> str:
        f = self._frac()
        parts = [self.label]
        if f is not None:
            fill = int(round(f * self.width))
            parts.append(f"{f * 100:3.0f}% [{'#' * fill}{'.' * (self.width - fill)}]")
        done = self.scored + self.resumed
        parts.append(f"{done:,}" + (f"/{self.total:,}" if self.total else "") + " rows"
                     + (f" ({self.resumed:,} from an earlier run)" if self.resumed else ""))
        parts.append(f"{self.rate():,.0f} rows/s")
        eta = self.eta()
        parts.append(f"ETA {_clock(eta)}" if eta is not None else "ETA ?")
        parts.append(f"elapsed {_clock(time.perf_counter() - self._t0)}")
        if self.errors:
            parts.append(f"{self.errors:,} error rows")
        return " | ".join(parts)

    def _maybe_draw(self, now: float) -> None:
        if not self.enabled:
            return
        if now - self._last_draw < (0.5 if self._tty else 10.0):
            return
        self._last_draw = now
        self._draw()

    def _draw(self) -> None:
        if self._tty:
            self.stream.write("\r" + self.line() + "\x1b[K")
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if not self.enabled:
            return
        self._draw()
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()
