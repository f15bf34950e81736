"""Batch audit: readers (CSV/JSONL/Parquet), cleaning, error rows, resume after a kill, report, CLI, Spark glue."""
from __future__ import annotations

import csv
import io
import itertools
import json
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from replycoach import Coach, InputError  # noqa: E402
from replycoach.audit import COLUMNS, AuditIntegrityError, Columns, build_report, clean_reply, iter_output, run_audit  # noqa: E402
from replycoach.audit.process import parse_time  # noqa: E402
from replycoach.audit.progress import Progress  # noqa: E402
from replycoach.audit.run import MANIFEST, list_parts, verify_output  # noqa: E402

HTML_REPLY = ("<html><body><div dir=\"ltr\"><p>Hi Jane,</p><p>I&#39;m sorry, we can&#39;t help you with that &amp; the refund is final.</p>"
              "<p>Kind regards,<br>Sam<br>Acme Support</p></div>"
              "<div class=\"gmail_quote\"><div>On Mon, 3 Jun 2024 at 10:00, Jane &lt;jane@example.com&gt; wrote:</div>"
              "<blockquote>Where is my REFUND?? This is the third time I ask.</blockquote></div></body></html>")
PLAIN_QUOTED = ("Thanks for waiting, I have reset your password and emailed you a link.\n\n"
                "On Tue, 4 Jun 2024 at 09:12, Jane Doe <jane@example.com> wrote:\n> I cannot log in\n> please fix")
OUTLOOK = "We fixed it today.\n\n-----Original Message-----\nFrom: Jane\nSent: Monday\nTo: support\nSubject: help\n\nIt is broken, calm down yourself"
SIG_DASH = "I've sent a replacement parcel by courier and will confirm tracking by 3pm.\n-- \nSam Smith | Acme | +44 20 1234 5678"

ROWS = [
    {"reply": "I cannot help you with that, calm down.", "customer": "My refund never arrived!", "agent": "sam", "team": "billing", "sent": "2024-06-01T10:00:00Z"},
    {"reply": HTML_REPLY, "customer": "<p>Where is my refund?</p>", "agent": "sam", "team": "billing", "sent": "2024-06-01T11:00:00"},
    {"reply": PLAIN_QUOTED, "customer": "", "agent": "ana", "team": "ship", "sent": "2024-06-02"},
    {"reply": OUTLOOK, "customer": "", "agent": "ana", "team": "ship", "sent": "2024-06-03 09:00:00"},
    {"reply": SIG_DASH, "customer": "Parcel lost again", "agent": "<script>alert(1)</script>", "team": "ship", "sent": "2024-06-10"},
    {"reply": "That's not our problem, there is nothing we can do.", "customer": "", "agent": "bo", "team": "billing", "sent": "2024-06-10"},
]
COLS = Columns(text="reply", customer="customer", agent="agent", team="team", time="sent")


