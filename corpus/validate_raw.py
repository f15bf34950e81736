"""Check raw label files against corpus/LABELLING.md (format only; it never decides a label).

Usage (with replycoach installed): python corpus/validate_raw.py corpus/raw/FILE.jsonl [...]
Exits 1 and prints each problem as FILE:LINE: message.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from replycoach.training.corpus import gate_for  # the one definition of the gate rule

STANCES = {"passive", "assertive", "aggressive"}
CHANNELS = {"chat", "email", "social", "sms", "phone"}
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "ibm_twitter_care" / "agent_replies.jsonl"


def real_replies() -> dict[str, dict]:
    with open(SHARED, encoding="utf-8") as fh:
        return {r["reply_id"]: r for r in map(json.loads, fh)}


def problems(row: dict, real: bool) -> list[str]:
    out = []
    reply = row.get("reply")
    if not real:
        if not isinstance(reply, str) or not reply.strip():
            return ["reply must be a non-empty string"]
        n = len(reply.split())
        if n < 2 or n > 250:
            out.append(f"reply has {n} words; keep 2-250")
        if not isinstance(row.get("customer"), str):
            out.append('customer must be a string ("" when none)')
        if row.get("channel") not in CHANNELS:
            out.append(f"channel must be one of {sorted(CHANNELS)}")
        if not row.get("industry"):
            out.append("industry missing")
        if row.get("generation") not in {"authored", "augmented"}:
            out.append("generation must be authored or augmented")
        if not row.get("id"):
            out.append("id missing")
    else:
        src = REAL.get(row.get("reply_id"))
        if src is None:
            return [f"reply_id {row.get('reply_id')!r} is not in {SHARED.name}"]
        reply = src["reply"]
    if row.get("empathy") not in (0, 1, 2):
        out.append("empathy must be 0, 1 or 2")
    if row.get("stance") not in STANCES:
        out.append(f"stance must be one of {sorted(STANCES)}")
    for key in ("dismissive", "proactive"):
        if row.get(key) not in (0, 1):
            out.append(f"{key} must be 0 or 1")
    spans = row.get("dismissive_spans")
    if not isinstance(spans, list):
        out.append("dismissive_spans must be a list")
        spans = []
    if row.get("dismissive") == 1 and not spans:
        out.append("dismissive=1 needs at least one span")
    if row.get("dismissive") == 0 and spans:
        out.append("dismissive=0 must have no spans")
    if isinstance(reply, str):
        for s in spans:
            if not isinstance(s, str) or not s or s not in reply:
                out.append(f"span {s!r} is not an exact substring of reply")
    if row.get("customer_distress") not in (0, 1, None):
        out.append("customer_distress must be 0, 1 or null")
    if row.get("gate") != gate_for(row):
        out.append(f"gate should be {gate_for(row)!r} by the rule in LABELLING.md")
    return out


REAL: dict[str, dict] = {}


def main(paths: list[str]) -> int:
    REAL.update(real_replies())
    bad = 0
    seen: set[str] = set()
    for path in paths:
        real = "real" in path.rsplit("/", 1)[-1] or "second" in path.rsplit("/", 1)[-1]
        with open(path, encoding="utf-8") as fh:
            for i, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    print(f"{path}:{i}: not JSON ({exc})")
                    bad += 1
                    continue
                key = row.get("id") or row.get("reply_id")
                if key in seen:
                    print(f"{path}:{i}: duplicate id {key}")
                    bad += 1
                seen.add(key)
                for p in problems(row, real):
                    print(f"{path}:{i}: {p}")
                    bad += 1
    print(f"{bad} problem(s) in {len(paths)} file(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
