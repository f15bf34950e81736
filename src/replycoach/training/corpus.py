"""Build the labelled corpus from the raw label files, with offsets, near-duplicate groups and splits.

    python -m replycoach.training.corpus   # corpus/raw/*.jsonl -> corpus/replies.jsonl

Labels are never decided here: this joins the hand labels with their source text, turns span
strings into character offsets, groups near-duplicates and assigns fixed splits.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
RAW = ROOT / "corpus" / "raw"
OUT = ROOT / "corpus" / "replies.jsonl"
SHARED = ROOT.parent / "shared" / "data" / "ibm_twitter_care" / "agent_replies.jsonl"
LABEL_KEYS = ("empathy", "stance", "dismissive", "proactive", "customer_distress", "gate")
SPLITS = (("train", 70), ("dev", 15), ("test", 15))

def gate_for(row: dict) -> str:
    """The gate label LABELS.md defines: review when dismissive, aggressive, or cold to a distressed customer."""
    if row.get("dismissive") == 1 or row.get("stance") == "aggressive":
        return "review"
    return "review" if row.get("empathy") == 0 and row.get("customer_distress") == 1 else "send"


_NORM = re.compile(r"https?://\S+|@\w+|[0-9]+|[^a-z ]")


def shingles(text: str, n: int = 3) -> set[str]:
    words = _NORM.sub(" ", text.lower()).split()
    if len(words) < n:
        return {" ".join(words)}
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def near_duplicate_groups(texts: list[str], threshold: float = 0.6, max_posting: int = 300, same: list[str] | None = None) -> list[int]:
    """Union-find over pairs whose word-3-shingle Jaccard >= threshold; returns a group id per text.

    `same`: optional keys (e.g. the customer message) that also put rows in one group when equal.
    """
    sh = [shingles(t) for t in texts]
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(sh):
        for g in s:
            index[g].append(i)
    for i, s in enumerate(sh):
        cands = Counter(j for g in s for j in index[g] if j > i and len(index[g]) <= max_posting)
        for j, shared in cands.items():
            if shared / (len(s) + len(sh[j]) - shared) >= threshold:
                parent[find(i)] = find(j)
    first: dict[str, int] = {}
    for i, key in enumerate(same or []):
        if key and key.strip():
            parent[find(i)] = find(first.setdefault(key.strip(), i))
    # name each group by its first member, so the result never depends on set iteration (hash seed) order
    lowest: dict[int, int] = {}
    for i in range(len(texts)):
        lowest.setdefault(find(i), i)
    return [lowest[find(i)] for i in range(len(texts))]


def split_of(group_key: str, seed: int = 13) -> str:
    h = int(hashlib.sha256(f"{seed}:{group_key}".encode()).hexdigest(), 16) % 100
    acc = 0
    for name, share in SPLITS:
        acc += share
        if h < acc:
            return name
    return SPLITS[-1][0]


def _spans(reply: str, texts: list[str], where: str) -> list[list[int]]:
    out = []
    for t in texts:
        i = reply.find(t)
        if i < 0:
            raise ValueError(f"{where}: span {t!r} is not in the reply; fix the raw label file")
        out.append([i, i + len(t)])
    return out


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def build(raw: Path = RAW, shared: Path = SHARED, previous: Path | None = OUT) -> list[dict]:
    source = {r["reply_id"]: r for r in read_jsonl(shared)}
    rows: list[dict] = []
    for path in sorted(raw.glob("real_part*.jsonl")):
        for lab in read_jsonl(path):
            src = source[lab["reply_id"]]
            rows.append({"id": f"real-{lab['reply_id']}", "reply": src["reply"], "customer": src["customer"],
                         **{k: lab[k] for k in LABEL_KEYS},
                         "dismissive_spans": _spans(src["reply"], lab["dismissive_spans"], f"{path.name}:{lab['reply_id']}"),
                         "provenance": "real", "source": f"ibm_twitter_care/agent_replies.jsonl#{lab['reply_id']}",
                         "company": src["company"], "channel": "social", "industry": None,
                         "labelled_by": lab.get("labelled_by", path.stem), "labelling": "read and labelled by hand (LABELLING.md)"})
    for path in sorted(raw.glob("authored_*.jsonl")):
        for lab in read_jsonl(path):
            rows.append({"id": lab["id"], "reply": lab["reply"], "customer": lab.get("customer") or "",
                         **{k: lab[k] for k in LABEL_KEYS},
                         "dismissive_spans": _spans(lab["reply"], lab["dismissive_spans"], f"{path.name}:{lab['id']}"),
                         "provenance": lab.get("generation", "authored"), "source": f"corpus/raw/{path.name}",
                         "company": None, "channel": lab.get("channel"), "industry": lab.get("industry"), "style": lab.get("style"),
                         "labelled_by": lab.get("labelled_by", path.stem), "labelling": "written and labelled case by case (LABELLING.md)"})
    ids = Counter(r["id"] for r in rows)
    dup = [i for i, n in ids.items() if n > 1]
    if dup:
        raise ValueError(f"duplicate ids in corpus/raw: {dup[:5]}")
    # contrast pairs written against one customer message stay on one side of the split
    groups = near_duplicate_groups([r["reply"] for r in rows], same=[r["customer"] if r["provenance"] != "real" else "" for r in rows])
    frozen = _frozen_splits(previous)
    members: dict[int, list[dict]] = defaultdict(list)
    for r, g in zip(rows, groups):
        r["group"] = rows[g]["id"]
        members[g].append(r)
    for g, group in members.items():
        known = {frozen[r["id"]] for r in group if r["id"] in frozen}
        if len(known) > 1:
            raise ValueError(f"near-duplicate group {rows[g]['id']} spans splits {sorted(known)} in {previous}; "
                             "move its rows into one split there before rebuilding")
        split = known.pop() if known else split_of(rows[g]["id"])
        for r in group:
            r["split"] = split
    return rows


def _frozen_splits(previous: Path | None) -> dict[str, str]:
    """Splits are fixed once published: rows already in `previous` keep theirs; only new groups are hashed."""
    if previous is None or not previous.is_file():
        return {}
    return {r["id"]: r["split"] for r in read_jsonl(previous)}


def cohen_kappa(a: list, b: list) -> float:
    n = len(a)
    cats = sorted(set(a) | set(b), key=str)
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[c] * cb[c] for c in cats) / (n * n)
    return 1.0 if pe == 1 else (po - pe) / (1 - pe)


def agreement(raw: Path = RAW) -> dict:
    """Cohen's kappa per label between the first labels and the independent second labels."""
    first = {r["reply_id"]: r for p in raw.glob("real_part*.jsonl") for r in read_jsonl(p)}
    second = read_jsonl(raw / "second_labels.jsonl")
    pairs = [(first[s["reply_id"]], s) for s in second if s["reply_id"] in first]
    out = {"n": len(pairs)}
    for k in LABEL_KEYS:
        a = [str(p[0][k]) for p in pairs]
        b = [str(p[1][k]) for p in pairs]
        out[k] = {"kappa": round(cohen_kappa(a, b), 3), "raw_agreement": round(sum(x == y for x, y in zip(a, b)) / len(a), 3)}
    return out


def main() -> int:
    rows = build()
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    stats = Counter((r["split"], r["provenance"]) for r in rows)
    print(f"wrote {len(rows)} rows to {OUT.relative_to(ROOT)}; " + ", ".join(f"{s}/{p}: {n}" for (s, p), n in sorted(stats.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
