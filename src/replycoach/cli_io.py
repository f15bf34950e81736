"""What every CLI command shares: the error exit and reading a draft from an argument, a file or stdin."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import typer

EXIT_ERROR = 2


def fail(msg: str, code: int = EXIT_ERROR) -> NoReturn:
    typer.secho(f"error: {msg}", fg="red", err=True)
    raise typer.Exit(code)


def read_draft(text: str | None, file: Path | None) -> str:
    """The draft from `text`, else `file` (UTF-8), else stdin; a clear error (exit 2) otherwise."""
    if text is not None and file is not None:
        fail("give the draft either as an argument or with --file, not both")
    if file is not None:
        try:
            return file.read_bytes().decode("utf-8")
        except OSError as exc:
            fail(f"cannot read {file}: {exc.strerror}")
        except UnicodeDecodeError as exc:
            fail(f"{file} is not UTF-8 text (byte {exc.start}); convert it, e.g. iconv -f latin1 -t utf-8")
    if text is not None:
        return text
    if sys.stdin is None or sys.stdin.isatty():
        fail("no draft given: pass it as an argument, with --file, or on stdin")
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        fail(f"stdin is not UTF-8 text (byte {exc.start})")
