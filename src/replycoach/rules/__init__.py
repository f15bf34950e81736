"""Phrase rules kept as data: YAML packs in `packs/`, one implementation per rule type."""
from .engine import Rule, RuleSet, load_rules

__all__ = ["Rule", "RuleSet", "load_rules"]
