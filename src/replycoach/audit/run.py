"""The resumable file audit: stream the input, score in batches, write one Parquet part per chunk.

Output is a directory (e.g. `results.parquet/`) that pyarrow, pandas, DuckDB and Spark read as one
dataset. Chunk k holds input rows [k*chunk_rows, (k+1)*chunk_rows) and is written to
`part-{k:05d}.parquet` through a hidden temp file and `os.replace`, so a part is either complete or
absent; its row range is stored in the file's metadata. `_audit.json` records the input fingerprint and
the options. Re-running with the same input and options skips the completed parts (their rows are read
but not scored) and scores the rest: after a kill no row is scored twice and none is lost. At the end the
parts are checked to cover rows 0..N-1 exactly once (rows in == rows out), else `AuditIntegrityError`.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any, Callable

from ..errors import InputError, ReplycoachError
from .process import COLUMNS, MAX_INPUT_CHARS, process
from .progress import Progress
from .readers import Columns, detect_format, fingerprint, open_source

MANIFEST = "_audit.json"
ROWS_KEY = b"replycoach.rows"
FORMAT_VERSION = 1


class AuditIntegrityError(ReplycoachError):
    """The output does not hold exactly one row per input row."""


@dataclass
class AuditResult:
    out: Path
    rows_in: int
    rows_out: int
    ok: int = 0
    errors: int = 0
    scored_now: int = 0  # rows scored in this run (the rest came from parts of an earlier run)
    parts: int = 0
    seconds: float = 0.0
    error_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.scored_now / self.seconds if self.seconds > 0 else 0.0


def arrow_schema():
    import pyarrow as pa

    types = {"int64": pa.int64(), "float64": pa.float64(), "string": pa.string()}
    return pa.schema([pa.field(name, types[t]) for name, t in COLUMNS.items()])


def part_name(k: int) -> str:
    return f"part-{k:05d}.parquet"


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_part(out: Path, k: int, start: int, rows: list[dict[str, Any]], meta: dict[str, str] | None = None) -> Path:
    """Write rows [start, start+len(rows)) as part k, atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema().with_metadata({ROWS_KEY: f"{start}:{start + len(rows)}".encode(), **{k2.encode(): v.encode() for k2, v in (meta or {}).items()}})
    table = pa.Table.from_pylist(rows, schema=schema)
    path = out / part_name(k)
    tmp = out / f".{path.name}.tmp-{os.getpid()}"
    with open(tmp, "wb") as fh:
        pq.write_table(table, fh, compression="zstd")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def read_part_range(path: Path) -> tuple[int, int, int] | None:
    """(start, end, num_rows) from a part's metadata, or None if the file is unreadable."""
    import pyarrow.parquet as pq

    try:
        md = pq.read_metadata(path)
        start, end = (int(x) for x in (md.schema.to_arrow_schema().metadata or {})[ROWS_KEY].decode().split(":"))
        return start, end, md.num_rows
    except Exception:  # noqa: BLE001 - a torn or foreign file is simply redone
        return None


def list_parts(out: Path) -> list[Path]:
    return sorted(p for p in out.glob("part-*.parquet") if p.name[5:10].isdigit())


