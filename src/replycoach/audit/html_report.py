"""The self-contained HTML report: inline CSS and SVG only (no scripts, no fonts or files from the network)."""
from __future__ import annotations

from typing import Any

from .process import SCORES
from ..render import mark_spans
from .svg import esc, hbars, histogram, trend

MAX_GROUPS = 30
MIN_GROUP_ROWS = 1
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1040px;color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#666;font-size:12px}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:110px}.card b{display:block;font-size:20px}
.grid{display:flex;flex-wrap:wrap;gap:8px}table{border-collapse:collapse;width:100%;font-size:13px}
td,th{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}th{background:#fafafa}
mark{background:#ffd6d6;padding:0 1px}.reply{white-space:pre-wrap;background:#fafafa;border-left:3px solid #e45756;padding:6px 10px;margin:6px 0}
.rewrite{white-space:pre-wrap;background:#f1f8f1;border-left:3px solid #54a24b;padding:6px 10px;margin:6px 0}
.worst{margin-bottom:18px}.small{color:#666;font-size:12px}code{background:#f3f3f3;padding:0 3px}
"""
_COLORS = {"empathy": "#54a24b", "assertiveness": "#4c78a8", "dismissive": "#e45756", "proactive": "#f58518", "customer_distress": "#b279a2"}


_SEP = " \u00b7 "


def _pct(x: float | None) -> str:
    return "\u2013" if x is None else f"{x:.1%}"


def _num(x: float | None) -> str:
    return "\u2013" if x is None else f"{x:.2f}"


def highlight(text: str, findings: list[dict[str, Any]]) -> str:
    """Escape `text` and wrap the dismissive/aggressive finding spans in <mark> (the first of overlapping spans wins)."""
    spans = [(f["start"], f["end"], f.get("message", "")) for f in findings
             if f.get("category") in ("dismissive", "aggressive") and 0 <= f["start"] < f["end"] <= len(text)]
    return mark_spans(text, spans, lambda piece, msg: f'<mark title="{esc(msg)}">{esc(piece)}</mark>', esc)


def _groups(items: list[dict[str, Any]], what: str) -> str:
    shown = [g for g in items if g["ok"] >= MIN_GROUP_ROWS][:MAX_GROUPS]
    if not shown:
        return ""
    chart = hbars([(g["key"], g["review_rate"], f"of {g['ok']:,}") for g in shown],
                  f"Review rate per {what} (the {len(shown)} with most replies)")
    rows = "".join(f"<tr><td>{esc(g['key'])}</td><td>{g['rows']:,}</td><td>{g['ok']:,}</td><td>{g['review']:,}</td>"
                   f"<td>{_pct(g['review_rate'])}</td><td>{_num(g['mean_dismissive'])}</td><td>{_num(g['mean_empathy'])}</td></tr>"
                   for g in shown)
    more = f'<p class="small">{len(items) - len(shown):,} more in report.json.</p>' if len(items) > len(shown) else ""
    return (f"<h2>Per {what}</h2>{chart}<table><tr><th>{what}</th><th>rows</th><th>scored</th><th>review</th><th>review rate</th>"
            f"<th>mean dismissive</th><th>mean empathy</th></tr>{rows}</table>{more}")


def _worst(worst: list[dict[str, Any]], rewrites: dict[str, Any]) -> str:
    if not worst:
        return "<h2>Most dismissive replies</h2><p>No reply was flagged as dismissive.</p>"
    parts = ["<h2>Most dismissive replies</h2>"]
    if not rewrites.get("produced"):
        why = ("rewrite failed: " + rewrites["error"]) if rewrites.get("error") else \
              ("no rewrite passed its checks" if rewrites.get("available") else "this Coach has no rewrite")
        parts.append(f'<p class="small">Suggested fixes come from the findings ({esc(why)}).</p>')
    for w in worst:
        info = [f"row {w['row']}", f"dismissive {_num(w.get('dismissive'))}", f"empathy {_num(w.get('empathy'))}", esc(w["verdict"])]
        info += [x for x in (w.get("agent") and f"agent {esc(w['agent'])}", w.get("team") and f"team {esc(w['team'])}",
                             w.get("date") and esc(w["date"])) if x]
        parts.append(f'<div class="worst"><div class="small">{_SEP.join(info)}</div>'
                     f'<div class="reply">{highlight(w["clean_text"], w["findings"])}</div>')
        if w.get("rewrite"):
            parts.append(f'<div class="small">Suggested rewrite:</div><div class="rewrite">{esc(w["rewrite"])}</div>')
        tips = w.get("suggestions") or []
        if tips:
            parts.append("<ul>" + "".join(
                f"<li>\u201c{esc(t['text'][:120])}\u201d: {esc(t['message'])}" + (f" <b>Try:</b> {esc(t['suggestion'])}" if t.get("suggestion") else "")
                + "</li>" for t in tips[:6]) + "</ul>")
        parts.append("</div>")
    return "".join(parts)


def render_html(s: dict[str, Any]) -> str:
    meta = s.get("meta", {})
    cards = [("rows", f"{s['rows']:,}"), ("scored", f"{s['ok']:,}"), ("error rows", f"{s['errors']:,}"),
             ("review", f"{s['verdicts']['review']:,}"), ("review rate", _pct(s["review_rate"])), ("send", f"{s['verdicts']['send']:,}")]
    body = [f"<h1>Reply audit</h1><div class=\"meta\">{esc(meta.get('input', ''))} \u00b7 generated {esc(meta.get('generated', ''))}"
            f" \u00b7 replycoach {esc((meta.get('versions') or {}).get('library', ''))}, model {esc((meta.get('versions') or {}).get('model') or 'none (rules only)')}</div>",
            '<div class="cards">' + "".join(f'<div class="card"><b>{v}</b>{esc(k)}</div>' for k, v in cards) + "</div>"]
    if s["error_kinds"]:
        rows = "".join(f"<tr><td>{esc(k)}</td><td>{n:,}</td><td>"
                       + "<br>".join(f"row {x['row']}: {esc(x['error'])}" for x in s["error_examples"].get(k, [])) + "</td></tr>"
                       for k, n in s["error_kinds"].items())
        body.append(f"<h2>Rows that could not be scored</h2><table><tr><th>reason</th><th>rows</th><th>examples</th></tr>{rows}</table>")
    scored = [x for x in SCORES if s["scores"][x]["count"]]
    body.append("<h2>Score distributions</h2>")
    if scored:
        body.append('<div class="grid">' + "".join(
            histogram(s["scores"][x]["histogram"], f"{x.replace('_', ' ')} (mean {_num(s['scores'][x]['mean'])}, n={s['scores'][x]['count']:,})",
                      _COLORS.get(x, "#4c78a8")) for x in scored) + "</div>")
    else:
        body.append("<p>No model scores (rules-only audit): verdicts come from the phrase rules.</p>")
    if s["stances"]:
        tot = sum(s["stances"].values())
        body.append(hbars([(k, v / tot, f"{v:,}") for k, v in s["stances"].items()], "Stance", color="#4c78a8"))
    body.append(_groups(s["agents"], "agent"))
    body.append(_groups(s["teams"], "team"))
    t = s["trend"]
    body.append("<h2>Trend</h2>" + trend([(p["key"], p["review_rate"], p["rows"]) for p in t["points"]], f"Review rate per {t['granularity']}"))
    if t["points"] and t["rows_without_date"]:
        body.append(f'<p class="small">{t["rows_without_date"]:,} rows have no readable date.</p>')
    if s["dismissive_phrases"]:
        rows = "".join(f"<tr><td>\u201c{esc(p['phrase'])}\u201d</td><td>{p['count']:,}</td><td>"
                       + "<br>".join(f"row {x['row']}{(' (' + esc(x['agent']) + ')') if x.get('agent') else ''}: {esc(x['snippet'])}" for x in p["examples"])
                       + "</td></tr>" for p in s["dismissive_phrases"])
        body.append(f"<h2>Top dismissive phrases</h2><table><tr><th>phrase</th><th>count</th><th>examples</th></tr>{rows}</table>")
    else:
        body.append("<h2>Top dismissive phrases</h2><p>None found.</p>")
    body.append(_worst(s["worst"], meta.get("rewrites") or {}))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            f"<title>Reply audit</title><style>{_CSS}</style></head><body>" + "".join(body) + "</body></html>\n")
