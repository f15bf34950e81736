"""The benchmark scripts still run against the library (a refactor once broke one unnoticed): small smoke runs."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("script", ["attribution.py", "rewrite_eval.py", "engine_profile.py", "quality.py"])
def test_benchmark_script_runs(script, tmp_path):
    out = tmp_path / "out.json"
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--limit", "25", "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    res = json.loads(out.read_text())
    assert res
    if script == "quality.py":  # the numbers say which replies they are about
        assert res["corpus"]["rows"] == 25 and len(res["corpus"]["sha256"]) == 64
        bests = [subsets["all"]["dismissive_best"] for subsets in res["results"].values()]  # each scorer at its own best
        assert any(b["threshold"] is not None for b in bests)  # threshold under the 3% cap (all three have one on these rows)
        assert all(b["threshold"] is None or b["fpr"] <= 0.03 for b in bests)
    if script == "engine_profile.py":  # the fp32-attention ceilings sit above the measured share, free GELU/LayerNorm higher still
        w = res["work_vs_time_one_thread"]
        assert 0 < w["model_share_of_peak_in_kernel_time"] < w["ceiling_fp32_attention_at_fp32_peak"] < w["ceiling_same_and_gelu_layernorm_free"]
        assert 0 < w["one_thread_fp32_peak_gmacs_per_s"] < w["one_thread_int8_peak_gmacs_per_s"]
    if script == "rewrite_eval.py":  # why candidates miss the gate, by kind, for each one that does
        scored = res["candidates_scored"]
        blocked = scored - round(scored * res["share_scored_clearing_gate"]) if scored else 0
        assert blocked > 0  # the 25 drafts give blocked candidates (5 of 43 when written), so the next line is a real check
        assert sum(res["gate_reasons"].values()) >= blocked  # every blocked candidate has at least one reason counted
