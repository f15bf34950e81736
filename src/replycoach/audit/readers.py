"""Streaming readers: CSV, JSONL, Parquet files and in-memory iterables, one `RawRow` per input record.

Nothing here loads a whole file: CSV goes through the csv module line by line, JSONL is read one line at
a time as bytes, Parquet with `iter_batches`. A record that cannot be read (undecodable bytes, a
malformed CSV record or JSON line, a JSON value that is not an object) becomes a `RawRow` with an
`error`, so one bad record never stops the file. Records are numbered 0, 1, 2, ... in input order
(`row`); blank lines are not records. `line` is the 1-based line a CSV/JSONL record starts on.
"""
from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..errors import InputError

#: the fields an audit reads from each record
FIELDS = ("text", "customer", "agent", "team", "time")
MISSING = object()  # the record has no such field (distinct from an explicit null)
FORMATS = ("csv", "tsv", "jsonl", "parquet")
_SUFFIX = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
           ".parquet": "parquet", ".pq": "parquet"}
_CSV_FIELD_LIMIT = 64 * 1024 * 1024  # large enough that an oversize reply is reported as oversize, not malformed


@dataclass(frozen=True)
class Columns:
    """Which input column holds each field; only `text` is required."""

    text: str = "reply"
    customer: str | None = None
    agent: str | None = None
    team: str | None = None
    time: str | None = None

    def mapping(self) -> dict[str, str]:
        return {f: getattr(self, f) for f in FIELDS if getattr(self, f) is not None}


@dataclass
class RawRow:
    row: int
    line: int | None = None
    values: dict[str, Any] = field(default_factory=dict)  # field -> raw value, or MISSING
    error: tuple[str, str] | None = None  # (kind, message) when the record itself could not be read


def detect_format(path: Path, fmt: str | None = None) -> str:
    if fmt:
        fmt = fmt.lower()
        if fmt == "ndjson":
            fmt = "jsonl"
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
        return fmt
    found = _SUFFIX.get(path.suffix.lower())
    if found is None:
        raise InputError(f"{path}: cannot tell the format from the suffix {path.suffix!r}; pass --format csv|tsv|jsonl|parquet")
    return found


def fingerprint(path: Path) -> str:
    """SHA-256 of the whole input, so a resumed audit never mixes parts of an input edited in place (a sampled hash of the
    size, first and last MiB missed a same-length edit in the middle). Reading it costs about a second per GB, against
    hours of scoring."""
    from ..model.loading import sha256

    return sha256(path)


class Source:
    """A readable input: iterate for `RawRow`s; `fraction()` says how far through the input the last row was."""

    def __init__(self, rows: Iterator[RawRow], fraction=lambda: None, total: int | None = None, close=lambda: None):
        self._rows = rows
        self.fraction = fraction
        self.total = total
        self._close = close

    def close(self) -> None:
        self._close()

    def __iter__(self) -> Iterator[RawRow]:
        return self._rows


def _check_columns(available: list[str], cols: Columns, where: str) -> None:
    missing = [c for c in cols.mapping().values() if c not in available]
    if missing:
        shown = ", ".join(repr(a) for a in available[:30]) or "none"
        raise InputError(f"{where}: no column {', '.join(repr(m) for m in missing)}; the columns are {shown}. "
                         "Name the reply column with --text-col (and the others with --customer-col/--agent-col/--team-col/--time-col)")


