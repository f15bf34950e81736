"""The labelled corpus: size, provenance, label validity, spans, and leak-free splits."""
from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from replycoach.training.corpus import OUT, near_duplicate_groups, read_jsonl, shingles

ROWS = read_jsonl(OUT)


def test_size_and_provenance():
    prov = Counter(r["provenance"] for r in ROWS)
    assert len(ROWS) >= 5000
    assert prov["real"] >= 1000
    assert prov["augmented"] <= len(ROWS) / 4
    for r in ROWS:
        assert r["source"] and r["labelled_by"] and r["labelling"], r["id"]


def test_labels_are_valid_and_gate_follows_the_rule():
    for r in ROWS:
        assert r["empathy"] in (0, 1, 2) and r["stance"] in ("passive", "assertive", "aggressive")
        assert r["dismissive"] in (0, 1) and r["proactive"] in (0, 1)
        review = r["dismissive"] == 1 or r["stance"] == "aggressive" or (r["empathy"] == 0 and r["customer_distress"] == 1)
        assert r["gate"] == ("review" if review else "send"), r["id"]


def test_spans_are_offsets_into_the_reply():
    for r in ROWS:
        assert bool(r["dismissive_spans"]) == (r["dismissive"] == 1), r["id"]
        for a, b in r["dismissive_spans"]:
            assert 0 <= a < b <= len(r["reply"])


def test_splits_are_fixed_and_no_near_duplicate_straddles_them():
    assert {r["split"] for r in ROWS} == {"train", "dev", "test"}
    by_group = defaultdict(set)
    for r in ROWS:
        by_group[r["group"]].add(r["split"])
    assert all(len(s) == 1 for s in by_group.values())
    # independent check: any pair with high shingle overlap in different splits is a leak
    test = [r for r in ROWS if r["split"] == "test"]
    other = [r for r in ROWS if r["split"] != "test"]
    index = defaultdict(list)
    for i, r in enumerate(other):
        for g in shingles(r["reply"]):
            index[g].append(i)
    for r in test:
        s = shingles(r["reply"])
        cands = Counter(j for g in s for j in index.get(g, ()) if len(index[g]) <= 300)
        for j, shared in cands.items():
            jac = shared / (len(s) + len(shingles(other[j]["reply"])) - shared)
            assert jac < 0.6, (r["id"], other[j]["id"], jac)


def test_near_duplicate_grouping_catches_templates():
    g = near_duplicate_groups(["Hi Ann, please DM us your order 123 and we'll check it for you today.",
                               "Hi Bob, please DM us your order 987 and we'll check it for you today.",
                               "Your parcel is lost; I've sent a new one by express."])
    assert g[0] == g[1] != g[2]


@pytest.mark.parametrize("label", ["dismissive", "proactive"])
def test_every_split_has_both_classes(label):
    for split in ("train", "dev", "test"):
        assert {r[label] for r in ROWS if r["split"] == split} == {0, 1}


def test_build_reproduces_the_committed_corpus():
    """The corpus in git is exactly what the build makes from corpus/raw (splits frozen, group ids canonical)."""
    from replycoach.training.corpus import SHARED, build

    if not SHARED.is_file():
        pytest.skip(f"{SHARED} is not here (the real replies' text comes from ../shared beside the checkout)")
    assert build() == ROWS


def test_grouping_does_not_depend_on_input_order():
    texts = ["Hi Ann, please DM us your order 123 and we'll check it for you today.", "Refund sent.",
             "Hi Bob, please DM us your order 987 and we'll check it for you today.", "Your parcel is lost; I've re-sent it."]

    def partition(items):
        groups = defaultdict(set)
        for text, g in zip(items, near_duplicate_groups(items)):
            groups[items[g]].add(text)
        return sorted(sorted(v) for v in groups.values())

    assert near_duplicate_groups(texts) == [0, 1, 0, 3]  # each group named by its first member
    assert partition(texts) == partition(texts[::-1]) == partition([texts[2], texts[0], texts[3], texts[1]])


def test_held_back_rows_are_valid_and_outside_the_corpus():
    """corpus/held_back/ keeps labelled rows the build does not read (see its README); they must stay usable and apart."""
    import importlib.util
    import json

    from replycoach.training.corpus import ROOT

    spec = importlib.util.spec_from_file_location("validate_raw", ROOT / "corpus" / "validate_raw.py")
    validate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(validate)
    files = sorted((ROOT / "corpus" / "held_back").glob("*.jsonl"))
    assert files
    corpus_ids = {r["id"] for r in ROWS}
    for path in files:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert len(rows) == 90, path.name
        for row in rows:
            assert not validate.problems(row, real=False), (path.name, row["id"], validate.problems(row, real=False))
            assert row["id"] not in corpus_ids, row["id"]