def _prepare_out(out: Path, manifest: dict[str, Any], overwrite: bool) -> dict[int, tuple[int, int, int]]:
    """Create or reopen the output directory; return the completed parts {k: (start, end, rows)}."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is a file; the audit output is a directory of Parquet parts: pick another --out")
    mpath = out / MANIFEST
    if out.is_dir() and any(out.iterdir()):
        if overwrite:
            if not mpath.is_file() and any(p for p in out.iterdir() if not p.name.startswith((".", "part-"))):
                raise InputError(f"{out}: is not an audit output directory (no {MANIFEST}); refusing to delete it")
            shutil.rmtree(out)
        elif not mpath.is_file():
            raise InputError(f"{out}: exists and is not an audit output (no {MANIFEST}); pick another --out")
        else:
            old = json.loads(mpath.read_text(encoding="utf-8"))
            same = {k: old.get(k) for k in ("format_version", "fingerprint", "format", "options", "versions")}
            want = {k: manifest.get(k) for k in same}
            if same != want:
                diff = [k for k in same if same[k] != want[k]]
                raise InputError(f"{out}: holds an audit of a different input or with different options ({', '.join(diff)} changed); "
                                 "re-run with --overwrite to start again, or pick another --out")
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".part-*.tmp-*"):
        stale.unlink(missing_ok=True)  # a temp file left by a killed run: its chunk is redone
    _atomic_write_bytes(mpath, json.dumps(manifest, indent=2).encode())
    chunk = manifest["options"]["chunk_rows"]
    done: dict[int, tuple[int, int, int]] = {}
    for p in list_parts(out):
        k = int(p.name[5:10])
        rng = read_part_range(p)
        if rng is None or rng[0] != k * chunk or rng[1] - rng[0] != rng[2] or rng[1] > (k + 1) * chunk:
            p.unlink()  # unreadable or not what chunk k should hold: redo it
            continue
        done[k] = rng
    return done


def verify_output(out: Path, rows_in: int, chunk_rows: int) -> tuple[int, dict[int, tuple[int, int, int]]]:
    """Check the parts hold rows 0..rows_in-1 exactly once; return (rows_out, ranges)."""
    ranges = {int(p.name[5:10]): read_part_range(p) for p in list_parts(out)}
    problems = []
    rows_out = 0
    expected_parts = (rows_in + chunk_rows - 1) // chunk_rows
    for k in range(max(expected_parts, max(ranges, default=-1) + 1)):
        want = (k * chunk_rows, min((k + 1) * chunk_rows, rows_in))
        got = ranges.get(k)
        if got is None:
            problems.append(f"{part_name(k)} is missing (rows {want[0]}-{want[1] - 1})")
            continue
        rows_out += got[2]
        if (got[0], got[1]) != want or got[2] != got[1] - got[0]:
            problems.append(f"{part_name(k)} holds rows {got[0]}-{got[1] - 1} ({got[2]} rows), expected {want[0]}-{want[1] - 1}")
    if problems or rows_out != rows_in:
        raise AuditIntegrityError(f"{out}: rows in ({rows_in:,}) != rows out ({rows_out:,}): " + "; ".join(problems[:5])
                                  + " - re-run the same command to redo the missing parts")
    return rows_out, ranges  # type: ignore[return-value]


def run_audit(source: str | Path, out: str | Path, coach: Any, *, columns: Columns | None = None, fmt: str | None = None,
              batch_size: int = 64, chunk_rows: int = 5000, max_chars: int = MAX_INPUT_CHARS, overwrite: bool = False,
              progress: bool | Progress = False, on_chunk: Callable[[int, Path], None] | None = None) -> AuditResult:
    """Audit a CSV/TSV/JSONL/Parquet file into the part directory `out`; resumes an interrupted run.

    on_chunk(k, path) is called after part k is written (a hook for tests and callers that watch progress).
    """
    if chunk_rows < 1 or batch_size < 1:
        raise InputError("--chunk-rows and --batch-size must be at least 1")
    columns = columns or Columns()
    source, out = Path(source), Path(out)
    src = open_source(source, columns, fmt)
    versions = getattr(coach, "versions", None)
    manifest = {
        "format_version": FORMAT_VERSION, "input": str(source.resolve()), "format": detect_format(source, fmt),
        "fingerprint": fingerprint(source),
        "options": {"columns": columns.mapping(), "chunk_rows": chunk_rows, "max_chars": max_chars,
                    "explain": getattr(coach, "explain", True)},
        "versions": versions.model_dump() if hasattr(versions, "model_dump") else None,
        "complete": False,
    }
    release = getattr(getattr(coach, "scorer", None), "release_single", None)
    if release is not None:  # batches only from here: the lanes' session does the work
        release()
    try:
        done = _prepare_out(out, manifest, overwrite)
        bar = progress if isinstance(progress, Progress) else Progress(enabled=bool(progress), total=src.total, fraction=src.fraction)
        res = AuditResult(out=out, rows_in=0, rows_out=0)
        t0 = time.perf_counter()
        rows_in = 0

        def counted():
            nonlocal rows_in
            for r in src:
                rows_in = r.row + 1
                yield r

        for k, group in groupby(counted(), key=lambda r: r.row // chunk_rows):
            if k in done:
                bar.skip(sum(1 for _ in group))
                continue
            rows = list(process(coach, group, batch_size=batch_size, text_col=columns.text, max_chars=max_chars,
                                on_batch=lambda b: bar.update(len(b), sum(r["status"] == "error" for r in b))))
            path = write_part(out, k, k * chunk_rows, rows)
            res.scored_now += len(rows)
            bar.part(k)
            if on_chunk is not None:
                on_chunk(k, path)
        bar.close()
    finally:
        src.close()
    res.seconds = time.perf_counter() - t0
    res.rows_in = rows_in
    res.rows_out, ranges = verify_output(out, rows_in, chunk_rows)
    res.parts = len(ranges)
    res.ok, res.errors, res.error_kinds = _count_status(out)
    manifest.update(complete=True, rows_in=rows_in, rows_out=res.rows_out, ok=res.ok, errors=res.errors, error_kinds=res.error_kinds)
    _atomic_write_bytes(out / MANIFEST, json.dumps(manifest, indent=2).encode())
    return res


def _count_status(out: Path) -> tuple[int, int, dict[str, int]]:
    import pyarrow.parquet as pq

    ok = errors = 0
    kinds: dict[str, int] = {}
    for p in list_parts(out):
        for batch in pq.ParquetFile(p).iter_batches(columns=["status", "error_kind"], batch_size=65536):
            for status, kind in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist()):
                if status == "ok":
                    ok += 1
                else:
                    errors += 1
                    kinds[kind or "unknown"] = kinds.get(kind or "unknown", 0) + 1
    return ok, errors, dict(sorted(kinds.items()))
