"""Inline SVG charts drawn by hand: histogram, horizontal bars, trend line. No scripts, no external files."""
from __future__ import annotations

from html import escape

FONT = 'font-family="system-ui,-apple-system,Segoe UI,sans-serif" font-size="11"'


def esc(s: object) -> str:
    """HTML/SVG-escaped text (None as empty), for the charts and the report page."""
    return escape("" if s is None else str(s), quote=True)


def _short(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "\u2026"


def histogram(counts: list[int], title: str, color: str = "#4c78a8", width: int = 300, height: int = 150) -> str:
    """Bars over [0, 1] in len(counts) equal bins."""
    left, right, top, bottom = 34, 8, 20, 22
    pw, ph = width - left - right, height - top - bottom
    peak = max(counts) if counts and max(counts) > 0 else 1
    bw = pw / max(len(counts), 1)
    out = [f'<svg role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" {FONT}>',
           f"<title>{esc(title)}</title>",
           f'<text x="{left}" y="13" font-weight="600">{esc(title)}</text>',
           f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#999"/>',
           f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" fill="#666">{peak:,}</text>',
           f'<text x="{left - 4}" y="{top + ph}" text-anchor="end" fill="#666">0</text>']
    n = len(counts)
    for i, c in enumerate(counts):
        h = ph * c / peak
        lo, hi = i / n, (i + 1) / n
        out.append(f'<rect x="{left + i * bw + 0.5:.1f}" y="{top + ph - h:.1f}" width="{max(bw - 1, 1):.1f}" height="{h:.1f}" fill="{color}">'
                   f"<title>{lo:.2f}\u2013{hi:.2f}: {c:,}</title></rect>")
    for v in (0, 0.5, 1):
        out.append(f'<text x="{left + v * pw:.1f}" y="{height - 6}" text-anchor="middle" fill="#666">{v:g}</text>')
    out.append("</svg>")
    return "".join(out)


def hbars(items: list[tuple[str, float | None, str]], title: str, color: str = "#e45756", width: int = 640,
          label_chars: int = 28) -> str:
    """One bar per (label, value in [0, 1] or None, note) row, value shown as a percentage."""
    row_h, top, left = 20, 24, 190
    pw = width - left - 150
    height = top + row_h * max(len(items), 1) + 6
    out = [f'<svg role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" {FONT}>',
           f"<title>{esc(title)}</title>", f'<text x="0" y="14" font-weight="600">{esc(title)}</text>']
    if not items:
        out.append(f'<text x="0" y="{top + 12}" fill="#666">no data</text>')
    for i, (label, value, note) in enumerate(items):
        y = top + i * row_h
        out.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{esc(_short(label, label_chars))}<title>{esc(label)}</title></text>')
        out.append(f'<rect x="{left}" y="{y + 3}" width="{pw}" height="{row_h - 6}" fill="#eee"/>')
        if value is not None:
            out.append(f'<rect x="{left}" y="{y + 3}" width="{pw * min(max(value, 0), 1):.1f}" height="{row_h - 6}" fill="{color}">'
                       f"<title>{esc(label)}: {value:.1%} ({esc(note)})</title></rect>")
        shown = f"{value:.0%}" if value is not None else "\u2013"
        out.append(f'<text x="{left + pw + 6}" y="{y + 13}">{shown} <tspan fill="#666">{esc(note)}</tspan></text>')
    out.append("</svg>")
    return "".join(out)


def trend(points: list[tuple[str, float | None, int]], title: str, width: int = 720, height: int = 220) -> str:
    """Volume bars (grey, right scale) and review rate line (red, left scale 0-100%) per period."""
    left, right, top, bottom = 40, 50, 24, 36
    pw, ph = width - left - right, height - top - bottom
    out = [f'<svg role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" {FONT}>',
           f"<title>{esc(title)}</title>", f'<text x="0" y="14" font-weight="600">{esc(title)}</text>']
    if not points:
        out.append(f'<text x="{left}" y="{top + 20}" fill="#666">no dated rows (pass --time-col)</text></svg>')
        return "".join(out)
    n = len(points)
    peak = max(p[2] for p in points) or 1
    step = pw / n
    for frac in (0, 0.25, 0.5, 0.75, 1):
        y = top + ph * (1 - frac)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#e5e5e5"/>'
                   f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#666">{frac:.0%}</text>')
    out.append(f'<text x="{left + pw + 4}" y="{top + 8}" fill="#999">{peak:,} rows</text>')
    line = []
    for i, (label, rate, rows) in enumerate(points):
        x = left + i * step
        h = ph * rows / peak
        out.append(f'<rect x="{x + step * 0.15:.1f}" y="{top + ph - h:.1f}" width="{max(step * 0.7, 1):.1f}" height="{h:.1f}" fill="#d0d7e1">'
                   f"<title>{esc(label)}: {rows:,} rows</title></rect>")
        if rate is not None:
            line.append((x + step / 2, top + ph * (1 - rate), label, rate, rows))
    if line:
        out.append('<polyline fill="none" stroke="#e45756" stroke-width="2" points="'
                   + " ".join(f"{x:.1f},{y:.1f}" for x, y, *_ in line) + '"/>')
        for x, y, label, rate, rows in line:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#e45756"><title>{esc(label)}: review rate {rate:.1%} of {rows:,}</title></circle>')
    every = max(1, -(-n * 80 // pw))  # at least ~80 px between x labels
    for i in range(0, n, every):
        out.append(f'<text x="{left + i * step + step / 2:.1f}" y="{height - 18}" text-anchor="middle" fill="#666">{esc(points[i][0])}</text>')
    out.append(f'<text x="{left}" y="{height - 3}" fill="#666"><tspan fill="#e45756">\u2014 review rate</tspan>   '
               f'<tspan fill="#9aa5b5">\u25a0 rows</tspan></text>')
    out.append("</svg>")
    return "".join(out)
