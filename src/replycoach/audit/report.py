"""Write report.html + report.json + report.md for an audit output directory.

    build_report("results.parquet", "report.html", coach)   # also writes report.json and report.md beside it

The worst replies get a suggested rewrite when the coach has a `rewrite` method (called with the cleaned
reply; any failure falls back to the findings' own suggestions).
"""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .html_report import render_html
from .process import SCORES
from .run import MANIFEST
from .summary import summarise_output


def add_suggestions(summary: dict[str, Any], coach: Any = None) -> dict[str, Any]:
    """Fill `rewrite` and `suggestions` for each worst reply; returns {'available', 'produced', 'error'} about rewrites."""
    rewrite = getattr(coach, "rewrite", None) if coach is not None else None
    info: dict[str, Any] = {"available": callable(rewrite), "produced": 0, "failed": 0, "error": None}
    for w in summary["worst"]:
        w["rewrite"] = None
        if callable(rewrite) and (info["produced"] or info["failed"] < 3):  # give up after 3 errors unless one has worked
            try:
                w["rewrite"] = next((r.text for r in rewrite(w["clean_text"])), None)  # Coach.rewrite: best first
                info["produced"] += w["rewrite"] is not None
            except Exception as exc:  # noqa: BLE001 - a report must not fail on a rewrite
                info["error"] = f"{type(exc).__name__}: {exc}"[:300]
                info["failed"] += 1
        w["suggestions"] = [{"id": f["id"], "text": f["text"], "message": f["message"], "suggestion": f.get("suggestion")}
                            for f in w["findings"] if f.get("suggestion") or f.get("category") == "dismissive"]
    return info


def render_markdown(s: dict[str, Any]) -> str:
    meta = s.get("meta", {})
    pct = lambda x: "-" if x is None else f"{x:.1%}"  # noqa: E731
    num = lambda x: "-" if x is None else f"{x:.2f}"  # noqa: E731
    md = ["# Reply audit", "", f"Input: `{meta.get('input', '')}` · generated {meta.get('generated', '')}", "",
          "| rows | scored | error rows | review | send | review rate |", "|---:|---:|---:|---:|---:|---:|",
          f"| {s['rows']:,} | {s['ok']:,} | {s['errors']:,} | {s['verdicts']['review']:,} | {s['verdicts']['send']:,} | {pct(s['review_rate'])} |", ""]
    if s["error_kinds"]:
        md += ["## Rows that could not be scored", "", "| reason | rows |", "|---|---:|"]
        md += [f"| {k} | {n:,} |" for k, n in s["error_kinds"].items()] + [""]
    if any(s["scores"][x]["count"] for x in SCORES):
        md += ["## Mean scores", "", "| score | mean | n |", "|---|---:|---:|"]
        md += [f"| {x} | {num(s['scores'][x]['mean'])} | {s['scores'][x]['count']:,} |" for x in SCORES if s["scores"][x]["count"]] + [""]
    for what, items in (("agent", s["agents"]), ("team", s["teams"])):
        items = [g for g in items if g["ok"]]
        if items:
            md += [f"## Review rate per {what} (top 20 by volume)", "", f"| {what} | scored | review rate | mean dismissive |", "|---|---:|---:|---:|"]
            md += [f"| {_md(g['key'])} | {g['ok']:,} | {pct(g['review_rate'])} | {num(g['mean_dismissive'])} |" for g in items[:20]] + [""]
    if s["trend"]["points"]:
        md += [f"## Review rate per {s['trend']['granularity']}", "", "| period | rows | review rate |", "|---|---:|---:|"]
        md += [f"| {p['key']} | {p['rows']:,} | {pct(p['review_rate'])} |" for p in s["trend"]["points"][-60:]] + [""]
    if s["dismissive_phrases"]:
        md += ["## Top dismissive phrases", "", "| phrase | count |", "|---|---:|"]
        md += [f"| {_md(p['phrase'])} | {p['count']:,} |" for p in s["dismissive_phrases"]] + [""]
    if s["worst"]:
        md += ["## Most dismissive replies", ""]
        for w in s["worst"][:10]:
            text = w["clean_text"].replace("\n", " ")
            md.append(f"- row {w['row']} (dismissive {num(w.get('dismissive'))}{', agent ' + _md(w['agent']) if w.get('agent') else ''}): "
                      f"{_md(text[:160])}{'…' if len(text) > 160 else ''}")
            if w.get("rewrite"):
                md.append(f"  - rewrite: {_md(w['rewrite'].replace(chr(10), ' ')[:240])}")
        md.append("")
    return "\n".join(md)


def _md(s: Any) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _write(path: Path, text: str) -> None:
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def build_report(out: str | Path, html_path: str | Path, coach: Any = None, *, top: int = 20) -> dict[str, Any]:
    """Summarise the audit output `out` and write `html_path` plus .json/.md siblings; returns the summary."""
    out, html_path = Path(out), Path(html_path)
    summary = summarise_output(out, top=top)
    manifest_path = out / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    rewrites = add_suggestions(summary, coach)
    summary["meta"] = {"input": manifest.get("input"), "output": str(out), "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                       "versions": manifest.get("versions"), "columns": (manifest.get("options") or {}).get("columns"),
                       "rewrite": rewrites["produced"] > 0, "rewrites": rewrites}
    html_path.parent.mkdir(parents=True, exist_ok=True)
    _write(html_path, render_html(summary))
    _write(html_path.with_suffix(".json"), json.dumps(summary, indent=2, ensure_ascii=False))
    _write(html_path.with_suffix(".md"), render_markdown(summary))
    return summary
