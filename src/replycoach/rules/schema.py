"""Validated shape of a rule file; errors name the file and the field."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import RuleFileError

RuleType = Literal["phrase", "substitution", "caps"]


class Examples(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fail: list[str] = Field(default_factory=list, description="texts the rule must flag")
    pass_: list[str] = Field(default_factory=list, alias="pass", description="texts the rule must leave alone")


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    message: str = Field(min_length=1)
    extends: RuleType | None = None
    level: Literal["error", "warning", "suggestion"] | None = None
    category: str | None = None
    patterns: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list, description="patterns that cancel a match in its sentence or the next")
    swap: str | dict[str, str] | None = None
    min_words: int = 2
    examples: Examples = Field(default_factory=Examples)

    @model_validator(mode="after")
    def _has_body(self) -> "RuleSpec":
        if not self.patterns and not isinstance(self.swap, dict) and self.extends != "caps":
            raise ValueError("needs 'patterns' (phrase rules) or a 'swap' mapping (substitution rules)")
        return self


class PackSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    family: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    description: str = ""
    extends: RuleType = "phrase"
    category: str
    level: Literal["error", "warning", "suggestion"] = "warning"
    macros: dict[str, str] = Field(default_factory=dict)
    rules: list[RuleSpec] = Field(min_length=1)


def read_pack(text: str, source: str) -> PackSpec:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleFileError(f"{source}: not valid YAML ({exc}); fix the syntax at the position shown") from exc
    if not isinstance(data, dict):
        raise RuleFileError(f"{source}: a rule file must be a mapping with 'family', 'category' and 'rules'")
    try:
        return PackSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _field_path(data, first["loc"])
        raise RuleFileError(f"{source}: field {where}: {first['msg']}") from exc


def _field_path(data: dict, loc: tuple) -> str:
    parts: list[str] = []
    node: object = data
    for key in loc:
        if isinstance(key, int):
            rid = node[key].get("id") if isinstance(node, list) and isinstance(node[key], dict) else None
            parts.append(f"[{key}]" + (f" (id {rid!r})" if rid else ""))
            node = node[key] if isinstance(node, list) else None
        else:
            parts.append(f".{key}" if parts else str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def read_pack_file(path: Path) -> PackSpec:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(f"{path}: cannot read rule file ({exc}); it must be UTF-8 YAML") from exc
    return read_pack(text, str(path))
