"""The fine-tuned classifier behind the scores: one interface, torch and ONNX Runtime engines."""
from .base import ModelConfig, ModelOutput, Scorer, SentenceScore, base_encoder_dir
from .loading import DEFAULT_MODEL_DIR, load_scorer

__all__ = ["ModelConfig", "ModelOutput", "Scorer", "SentenceScore", "base_encoder_dir", "load_scorer", "DEFAULT_MODEL_DIR"]
