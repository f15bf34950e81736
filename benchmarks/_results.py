"""Where every benchmark puts its figures: printed, and written as JSON under benchmarks/results/."""
from __future__ import annotations

import json
from pathlib import Path


def save(res: dict, out: str | Path, show: bool = True) -> None:
    text = json.dumps(res, indent=2) + "\n"
    if show:
        print(text, end="")
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(text)