def open_source(path: str | Path, cols: Columns, fmt: str | None = None, *, parquet_batch: int = 4096) -> Source:
    """Open `path` for streaming; raises InputError at once for a missing file, unknown format or missing column."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    kind = detect_format(path, fmt)
    if kind in ("csv", "tsv"):
        return _csv_source(path, cols, "\t" if kind == "tsv" else ",")
    if kind == "jsonl":
        return _jsonl_source(path, cols)
    return _parquet_source(path, cols, parquet_batch)


def _csv_source(path: Path, cols: Columns, delimiter: str) -> Source:
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(min(_CSV_FIELD_LIMIT, sys.maxsize))
    fh = open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.reader(fh, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        fh.close()
        raise InputError(f"{path}: the file is empty; a CSV needs a header row naming its columns") from None
    except csv.Error as exc:
        fh.close()
        raise InputError(f"{path}: cannot read the CSV header: {exc}") from None
    header = [h.strip() for h in header]
    try:
        _check_columns(header, cols, str(path))
    except InputError:
        fh.close()
        raise
    index = {f: header.index(c) for f, c in cols.mapping().items()}
    size = max(path.stat().st_size, 1)

    def rows() -> Iterator[RawRow]:
        row = 0
        with fh:
            while True:
                start = reader.line_num + 1
                try:
                    rec = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield RawRow(row, start, error=("malformed", f"malformed CSV record: {exc}"))
                    row += 1
                    continue
                if not rec or (len(rec) == 1 and not rec[0].strip() and len(header) > 1):
                    continue  # blank line: not a record
                if len(rec) != len(header):
                    yield RawRow(row, start, error=("malformed", f"malformed CSV record: {len(rec)} fields, the header has {len(header)} "
                                                                 "(an unquoted delimiter or quote in a field?)"))
                    row += 1
                    continue
                # bytes that are not UTF-8 arrive as lone surrogates; the row checks turn them into an 'undecodable' error row
                yield RawRow(row, start, {f: rec[i] for f, i in index.items()})
                row += 1

    def fraction() -> float | None:
        try:
            return min(fh.buffer.tell() / size, 1.0)
        except (ValueError, OSError):  # closed: the reader has finished
            return 1.0 if fh.closed else None

    return Source(rows(), fraction, close=fh.close)


def _jsonl_source(path: Path, cols: Columns) -> Source:
    fh = open(path, "rb")
    size = max(path.stat().st_size, 1)
    mapping = cols.mapping()

    def rows() -> Iterator[RawRow]:
        row = 0
        with fh:
            for line_no, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    line = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
                except UnicodeDecodeError as exc:
                    yield RawRow(row, line_no, error=("undecodable", f"the line is not UTF-8 (byte {exc.start}); re-export the file as UTF-8"))
                    row += 1
                    continue
                try:
                    obj = json.loads(line)
                except ValueError as exc:
                    yield RawRow(row, line_no, error=("malformed", f"malformed JSON line: {exc}"))
                    row += 1
                    continue
                if not isinstance(obj, dict):
                    yield RawRow(row, line_no, error=("malformed", f"the line is a JSON {type(obj).__name__}, not an object with a {cols.text!r} field"))
                else:
                    yield RawRow(row, line_no, {f: obj.get(c, MISSING) for f, c in mapping.items()})
                row += 1

    def fraction() -> float | None:
        try:
            return min(fh.tell() / size, 1.0)
        except (ValueError, OSError):  # closed: the reader has finished
            return 1.0 if fh.closed else None

    return Source(rows(), fraction, close=fh.close)


def _parquet_source(path: Path, cols: Columns, batch_size: int) -> Source:
    import pyarrow.parquet as pq  # a core dependency

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid / OSError for a corrupt file
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
    _check_columns(pf.schema_arrow.names, cols, str(path))
    mapping = cols.mapping()
    total = pf.metadata.num_rows
    done = [0]

    def rows() -> Iterator[RawRow]:
        row = 0
        for batch in pf.iter_batches(batch_size=batch_size, columns=sorted(set(mapping.values()))):
            data = {f: batch.column(batch.schema.get_field_index(c)).to_pylist() for f, c in mapping.items()}
            for i in range(batch.num_rows):
                yield RawRow(row, None, {f: data[f][i] for f in mapping})
                row += 1
                done[0] = row

    return Source(rows(), lambda: done[0] / total if total else None, total, close=pf.close)


def iterable_source(items: Iterable[Any], cols: Columns) -> Source:
    """Rows from Python objects: a dict is a record (fields by column name); anything else is the reply itself."""
    mapping = cols.mapping()
    total = len(items) if hasattr(items, "__len__") else None  # type: ignore[arg-type]
    done = [0]

    def rows() -> Iterator[RawRow]:
        for row, item in enumerate(items):
            if isinstance(item, dict):
                yield RawRow(row, None, {f: item.get(c, MISSING) for f, c in mapping.items()})
            else:
                yield RawRow(row, None, {"text": item})
            done[0] = row + 1

    return Source(rows(), lambda: done[0] / total if total else None, total)
