"""Each model's best dev dismissive F1 at FPR <= 3% (training's threshold procedure) on dev subsets.

The one-off script behind best_threshold_f1.json, kept as it ran (session of 2026-11-22). It read the corpus built WITH
corpus/held_back/*.jsonl copied into corpus/raw/ (sha256 59b03fa2...), /tmp/s14/old_model = models/replycoach-minilm at
commit 9587fd2, /tmp/s14/model = `replycoach train --skip-eval` on that corpus (same train_config.json, seed 13),
old_dev_ids.json = the 837 dev ids of 9587fd2, quoted_dev_ids.json (this folder).
"""
import json
import numpy as np
from replycoach import Coach
from replycoach.training.corpus import OUT, read_jsonl
from replycoach.training.train import pick_threshold
from replycoach.training import metrics
rows = [r for r in read_jsonl(OUT) if r["split"] == "dev"]
old_ids = set(json.load(open("/tmp/s14/old_dev_ids.json")))
ex = set(json.load(open("/tmp/s14/quoted_dev_ids.json"))["excluded_rows"])
y = np.array([r["dismissive"] for r in rows]).astype(bool)
subs = {"keep_rule_dev": np.array([r["id"] not in ex for r in rows]), "new_dev_all": np.ones(len(rows), bool),
        "old_dev_837": np.array([r["id"] in old_ids for r in rows]),
        "old_dev_837_minus_quoted": np.array([r["id"] in old_ids and r["id"] not in ex for r in rows])}
res = {}
for name, path in [("shipped", "/tmp/s14/old_model"), ("retrained", "/tmp/s14/model")]:
    c = Coach(model=path, engine="torch")
    p = np.array([s.dismissive for s in c.scorer.score([r["reply"] for r in rows], [r.get("customer") for r in rows])])
    out = {}
    for sub, m in subs.items():
        t = pick_threshold(y[m], p[m], 0.03)
        pred = p[m] >= t
        out[sub] = {"n": int(m.sum()), "thr": t, "f1": round(metrics.f1(y[m], pred), 4), "fpr": round(metrics.fpr(y[m], pred), 4),
                    "auc": round(metrics.auc(y[m], p[m]), 4)}
    res[name] = out
    print(name, json.dumps(out), flush=True)
json.dump(res, open("/tmp/s14/bestf1.json", "w"), indent=1)
