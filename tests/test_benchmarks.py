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
    assert json.loads(out.read_text())
