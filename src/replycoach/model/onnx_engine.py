"""Scoring with ONNX Runtime + tokenizers: the fast engine for pre-send checks and audits."""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Sequence, TypeVar

from .base import ModelConfig, ModelOutput, base_encoder_dir
from .tokenize import PairEncoder
from .windows import score_whole

#: One reply per run: dynamic int8 quantisation computes activation scales over the whole input tensor, so
#: batching would make a reply's scores depend on its batch-mates (check_many must equal check).
BATCH = 1
#: fewer replies than this are scored on the calling thread without starting lanes (on the all-cores session, or on
#: the lanes' one-thread session once `release_single` has closed it)
MIN_SPREAD = 4

T = TypeVar("T")
R = TypeVar("R")


def open_session(path: Path, threads: int = 0, profile_prefix: str | None = None):
    """An ONNX Runtime CPU session for a graph built by `export`, with the fusions its recipe leaves out kept out."""
    import onnxruntime as ort

    from .export import RUNTIME_DISABLED

    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        opts.intra_op_num_threads = threads
    if profile_prefix:
        opts.enable_profiling = True
        opts.profile_file_prefix = profile_prefix
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"], disabled_optimizers=RUNTIME_DISABLED)


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class OnnxScorer:
    """One reply per run. A single check runs on one session that uses every core; many replies go
    through `lanes` worker threads that share a second, one-thread session (small runs split across
    cores spend much of their time synchronising; separate replies on separate cores do not).
    Both sessions hold the same graph, so a reply scores the same whichever one runs it."""

    name = "onnx"

    def __init__(self, onnx_file: Path, cfg: ModelConfig, threads: int = 0, lanes: int | None = None):
        self.path = Path(onnx_file)
        self.session = open_session(self.path, threads)  # opened here, so a bad graph fails at Coach(), not at the first check
        self.cfg = cfg
        self.version = cfg.version
        self.encoder = PairEncoder(base_encoder_dir() / "tokenizer.json", cfg.max_length, cfg.max_customer_tokens)
        self.lanes = max(1, lanes if lanes is not None else cores())
        self._lane_session = None
        self._local = threading.local()
        self._lock = threading.Lock()

    def logits(self, replies: Sequence[str], customers: Sequence[str | None]):
        batch = self.encoder.encode(replies, customers)
        feeds = {"input_ids": batch.input_ids, "attention_mask": batch.attention_mask, "token_type_ids": batch.token_type_ids}
        session = self.session  # read once: release_single may close it meanwhile
        if session is None or getattr(self._local, "lane", False):
            session = self._lane_session or self._lanes_session()
        return batch, session.run(None, feeds)

    def _lanes_session(self):
        with self._lock:
            if self._lane_session is None:
                self._lane_session = open_session(self.path, 1)
            return self._lane_session

    def release_single(self) -> None:
        """For a job that scores in batches (the file audit calls this): close the all-cores session (about 30 MB);
        from then on a handful of replies, or a single check, runs on the lanes' one-thread session. Scores do not
        change: both sessions hold the same graph. Nothing to release on one core (no lanes)."""
        if self.lanes > 1:
            self._lanes_session()
            with self._lock:
                self.session = None

    def score(self, replies: Sequence[str], customers: Sequence[str | None]) -> list[ModelOutput]:
        return self.map(lambda part: score_whole(self, [r for r, _ in part], [c for _, c in part], BATCH), list(zip(replies, customers)))

    def map(self, fn: Callable[[list[T]], list[R]], items: Sequence[T]) -> list[R]:
        """`fn` over `items` split across the lanes (interleaved, so long and short replies spread evenly),
        results back in input order. Serial on one lane or for a handful of items."""
        if self.lanes == 1 or len(items) < MIN_SPREAD or getattr(self._local, "lane", False):
            return fn(list(items))  # (already on a lane: no nested spreading)
        self._lanes_session()
        n = min(self.lanes, len(items))

        def run(k: int) -> list[R]:
            self._local.lane = True
            try:
                return fn([items[i] for i in range(k, len(items), n)])
            finally:
                self._local.lane = False

        with ThreadPoolExecutor(n, thread_name_prefix="replycoach-lane") as pool:
            parts = list(pool.map(run, range(n)))
        out: list = [None] * len(items)
        for k, part in enumerate(parts):
            out[k::n] = part
        return out
