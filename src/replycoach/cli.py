"""Thin command line: `replycoach check|schema|rules-test|train`. Exit codes: 0 send, 1 review, 2 usage/input error."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .cli_io import fail, read_draft
from .errors import ReplycoachError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Coach customer-service replies before they are sent.")

EXIT_SEND, EXIT_REVIEW = 0, 1
_COLOURS = {"error": "red", "warning": "yellow", "suggestion": "cyan", "info": "green"}


@app.command()
def check(
    text: Annotated[Optional[str], typer.Argument(help="the draft reply; omit to read --file or stdin")] = None,
    customer: Annotated[Optional[str], typer.Option("--customer", "-c", help="the customer message the draft answers")] = None,
    file: Annotated[Optional[Path], typer.Option("--file", "-f", help="read the draft from this UTF-8 file")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    model: Annotated[Optional[Path], typer.Option("--model", help="model directory (default: the shipped model)")] = None,
    rules_only: Annotated[bool, typer.Option("--rules-only", help="skip the model: phrase rules only, no scores")] = False,
    rules: Annotated[Optional[list[Path]], typer.Option("--rules", help="extra rule file or folder (repeatable)")] = None,
    allow: Annotated[Optional[list[Path]], typer.Option("--allow", help="allow-list YAML file (repeatable)")] = None,
) -> None:
    """Check one draft. Exit 0 = send, 1 = review, 2 = usage or input error."""
    text = read_draft(text, file)
    try:
        from .coach import Coach

        kwargs = {"model": None} if rules_only else ({"model": model} if model is not None else {})
        coach = Coach(**kwargs, rules=rules or (), allow=allow or ())
        report = coach.check(text, customer=customer)
    except ReplycoachError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        _print(report)
    raise typer.Exit(EXIT_REVIEW if report.verdict == "review" else EXIT_SEND)


def _print(report) -> None:
    from .render import highlight

    typer.echo(highlight(report.reply, report.findings, colour=sys.stdout.isatty()))
    typer.echo("")
    verdict = typer.style(report.verdict.upper(), fg="green" if report.verdict == "send" else "red", bold=True)
    typer.echo(f"verdict: {verdict}")
    for r in report.reasons:
        typer.echo(f"  - {r}")
    if report.scores is not None:
        s = report.scores
        typer.echo(f"scores: empathy {s.empathy:.2f} | assertive {s.assertiveness:.2f} ({report.stance}) | "
                   f"dismissive {s.dismissive:.2f} | proactive {s.proactive:.2f}"
                   + (f" | customer distress {s.customer_distress:.2f}" if s.customer_distress is not None else ""))
    for f in report.findings:
        tag = typer.style(f.severity, fg=_COLOURS.get(f.severity))
        typer.echo(f"[{tag}] {f.id} {f.start}-{f.end} \u201c{f.text[:80]}\u201d: {f.message}")
        if f.suggestion:
            typer.echo(f"    try: {f.suggestion}")
    rd = report.readability
    typer.echo(f"readability: {rd.plain_words}" + (f" (Flesch {rd.flesch_reading_ease}, grade {rd.grade})" if rd.grade is not None else ""))


@app.command()
def schema() -> None:
    """Print the JSON schema of the report (generated from the pydantic model)."""
    from .report import report_json_schema

    typer.echo(json.dumps(report_json_schema(), indent=2))


@app.command("rules-test")
def rules_test(paths: Annotated[list[Path], typer.Argument(help="rule files or folders to test against their own examples")]) -> None:
    """Run a rule pack's pass/fail examples; exit 1 if any example misbehaves or a rule has none."""
    from .rules.engine import load_rules
    from .text import normalise

    try:
        rs = load_rules(paths, builtin=False)
    except ReplycoachError as exc:
        fail(str(exc))
    bad = 0
    for rule in rs.rules:
        ex = rule.spec.examples
        if not ex.fail or not ex.pass_:
            typer.echo(f"{rule.source}: {rule.id}: needs at least one 'fail' and one 'pass' example")
            bad += 1
        for kind, texts in (("fail", ex.fail), ("pass", ex.pass_)):
            for t in texts:
                if bool(list(rule.check(normalise(t)))) != (kind == "fail"):
                    typer.echo(f"{rule.source}: {rule.id}: {kind} example misbehaves: {t!r}")
                    bad += 1
    typer.echo(f"{len(rs.rules)} rules, {bad} problem(s)")
    raise typer.Exit(1 if bad else 0)


@app.command()
def train(
    config: Annotated[Optional[Path], typer.Option("--config", help="training YAML (default: the shipped model's config)")] = None,
    corpus: Annotated[Optional[Path], typer.Option("--corpus", help="labelled JSONL in the corpus schema (your own data)")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", help="model directory to write")] = None,
    epochs: Annotated[Optional[int], typer.Option("--epochs")] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", help="random seed (default: the config's; the shipped model used 13)")] = None,
    skip_eval: Annotated[bool, typer.Option("--skip-eval", help="do not evaluate on the test split / write the card")] = False,
) -> None:
    """Fine-tune the classifier (fixed seed) and write delta, config, checksum, metrics and model card."""
    from .training.card import evaluate_model, write_card
    from .training.config import load_config
    from .training.corpus import ROOT
    from .training.train import train as run

    try:
        cfg = load_config(config, corpus=str(corpus) if corpus else None, output=str(output) if output else None, epochs=epochs,
                          seed=seed)
        out = run(cfg, log=typer.echo)
        if not skip_eval:
            corpus_path = Path(cfg.corpus) if Path(cfg.corpus).is_absolute() else ROOT / cfg.corpus
            card = write_card(out, corpus_path, evaluate_model(out, corpus_path))
            typer.echo(f"model card: {card}")
    except ReplycoachError as exc:
        fail(str(exc))


@app.command("export-onnx")
def export_onnx(model: Annotated[Optional[Path], typer.Argument(help="model directory (default: the shipped model)")] = None) -> None:
    """Build (or find) the cached int8 ONNX Runtime graph for a model directory."""
    from .model.export import build_onnx
    from .model.loading import DEFAULT_MODEL_DIR, verify
    from .model.base import ModelConfig

    try:
        path = model or DEFAULT_MODEL_DIR
        cfg = ModelConfig.read(path)
        verify(path, cfg, ["delta.safetensors"])
        typer.echo(str(build_onnx(path, cfg)))
    except ReplycoachError as exc:
        fail(str(exc))


def _register() -> None:
    from .audit.cli import audit_command
    from .rewrite.cli import rewrite_command

    app.command("audit")(audit_command)
    app.command("rewrite")(rewrite_command)


_register()


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
