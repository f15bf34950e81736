"""Run the audit inside Spark with `mapInPandas`; each executor process loads the Coach once.

pyspark (and pandas) are imported only when these functions run, so this module imports without them.

    from pyspark.sql import SparkSession
    from replycoach.audit.spark import audit_dataframe

    spark = SparkSession.builder.getOrCreate()
    replies = spark.read.parquet("replies/")                     # or .csv(..., header=True, multiLine=True)
    results = audit_dataframe(replies, text_col="body", agent_col="agent_id", team_col="team", time_col="created_at",
                              row_col="ticket_id")               # or model="/models/replycoach-minilm", rules_only=True
    results.write.parquet("audit/")                              # same columns as `replycoach audit` parts

    from replycoach.audit import build_report                    # the report streams over any such directory
    build_report("audit/", "report.html")

How it works: `audit_dataframe` selects the needed columns and calls `df.mapInPandas(fn, schema=SPARK_DDL)`
where `fn` is `audit_partitions` with the options bound. On an executor, `audit_partitions` gets the
Coach from `get_coach` - a module-level lazy singleton, so the model is loaded once per Python worker
process (Spark reuses workers: spark.python.worker.reuse=true, the default) rather than once per
partition or batch - and scores each Arrow batch through `Coach.check_many` in `batch_size` slices.
Set `spark.sql.execution.arrow.maxRecordsPerBatch` to bound the rows per pandas batch (default 10,000).

`row`: Spark has no global input order, so the output's `row` is the value of `row_col` (an integer id
column of yours) or, by default, `monotonically_increasing_id()` (unique, not consecutive). Resume is
Spark's job here (task retries); the part-file resume of `run_audit` is for single-machine runs.
"""
from __future__ import annotations

import functools
import threading
from typing import Any, Iterable, Iterator

from .process import COLUMNS

_SPARK_TYPES = {"int64": "bigint", "float64": "double", "string": "string"}
#: the output schema as a Spark DDL string (no pyspark import needed to build it)
SPARK_DDL = ", ".join(f"`{name}` {_SPARK_TYPES[t]}" for name, t in COLUMNS.items())
ROW_ID = "_replycoach_row"

_COACH: Any = None
_COACH_KEY: tuple | None = None
_LOCK = threading.Lock()


def get_coach(model: str | None = "default", rules_only: bool = False, coach_options: dict[str, Any] | None = None) -> Any:
    """The process-wide Coach, built on first use (per executor process) and reused afterwards.

    model: 'default' (the shipped model) or a model directory path; rules_only=True skips the model;
    coach_options: other `Coach` keyword arguments (rules, allow, explain, policy), as a CLI run would set them.
    """
    global _COACH, _COACH_KEY
    options = dict(coach_options or {})
    key = (model, rules_only, repr(sorted(options.items())))
    if _COACH is None or _COACH_KEY != key:
        with _LOCK:
            if _COACH is None or _COACH_KEY != key:
                from ..coach import Coach

                if rules_only:
                    options["model"] = None
                elif model not in (None, "default"):
                    options["model"] = model
                _COACH = Coach(**options)
                _COACH_KEY = key
    return _COACH


def audit_records(coach: Any, records: Iterable[dict[str, Any]], *, text_col: str = "reply", customer_col: str | None = None,
                  agent_col: str | None = None, team_col: str | None = None, time_col: str | None = None,
                  row_col: str | None = None, batch_size: int = 64) -> list[dict[str, Any]]:
    """Result dicts for plain record dicts; `row` is taken from `row_col` when given (pure Python, no pandas)."""
    from . import audit_rows

    records = list(records)
    results = list(audit_rows(coach, records, text_col=text_col, customer_col=customer_col, agent_col=agent_col,
                              team_col=team_col, time_col=time_col, batch_size=batch_size))
    if row_col is not None:
        for rec, res in zip(records, results):
            value = rec.get(row_col)
            try:
                res["row"] = int(value) if value is not None else None
            except (TypeError, ValueError):
                res["row"] = None
    return results


def audit_partitions(batches: Iterator[Any], *, text_col: str = "reply", customer_col: str | None = None,
                     agent_col: str | None = None, team_col: str | None = None, time_col: str | None = None,
                     row_col: str | None = ROW_ID, model: str | None = "default", rules_only: bool = False,
                     coach_options: dict[str, Any] | None = None, batch_size: int = 64) -> Iterator[Any]:
    """The mapInPandas function: pandas DataFrames in, pandas DataFrames with `SPARK_DDL` columns out."""
    import pandas as pd

    coach = get_coach(model, rules_only, coach_options)
    for pdf in batches:
        records = pdf.astype(object).where(pdf.notna(), None).to_dict("records")
        results = audit_records(coach, records, text_col=text_col, customer_col=customer_col, agent_col=agent_col,
                                team_col=team_col, time_col=time_col, row_col=row_col, batch_size=batch_size)
        frame = pd.DataFrame.from_records(results, columns=list(COLUMNS))
        for name, t in COLUMNS.items():
            if t == "int64":
                frame[name] = frame[name].astype("Int64")
            elif t == "float64":
                frame[name] = frame[name].astype("float64")
        yield frame


def audit_dataframe(df: Any, *, text_col: str = "reply", customer_col: str | None = None, agent_col: str | None = None,
                    team_col: str | None = None, time_col: str | None = None, row_col: str | None = None,
                    model: str | None = "default", rules_only: bool = False, coach_options: dict[str, Any] | None = None,
                    batch_size: int = 64) -> Any:
    """A Spark DataFrame of audit results (columns as in `SPARK_DDL`), one row per row of `df`.

    coach_options: `Coach` keyword arguments (e.g. {"rules": ["acme.yaml"], "explain": False}), so a Spark run scores
    exactly as `replycoach audit --rules acme.yaml --no-explain` would; paths must exist on every executor."""
    if row_col is None:
        from pyspark.sql import functions as F

        df = df.withColumn(ROW_ID, F.monotonically_increasing_id())
        row_col = ROW_ID
    needed = list(dict.fromkeys(c for c in (text_col, customer_col, agent_col, team_col, time_col, row_col) if c))
    fn = functools.partial(audit_partitions, text_col=text_col, customer_col=customer_col, agent_col=agent_col,
                           team_col=team_col, time_col=time_col, row_col=row_col, model=model, rules_only=rules_only,
                           coach_options=coach_options, batch_size=batch_size)
    return df.select(*needed).mapInPandas(fn, schema=SPARK_DDL)