def write_csv(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_parquet(path: Path, rows: list[dict]) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def read_out(out: Path) -> list[dict]:
    return list(iter_output(out))


class Counting:
    """Wraps a Coach and records every reply it is asked to score."""

    def __init__(self, inner):
        self.inner, self.versions, self.seen = inner, inner.versions, []

    def check_many(self, replies, customers=None):
        self.seen.extend(replies)
        return self.inner.check_many(replies, customers)


# --- cleaning -------------------------------------------------------------------------------------------


def test_clean_html_drops_quote_and_signature():
    c = clean_reply(HTML_REPLY)
    assert c.text == "Hi Jane,\n\nI'm sorry, we can't help you with that & the refund is final."
    assert c.removed == ["html", "quote", "signature"]
    assert "<" not in c.text and "REFUND" not in c.text and "Sam" not in c.text


@pytest.mark.parametrize("raw, kept, gone", [
    (PLAIN_QUOTED, "I have reset your password and emailed you a link.", "cannot log in"),
    (OUTLOOK, "We fixed it today.", "calm down"),
    (SIG_DASH, "will confirm tracking by 3pm.", "Sam Smith"),
    ("Refund sent.\n\nBest regards,\nSam\nAcme Support\nsupport@acme.example", "Refund sent.", "Sam"),
    ("Done.\n\n________________________________\nFrom: Jane <j@x.com>\nSent: Monday\nSubject: x\nold text", "Done.", "old text"),
    ("Sorted it.\n\nSent from my iPhone", "Sorted it.", "iPhone"),
    ("Fine.\nOn Mon, 3 Jun 2024 at 10:02, Jane Doe <jane@example.com>\nwrote:\n> old", "Fine.", "old"),
])
def test_clean_plain_text_quotes_and_signatures(raw, kept, gone):
    text = clean_reply(raw).text
    assert kept in text and gone not in text


def test_clean_leaves_an_ordinary_reply_alone():
    reply = "Thank you!\nWe will call you tomorrow to set up a new delivery date for your order."
    assert clean_reply(reply).text == reply and clean_reply(reply).removed == []
    assert clean_reply("Use x > 3 items, see <the guide>.").text == "Use x > 3 items, see <the guide>."


# --- Python API -----------------------------------------------------------------------------------------


def test_coach_audit_one_result_per_input_with_offsets_into_clean_text(coach):
    items = [*ROWS, "Calm down.", "", None, 42, {"other": "x"}, "x" * 100_001, {"reply": b"\xff\xfe"}]
    results = list(coach.audit(items, customer_col="customer", agent_col="agent", team_col="team", time_col="sent", batch_size=4))
    assert len(results) == len(items)
    assert [r["row"] for r in results] == list(range(len(items)))
    assert all(set(r) == set(COLUMNS) for r in results)
    kinds = [r["error_kind"] for r in results]
    assert kinds[: len(ROWS) + 1] == [None] * (len(ROWS) + 1)
    assert kinds[len(ROWS) + 1 :] == ["empty", "empty", "not_text", "missing", "oversize", "undecodable"]
    for r in results:
        if r["status"] == "ok":
            assert 0 <= r["dismissive"] <= 1 and r["verdict"] in ("send", "review") and r["stance"]
            for f in json.loads(r["findings"]):
                assert r["clean_text"][f["start"] : f["end"]] == f["text"]
        else:
            assert r["error"] and r["verdict"] is None and r["dismissive"] is None
    assert results[1]["clean_text"].startswith("Hi Jane,") and results[1]["cleaned"] == "html+quote+signature"
    assert results[0]["agent"] == "sam" and results[0]["date"] == "2024-06-01"
    assert any(f["id"] == "dismissive.cannot-help" for f in json.loads(results[0]["findings"]))


def test_coach_audit_is_lazy_and_rejects_a_single_string(rules_coach):
    endless = (f"Reply number {i}: I cannot help you." for i in itertools.count())
    first = list(itertools.islice(rules_coach.audit(endless, batch_size=8), 20))
    assert [r["row"] for r in first] == list(range(20)) and all(r["verdict"] == "review" for r in first)
    with pytest.raises(InputError):
        rules_coach.audit("just one reply")


def test_parse_time():
    assert parse_time("2024-06-01T10:00:00Z") == ("2024-06-01T10:00:00Z", "2024-06-01")
    assert parse_time(1717400000)[1] == "2024-06-03"
    assert parse_time(1717400000000)[1] == "2024-06-03"
    assert parse_time("Mon, 03 Jun 2024 10:00:00 +0000")[1] == "2024-06-03"
    assert parse_time("yesterday") == ("yesterday", None)
    assert parse_time(None) == (None, None)


# --- files ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("writer", [write_csv, write_jsonl, write_parquet], ids=["csv", "jsonl", "parquet"])
def test_file_formats_give_the_same_rows(coach, tmp_path, writer):
    src = writer(tmp_path / {"write_csv": "in.csv", "write_jsonl": "in.jsonl", "write_parquet": "in.parquet"}[writer.__name__], ROWS)
    res = run_audit(src, tmp_path / "out.parquet", coach, columns=COLS, chunk_rows=4, batch_size=3)
    assert res.rows_in == res.rows_out == len(ROWS) and res.ok == len(ROWS) and res.errors == 0 and res.parts == 2
    rows = read_out(tmp_path / "out.parquet")
    direct = list(coach.audit(ROWS, customer_col="customer", agent_col="agent", team_col="team", time_col="sent"))
    assert [r["row"] for r in rows] == list(range(len(ROWS)))
    for got, want in zip(rows, direct):
        assert {k: got[k] for k in ("clean_text", "verdict", "stance", "agent", "team", "date", "findings")} == \
               {k: want[k] for k in ("clean_text", "verdict", "stance", "agent", "team", "date", "findings")}
        assert got["dismissive"] == pytest.approx(want["dismissive"], abs=1e-5)
    if writer is not write_parquet:
        assert rows[1]["line"] is not None
    assert pq.read_schema(list_parts(tmp_path / "out.parquet")[0]).names == list(COLUMNS)


def test_bad_csv_rows_each_give_an_error_row(rules_coach, tmp_path):
    src = tmp_path / "bad.csv"
    body = io.StringIO()
    w = csv.writer(body)
    w.writerow(["reply", "agent"])
    w.writerow(["Refund sent, you'll see it on Friday.", "sam"])
    w.writerow(["", "sam"])
    w.writerow(["x" * 100_001, "ana"])
    w.writerow(["A reply\nover two lines, quoted.", "ana"])
    data = body.getvalue().encode() + b"caf\xe9 is closed sorry,bo\r\n" + b"too,many,fields\r\n" + b"Last one: I will call you at 3pm.,bo\r\n"
    src.write_bytes(data)
    res = run_audit(src, tmp_path / "out.parquet", rules_coach, columns=Columns(agent="agent"), chunk_rows=3)
    rows = read_out(tmp_path / "out.parquet")
    assert res.rows_in == res.rows_out == len(rows) == 7
    assert [r["error_kind"] for r in rows] == [None, "empty", "oversize", None, "undecodable", "malformed", None]
    assert rows[3]["clean_text"] == "A reply\nover two lines, quoted." and rows[4]["agent"] == "bo"
    assert res.error_kinds == {"empty": 1, "malformed": 1, "oversize": 1, "undecodable": 1}


def test_bad_jsonl_rows_each_give_an_error_row(rules_coach, tmp_path):
    src = tmp_path / "bad.jsonl"
    lines = [json.dumps({"reply": "We refunded you today."}).encode(), json.dumps({"reply": 12345}).encode(), b'{"reply": "unterminated',
             b"", json.dumps({"reply": None}).encode(), b'["not", "an", "object"]', json.dumps({"text": "wrong key"}).encode(),
             b'{"reply": "caf\xe9"}', json.dumps({"reply": "   "}).encode(), json.dumps({"reply": "<p>&nbsp;</p>"}).encode(),
             json.dumps({"reply": "Sorry, that is not our problem."}).encode()]
    src.write_bytes(b"\n".join(lines) + b"\n")
    res = run_audit(src, tmp_path / "out.parquet", rules_coach, chunk_rows=4)
    rows = read_out(tmp_path / "out.parquet")
    assert res.rows_in == res.rows_out == len(rows) == 10  # the blank line is not a record
    assert [r["error_kind"] for r in rows] == [None, "not_text", "malformed", "empty", "malformed", "missing", "undecodable", "empty", "empty", None]
    assert [r["line"] for r in rows][:4] == [1, 2, 3, 5]
    assert rows[-1]["verdict"] == "review"


def test_parquet_non_text_column_gives_error_rows(rules_coach, tmp_path):
    src = write_parquet(tmp_path / "in.parquet", [{"reply": 1, "agent": 7}, {"reply": 2, "agent": None}])
    rows = read_out(run_audit(src, tmp_path / "out.parquet", rules_coach, columns=Columns(agent="agent")).out)
    assert [r["error_kind"] for r in rows] == ["not_text", "not_text"] and rows[0]["agent"] == "7"


def test_missing_column_or_file_is_an_input_error(rules_coach, tmp_path):
    src = write_csv(tmp_path / "in.csv", ROWS)
    with pytest.raises(InputError, match="no column 'body'"):
        run_audit(src, tmp_path / "out.parquet", rules_coach, columns=Columns(text="body"))
    with pytest.raises(InputError, match="no such file"):
        run_audit(tmp_path / "nope.csv", tmp_path / "out.parquet", rules_coach)
    with pytest.raises(InputError, match="--format"):
        run_audit(write_csv(tmp_path / "in.data", ROWS), tmp_path / "out.parquet", rules_coach)


# --- resume ---------------------------------------------------------------------------------------------


def _many(n: int) -> list[dict]:
    return [{"reply": f"Reply {i}: " + ("I cannot help you." if i % 3 == 0 else "I have refunded you."), "agent": f"a{i % 4}"} for i in range(n)]


class Killed(Exception):
    pass


def test_resume_after_interruption_scores_each_row_once(rules_coach, tmp_path):
    src, out = write_jsonl(tmp_path / "in.jsonl", _many(23)), tmp_path / "out.parquet"

    def kill_after_two(k, path):
        if k == 1:
            raise Killed

    first = Counting(rules_coach)
    with pytest.raises(Killed):
        run_audit(src, out, first, columns=Columns(agent="agent"), chunk_rows=5, batch_size=2, on_chunk=kill_after_two)
    assert [p.name for p in list_parts(out)] == ["part-00000.parquet", "part-00001.parquet"]
    assert len(first.seen) == 10
    (out / ".part-00002.parquet.tmp-999").write_bytes(b"torn write")  # a half-written temp file from the kill
    again = Counting(rules_coach)
    res = run_audit(src, out, again, columns=Columns(agent="agent"), chunk_rows=5, batch_size=2)
    assert len(again.seen) == 13 and not set(first.seen) & set(again.seen)  # nothing scored twice
    assert res.rows_in == res.rows_out == 23 and res.scored_now == 13 and res.parts == 5
    rows = read_out(out)
    assert [r["row"] for r in rows] == list(range(23))  # nothing lost, nothing duplicated
    assert [r["clean_text"] for r in rows] == [r["reply"] for r in _many(23)]
    assert not list(out.glob(".*tmp*"))
    assert json.loads((out / MANIFEST).read_text())["complete"] is True
    third = Counting(rules_coach)
    assert run_audit(src, out, third, columns=Columns(agent="agent"), chunk_rows=5).scored_now == 0 and not third.seen


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_resume_after_sigkill(rules_coach, tmp_path):
    src, out = write_csv(tmp_path / "in.csv", _many(17)), tmp_path / "out.parquet"
    script = textwrap.dedent("""
        import os, signal, sys
        from replycoach import Coach
        from replycoach.audit import run_audit
        def hook(k, path):
            if k == 1:
                os.kill(os.getpid(), signal.SIGKILL)
        run_audit(sys.argv[1], sys.argv[2], Coach(model=None), chunk_rows=4, on_chunk=hook)
    """)
    proc = subprocess.run([sys.executable, "-c", script, str(src), str(out)], capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    assert len(list_parts(out)) == 2
    again = Counting(rules_coach)
    res = run_audit(src, out, again, chunk_rows=4)
    assert len(again.seen) == 9 and res.rows_out == 17
    assert [r["row"] for r in read_out(out)] == list(range(17))


def test_resume_refuses_a_changed_input_unless_overwrite(rules_coach, tmp_path):
    src, out = write_csv(tmp_path / "in.csv", _many(6)), tmp_path / "out.parquet"
    run_audit(src, out, rules_coach, chunk_rows=4)
    write_csv(src, _many(8))
    with pytest.raises(InputError, match="different input"):
        run_audit(src, out, rules_coach, chunk_rows=4)
    assert run_audit(src, out, rules_coach, chunk_rows=4, overwrite=True).rows_out == 8
    with pytest.raises(InputError, match="chunk_rows|options"):
        run_audit(src, out, rules_coach, chunk_rows=3)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="not an audit output"):
        run_audit(src, tmp_path / "other", rules_coach)


def test_an_input_edited_in_the_middle_is_a_different_input(tmp_path):
    """Same size, same first and last MiB, one reply corrected in the middle: a resume must not reuse parts scored
    from the old text (the fingerprint once hashed only the size and the two ends)."""
    from replycoach.audit.readers import fingerprint

    line = b"Reply: I have refunded you.,a1\n"
    src = tmp_path / "big.csv"
    src.write_bytes(b"reply,agent\n" + line * (3 * (1 << 20) // len(line)))
    before = fingerprint(src)
    data = bytearray(src.read_bytes())
    mid = data.index(b"refunded", len(data) // 2)
    data[mid:mid + 8] = b"declined"
    src.write_bytes(bytes(data))
    assert src.stat().st_size == len(data) and fingerprint(src) != before


def test_rows_in_must_equal_rows_out(rules_coach, tmp_path):
    src, out = write_csv(tmp_path / "in.csv", _many(9)), tmp_path / "out.parquet"
    run_audit(src, out, rules_coach, chunk_rows=4)
    (out / "part-00001.parquet").unlink()
    with pytest.raises(AuditIntegrityError, match="rows in \\(9\\) != rows out \\(5\\)"):
        verify_output(out, 9, 4)


# --- report ---------------------------------------------------------------------------------------------


def _assert_self_contained(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert "<script" not in page.lower() and "<link" not in page.lower() and "@import" not in page
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", page, re.I)
    assert "http://" not in page and "https://" not in page


def test_report_html_json_md(coach, tmp_path):
    src = write_csv(tmp_path / "in.csv", ROWS + [{"reply": "", "customer": "", "agent": "bo", "team": "x", "sent": "nonsense"}])
    res = run_audit(src, tmp_path / "out.parquet", coach, columns=COLS, chunk_rows=3)
    build_report(res.out, tmp_path / "report.html", coach, top=5)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    _assert_self_contained(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # agent names are escaped
    js = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    rows = read_out(res.out)
    assert js["rows"] == len(rows) == res.rows_out and js["ok"] == sum(r["status"] == "ok" for r in rows) == res.ok
    assert js["errors"] == 1 and js["error_kinds"] == {"empty": 1}
    assert js["verdicts"]["review"] == sum(r["verdict"] == "review" for r in rows)
    assert sum(js["scores"]["dismissive"]["histogram"]) == res.ok
    assert {a["key"]: a["rows"] for a in js["agents"]}["sam"] == 2
    assert [p["key"] for p in js["trend"]["points"]] == ["2024-06-01", "2024-06-02", "2024-06-03", "2024-06-10"]
    assert js["trend"]["rows_without_date"] == 1
    phrases = {p["phrase"]: p["count"] for p in js["dismissive_phrases"]}
    assert "cannot help you with that" in phrases
    worst = js["worst"]
    assert 0 < len(worst) <= 5 and [w["dismissive"] for w in worst] == sorted((w["dismissive"] for w in worst), reverse=True)
    first = next(w for w in worst if w["row"] == 0)  # "I cannot help you with that, calm down."
    assert "dismissive.cannot-help" in [s["id"] for s in first["suggestions"]]
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "# Reply audit" in md and f"| {len(rows):,} |" in md


def test_report_uses_coach_rewrite_when_present(rules_coach, tmp_path):
    class Rewriting(Coach):
        def rewrite(self, reply, customer=None):
            return [type("R", (), {"text": "REWRITTEN: " + reply})()]

    coach = Rewriting(model=None)
    src = write_jsonl(tmp_path / "in.jsonl", [{"reply": "That is not our problem."}, {"reply": "Refund sent."}])
    res = run_audit(src, tmp_path / "out.parquet", coach)
    s = build_report(res.out, tmp_path / "r.html", coach)
    assert s["meta"]["rewrite"] is True and s["worst"][0]["rewrite"] == "REWRITTEN: That is not our problem."
    _assert_self_contained((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert "REWRITTEN" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_report_without_rewrite_shows_finding_suggestions(rules_coach, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", [{"reply": "That is not our problem, calm down."}, {"reply": "Refund sent."}])
    res = run_audit(src, tmp_path / "out.parquet", rules_coach)
    for coach in (None, rules_coach):  # no coach at all / a rules-only coach whose rewrite (if any) cannot run
        s = build_report(res.out, tmp_path / "r.html", coach)
        assert s["meta"]["rewrite"] is False and s["worst"] and s["worst"][0]["rewrite"] is None
        assert s["worst"][0]["suggestions"]
        page = (tmp_path / "r.html").read_text(encoding="utf-8")
        assert "Suggested fixes come from the findings" in page
        _assert_self_contained(page)


def test_report_of_an_empty_input(rules_coach, tmp_path):
    src = tmp_path / "empty.jsonl"
    src.write_text("\n", encoding="utf-8")
    res = run_audit(src, tmp_path / "out.parquet", rules_coach)
    assert res.rows_in == res.rows_out == 0
    s = build_report(res.out, tmp_path / "r.html")
    assert s["rows"] == 0 and "<svg" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_progress_line_has_rate_and_eta():
    stream = io.StringIO()
    frac = iter([0.1, 0.5, 0.5, 0.5])
    bar = Progress(enabled=True, fraction=lambda: next(frac, 0.5), stream=stream)
    bar.update(100)
    bar.update(400, errors=3)
    line = bar.line()
    assert "rows/s" in line and "ETA 0:" in line and "500 rows" in line and "3 error rows" in line
    bar.close()
    assert stream.getvalue().strip()


# --- CLI ------------------------------------------------------------------------------------------------


def _cli(args: list[str]):
    import typer
    from typer.testing import CliRunner

    from replycoach.audit.cli import audit_command

    app = typer.Typer()
    app.command("audit")(audit_command)
    app.command("noop")(lambda: None)  # two commands, so 'audit' is a subcommand as in the real CLI
    return CliRunner().invoke(app, ["audit", *args])


def test_cli_audit_and_resume(tmp_path):
    src = write_csv(tmp_path / "replies.csv", ROWS)
    args = [str(src), "--text-col", "reply", "--customer-col", "customer", "--agent-col", "agent", "--team-col", "team",
            "--time-col", "sent", "--out", str(tmp_path / "results.parquet"), "--report", str(tmp_path / "report.html"),
            "--rules-only", "--batch-size", "2", "--chunk-rows", "4", "--no-progress"]
    r = _cli(args)
    assert r.exit_code == 0, r.output
    assert "6 rows in, 6 rows out" in r.output
    for name in ("report.html", "report.json", "report.md"):
        assert (tmp_path / name).is_file()
    r = _cli(args)
    assert r.exit_code == 0 and "6 rows came from an earlier run" in r.output


def test_cli_errors_exit_2(tmp_path):
    src = write_csv(tmp_path / "replies.csv", ROWS)
    r = _cli([str(src), "--text-col", "body", "--rules-only", "--no-progress", "--out", str(tmp_path / "o.parquet")])
    assert r.exit_code == 2 and "no column 'body'" in r.output
    assert _cli([str(tmp_path / "missing.csv"), "--rules-only"]).exit_code == 2
    assert _cli([str(src), "--rules-only", "--report", str(tmp_path / "r.json")]).exit_code == 2


# --- Spark ----------------------------------------------------------------------------------------------


def test_spark_module_imports_without_pyspark_and_audits_records(rules_coach):
    from replycoach.audit import spark

    assert "`row` bigint" in spark.SPARK_DDL and "`findings` string" in spark.SPARK_DDL
    out = spark.audit_records(rules_coach, [{"body": "I cannot help you.", "id": 40}, {"body": 3, "id": 41}], text_col="body", row_col="id")
    assert [(r["row"], r["status"]) for r in out] == [(40, "ok"), (41, "error")]
    assert spark.get_coach(rules_only=True) is spark.get_coach(rules_only=True)  # one Coach per process


def test_spark_coach_takes_the_options_a_cli_run_would(tmp_path):
    from replycoach.audit import spark

    allow = tmp_path / "allow.yaml"
    allow.write_text("rules: [dismissive.cannot-help]\n", encoding="utf-8")
    plain = spark.get_coach(rules_only=True)
    tuned = spark.get_coach(rules_only=True, coach_options={"allow": [str(allow)], "explain": False})
    assert tuned is not plain and tuned.explain is False
    assert spark.get_coach(rules_only=True, coach_options={"explain": False, "allow": [str(allow)]}) is tuned
    ids = lambda coach: [json.loads(r["findings"]) for r in spark.audit_records(coach, [{"reply": "I cannot help you."}])]  # noqa: E731
    assert [f["id"] for f in ids(plain)[0]] == ["dismissive.cannot-help"] and ids(tuned) == [[]]


@pytest.mark.spark
def test_spark_map_in_pandas(monkeypatch):
    pytest.importorskip("pyspark")
    pytest.importorskip("pandas")
    import sys

    from pyspark.sql import SparkSession

    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)  # executors must run this interpreter (replycoach installed)

    from replycoach.audit.spark import audit_dataframe

    spark = SparkSession.builder.master("local[1]").appName("replycoach-test").getOrCreate()
    try:
        df = spark.createDataFrame([(1, "I cannot help you.", "sam"), (2, "", "ana"), (3, "Refund sent today.", "sam")], ["id", "reply", "agent"])
        rows = audit_dataframe(df, agent_col="agent", row_col="id", rules_only=True).orderBy("row").collect()
        assert [(r["row"], r["status"], r["agent"]) for r in rows] == [(1, "ok", "sam"), (2, "error", "ana"), (3, "ok", "sam")]
    finally:
        spark.stop()


def test_explain_setting_reaches_the_audit_and_a_resume_must_keep_it(coach, tmp_path):
    from replycoach import Coach

    src, out = write_csv(tmp_path / "in.csv", _many(6)), tmp_path / "out.parquet"
    plain = Coach(model=coach.scorer, explain=False)
    run_audit(src, out, plain, chunk_rows=4)
    with pytest.raises(InputError, match="options"):
        run_audit(src, out, coach, chunk_rows=4)  # explain=True now: same input, different output, so refused
    assert run_audit(src, out, coach, chunk_rows=4, overwrite=True).rows_out == 6


def test_report_rewrites_take_the_best_candidate_and_give_up_after_three_errors():
    from types import SimpleNamespace

    from replycoach.audit.report import add_suggestions

    def worst(n):
        return {"worst": [{"clean_text": f"reply {i}", "findings": []} for i in range(n)]}

    good = SimpleNamespace(rewrite=lambda text: [SimpleNamespace(text=f"better {text}"), SimpleNamespace(text="second")])
    s = worst(2)
    assert add_suggestions(s, good)["produced"] == 2 and [w["rewrite"] for w in s["worst"]] == ["better reply 0", "better reply 1"]
    calls = []

    def broken(text):
        calls.append(text)
        raise RuntimeError("no")

    info = add_suggestions(worst(5), SimpleNamespace(rewrite=broken))
    assert info["failed"] == 3 and len(calls) == 3 and info["error"] == "RuntimeError: no"


def test_phrases_count_one_sentence_model_findings_and_fold_curly_quotes(coach):
    from replycoach.audit.html_report import highlight
    from replycoach.audit.summary import summarise

    texts = ["Whatever, deal with it yourself.", "I can\u2019t help you with that.", "I can't help you with that."]
    rows = []
    for i, text in enumerate(texts):
        f = {"id": "model.dismissive", "category": "dismissive", "severity": "warning", "start": 0, "end": len(text),
             "text": text, "message": "m", "source": "model"}
        rows.append({"row": i, "status": "ok", "verdict": "review", "clean_text": text, "findings": json.dumps([f]),
                     "dismissive": 0.9, "empathy": 0.0, "proactive": 0.0, "assertiveness": 0.5, "stance": "assertive",
                     "agent": None, "team": None, "date": None})
    phrases = {p["phrase"]: p["count"] for p in summarise(rows)["dismissive_phrases"]}
    assert phrases == {"whatever, deal with it yourself": 1, "i can't help you with that": 2}
    assert highlight(texts[0], json.loads(rows[0]["findings"])) == '<mark title="m">Whatever, deal with it yourself.</mark>'
