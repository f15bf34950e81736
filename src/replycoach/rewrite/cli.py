"""`replycoach rewrite`: print verified proactive rewrites of a draft.

Exit codes: 0 at least one candidate, 1 none, 2 usage or input error. Register it on the main app with
``app.command("rewrite")(rewrite_command)``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..cli_io import fail, read_draft
from ..errors import ReplycoachError

EXIT_FOUND, EXIT_NONE = 0, 1


def make_coach(model: Path | None):
    """The coach the command uses (a seam for tests)."""
    from ..coach import Coach

    return Coach(**({"model": model} if model is not None else {}))


def rewrite_command(
    text: Annotated[Optional[str], typer.Argument(help="the draft reply; omit to read --file or stdin")] = None,
    customer: Annotated[Optional[str], typer.Option("--customer", "-c", help="the customer message the draft answers")] = None,
    file: Annotated[Optional[Path], typer.Option("--file", "-f", help="read the draft from this UTF-8 file")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the candidates as a JSON list")] = False,
    model: Annotated[Optional[Path], typer.Option("--model", help="model directory (default: the shipped model)")] = None,
) -> None:
    """Suggest up to three proactive rewrites of a draft. Exit 0 = candidates, 1 = none, 2 = usage or input error."""
    draft = read_draft(text, file)
    try:
        rewrites = make_coach(model).rewrite(draft, customer=customer)
    except ReplycoachError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rewrites], indent=2, ensure_ascii=False))
    elif not rewrites:
        typer.echo("no rewrite passed the checks (facts kept, gate cleared, empathy or proactivity raised); "
                   "the draft may already be fine, or needs a human edit.")
    else:
        for i, r in enumerate(rewrites, 1):
            s = r.scores
            typer.secho(f"#{i} {r.kind}", bold=True)
            typer.echo(f"scores: empathy {s.empathy:.2f} | proactive {s.proactive:.2f} | dismissive {s.dismissive:.2f} "
                       f"| assertive {s.assertiveness:.2f}")
            typer.echo(r.text)
            if r.fixes:
                typer.echo("fixes: " + "; ".join(f"{f.id} \u201c{f.text[:60]}\u201d" for f in r.fixes))
            typer.echo("")
    raise typer.Exit(EXIT_FOUND if rewrites else EXIT_NONE)
