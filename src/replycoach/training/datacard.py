"""Write corpus/README.md (the data card) from the corpus itself and the harness's rules-only numbers.

    python -m replycoach.training.datacard
"""
from __future__ import annotations

import json
import sys
from collections import Counter

from .corpus import OUT, ROOT, agreement, read_jsonl
from .evaluate import evaluate, table


def _dist(rows: list[dict], key: str) -> str:
    c = Counter(str(r[key]) for r in rows)
    return ", ".join(f"{k}: {v} ({v / len(rows):.0%})" for k, v in sorted(c.items()))


def main() -> int:
    from ..coach import Coach

    rows = read_jsonl(OUT)
    test = [r for r in rows if r["split"] == "test"]
    rules = evaluate({"rules": Coach(model=None)}, test)
    kappa = agreement()
    words = sorted(len(r["reply"].split()) for r in rows)
    parts = []
    for name, sub in (("all", rows), ("real", [r for r in rows if r["provenance"] == "real"]),
                      ("authored", [r for r in rows if r["provenance"] == "authored"]), ("augmented", [r for r in rows if r["provenance"] == "augmented"])):
        if not sub:
            continue
        parts.append(f"| {name} | {len(sub)} | {_dist(sub, 'empathy')} | {_dist(sub, 'stance')} | {_dist(sub, 'dismissive')} | "
                     f"{_dist(sub, 'proactive')} | {_dist(sub, 'gate')} |")
    splits = Counter((r["split"], r["provenance"]) for r in rows)
    industries = Counter(r["industry"] for r in rows if r.get("industry"))
    channels = Counter(r["channel"] for r in rows if r.get("channel"))
    writers = len({r["labelled_by"] for r in rows if r["provenance"] == "authored"})
    card = f"""# replycoach corpus — data card

`replies.jsonl`: {len(rows)} agent replies with labels from `../../shared/LABELS.md` (guide: `LABELLING.md`).
Built by `python -m replycoach.training.corpus` from the hand-label files in `raw/`; nothing in the build decides a label.

## Sources and licences
- **real** ({sum(r['provenance'] == 'real' for r in rows)}): every reply of `shared/data/ibm_twitter_care/agent_replies.jsonl` (IBM Twitter customer-care
  conversations, Apache-2.0; handles already replaced by `@user`, e-mails by `__email__`). Text copied with its `source` id; labels in
  `raw/real_part*.jsonl`, each reply read and labelled by one of three labellers (reader-1..3).
- **authored** ({sum(r['provenance'] == 'authored' for r in rows)}): written case by case with their labels (`raw/authored_a*.jsonl`), {writers}
  writers, {len(industries)} industries, channels {dict(channels)}. Project-owned (Apache-2.0, like the code).
- **augmented** ({sum(r['provenance'] == 'augmented' for r in rows)}, {sum(r['provenance'] == 'augmented' for r in rows) / len(rows):.1%} of the corpus, cap 25%):
  template rows (`python -m replycoach.training.augment`), opener + core + closer, labels by construction, marked per row.
- Not used: `shared/data/receptiveness` (not customer service; kept as a possible auxiliary signal).

Each row: `id, reply, customer, empathy, stance, dismissive, dismissive_spans ([start, end) into reply), proactive, customer_distress, gate,
provenance, source, company/industry/channel/style, labelled_by, labelling, group, split`.

Reply length: {words[0]}-{words[-1]} words, median {words[len(words) // 2]}. Industries: {', '.join(f'{k} ({v})' for k, v in industries.most_common())}.

## Label distributions
| subset | n | empathy | stance | dismissive | proactive | gate |
|---|---|---|---|---|---|---|
{chr(10).join(parts)}

## Splits
Fixed by a seeded hash of the near-duplicate group (word-3-shingle Jaccard >= 0.6, plus authored rows that share a customer message),
so near-duplicates and contrast pairs never straddle splits (`tests/test_corpus.py` checks it independently).
The test split is never read by training or threshold tuning. {', '.join(f'{s}/{p}: {n}' for (s, p), n in sorted(splits.items()))}.

## Label quality
{kappa['n']} real replies were labelled a second time, independently (`raw/second_labels.jsonl`, reader-K, who never saw the first labels).
| label | Cohen's kappa | raw agreement |
|---|---|---|
{chr(10).join(f"| {k} | {v['kappa']} | {v['raw_agreement']} |" for k, v in kappa.items() if k != 'n')}

Stance kappa is lowest: almost all real replies are assertive, so the few passive calls dominate chance-corrected agreement.
Known judgement calls (Google's account-recovery template, bare help-site links) are listed in `LABELLING.md`.

## Rules-only scorer on the test split (`python benchmarks/quality.py --rules-only`)
{table(rules)}

Empathy and proactivity have no rules-only score (the rules do not claim to measure them).
"""
    (ROOT / "corpus" / "README.md").write_text(card, encoding="utf-8")
    (ROOT / "benchmarks" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "benchmarks" / "results" / "quality_rules_only.json").write_text(json.dumps({"split": "test", "results": rules}, indent=2) + "\n")
    print(card)
    return 0


if __name__ == "__main__":
    sys.exit(main())
