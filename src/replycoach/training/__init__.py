"""Training lives apart from inference: corpus building, fine-tuning, calibration, export."""
