"""Scoring with ONNX Runtime + tokenizers: the fast engine for pre-send checks and audits."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .base import ModelConfig, ModelOutput, base_encoder_dir
from .decode import score_batched
from .tokenize import PairEncoder

#: One reply per run: dynamic int8 quantisation computes activation scales over the whole input tensor, so
#: batching would make a reply's scores depend on its batch-mates (check_many must equal check).
BATCH = 1


class OnnxScorer:
    name = "onnx"

    def __init__(self, onnx_file: Path, cfg: ModelConfig, threads: int = 0):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            opts.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(onnx_file), opts, providers=["CPUExecutionProvider"])
        self.cfg = cfg
        self.version = cfg.version
        self.encoder = PairEncoder(base_encoder_dir() / "tokenizer.json", cfg.max_length, cfg.max_customer_tokens)

    def logits(self, replies: Sequence[str], customers: Sequence[str | None]):
        batch = self.encoder.encode(replies, customers)
        feeds = {"input_ids": batch.input_ids, "attention_mask": batch.attention_mask, "token_type_ids": batch.token_type_ids}
        return batch, self.session.run(None, feeds)

    def score(self, replies: Sequence[str], customers: Sequence[str | None]) -> list[ModelOutput]:
        return score_batched(self, replies, customers, BATCH)
