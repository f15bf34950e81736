"""`replycoach audit`: score a CSV/JSONL/Parquet file of replies, resumably, and write a report.

Register with `app.command("audit")(audit_command)`. Exit codes: 0 done (every input row has an output
row), 1 rows in != rows out after the run, 2 usage or input error, 130 interrupted (re-run to resume).
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..cli_io import fail
from ..errors import ReplycoachError
from .process import MAX_INPUT_CHARS

EXIT_OK, EXIT_MISMATCH, EXIT_INTERRUPTED = 0, 1, 130



def audit_command(
    input_path: Annotated[Path, typer.Argument(help="replies file: .csv, .tsv, .jsonl/.ndjson or .parquet", metavar="INPUT")],
    text_col: Annotated[str, typer.Option("--text-col", help="column holding the reply text (HTML allowed)")] = "reply",
    customer_col: Annotated[Optional[str], typer.Option("--customer-col", help="column holding the customer message the reply answers")] = None,
    agent_col: Annotated[Optional[str], typer.Option("--agent-col", help="column naming the agent")] = None,
    team_col: Annotated[Optional[str], typer.Option("--team-col", help="column naming the team")] = None,
    time_col: Annotated[Optional[str], typer.Option("--time-col", help="column with the send time (ISO 8601, RFC 2822 or epoch)")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="output directory of Parquet parts (default: INPUT-audit.parquet)")] = None,
    report: Annotated[Optional[Path], typer.Option("--report", help="HTML report to write; .json and .md are written beside it "
                                                   "(default: OUT-report.html)")] = None,
    no_report: Annotated[bool, typer.Option("--no-report", help="write the Parquet output only")] = False,
    fmt: Annotated[Optional[str], typer.Option("--format", help="csv | tsv | jsonl | parquet (default: from the suffix)")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="replies per model call")] = 64,
    chunk_rows: Annotated[int, typer.Option("--chunk-rows", min=1, help="rows per Parquet part (the unit of resume)")] = 5000,
    max_chars: Annotated[int, typer.Option("--max-chars", min=1, help="longer replies are error rows ('oversize')")] = MAX_INPUT_CHARS,
    model: Annotated[Optional[Path], typer.Option("--model", help="model directory (default: the shipped model)")] = None,
    rules_only: Annotated[bool, typer.Option("--rules-only", help="skip the model: phrase rules only, no scores")] = False,
    explain: Annotated[bool, typer.Option("--explain/--no-explain", help="sentence spans behind every model score "
                                          "(about one more model pass per reply); --no-explain is the fastest")] = True,
    rules: Annotated[Optional[list[Path]], typer.Option("--rules", help="extra rule file or folder (repeatable)")] = None,
    allow: Annotated[Optional[list[Path]], typer.Option("--allow", help="allow-list YAML file (repeatable)")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="discard an earlier (partial) run in --out and start again")] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="progress line on stderr")] = True,
    top: Annotated[int, typer.Option("--top", min=1, help="phrases and worst replies shown in the report")] = 20,
) -> None:
    """Audit a file of replies. Re-run the same command to resume after an interruption."""
    if rules_only and model is not None:
        fail("give either --model or --rules-only, not both")
    out = out or input_path.with_name(input_path.stem + "-audit.parquet")
    report_path = None if no_report else (report or out.with_name(out.stem + "-report.html"))
    if report_path is not None and report_path.suffix.lower() not in (".html", ".htm"):
        fail(f"--report must name an .html file (report.json and report.md are written beside it), got {report_path}")
    try:
        from ..coach import Coach
        from .readers import Columns
        from .report import build_report
        from .run import AuditIntegrityError, run_audit

        kwargs = {"model": None} if rules_only else ({"model": model} if model is not None else {})
        coach = Coach(**kwargs, rules=rules or (), allow=allow or (), explain=explain)
        cols = Columns(text=text_col, customer=customer_col, agent=agent_col, team=team_col, time=time_col)
        res = run_audit(input_path, out, coach, columns=cols, fmt=fmt, batch_size=batch_size, chunk_rows=chunk_rows,
                        max_chars=max_chars, overwrite=overwrite, progress=progress)
        kinds = ", ".join(f"{k} {n:,}" for k, n in res.error_kinds.items())
        typer.echo(f"{res.rows_in:,} rows in, {res.rows_out:,} rows out: {res.ok:,} scored, {res.errors:,} error rows"
                   + (f" ({kinds})" if kinds else "") + f" -> {out}")
        if res.scored_now < res.rows_out:
            typer.echo(f"resumed: {res.rows_out - res.scored_now:,} rows came from an earlier run, {res.scored_now:,} scored now")
        if res.scored_now:
            typer.echo(f"{res.rate:,.0f} rows/s over {res.seconds:,.1f} s")
        if report_path is not None:
            build_report(out, report_path, coach, top=top)
            typer.echo(f"report: {report_path} (+ {report_path.with_suffix('.json').name}, {report_path.with_suffix('.md').name})")
    except AuditIntegrityError as exc:
        fail(str(exc), EXIT_MISMATCH)
    except ReplycoachError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail(f"interrupted; completed parts are kept in {out}: re-run the same command to resume", EXIT_INTERRUPTED)
    except OSError as exc:
        fail(f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}")
