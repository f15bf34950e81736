"""Compile rule packs and run them over a draft. One class per rule type."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import RuleFileError
from ..report import Finding
from ..text import Normalised
from .schema import PackSpec, RuleSpec, read_pack, read_pack_file

# Shared vocabulary for patterns; packs may add their own under `macros:`.
MACROS = {
    "gap": r"(?:[^ .!?]+ ){0,3}?",  # up to three inserted words
    "gap6": r"(?:[^ .!?]+ ){0,6}?",
    "cannot": r"(?:can ?not|cann?ott?|can'?t|cnt|unable to|not able to|won'?t be able to|will not be able to|could ?n'?t|could not|(?:am|'m|are|'re) not in a position to)",
    "we": r"(?:i|we|i'm|im|we're|i am|we are|i'll|we'll)",
    "you": r"(?:you|u|ya)",
    "your": r"(?:your|ur|yr)",
    "app": r"(?:app|application|system|account|records?|database|portal|our end|my end|the tool|screen)",
}
_MACRO = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_QUOTED = re.compile(r"\"[^\"]{1,300}\"|(?<![a-z])'[^']{3,300}'(?![a-z])")


def _expand(pattern: str, macros: dict[str, str], source: str) -> re.Pattern[str]:
    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in macros:
            raise RuleFileError(f"{source}: unknown macro {{{m.group(1)}}}; define it under 'macros:' or use one of {sorted(macros)}")
        return macros[m.group(1)]

    text = _MACRO.sub(sub, pattern)
    try:
        return re.compile(rf"(?<![\w]){text}(?![\w])")
    except re.error as exc:
        raise RuleFileError(f"{source}: pattern {pattern!r} is not a valid regular expression ({exc})") from exc


@dataclass(frozen=True)
class Rule:
    """A compiled rule. `check` yields (start, end, suggestion) in normalised coordinates."""

    id: str
    kind: str
    category: str
    level: str
    message: str
    source: str
    spec: RuleSpec
    patterns: tuple[re.Pattern[str], ...] = ()
    unless: tuple[re.Pattern[str], ...] = ()
    swaps: tuple[tuple[re.Pattern[str], str], ...] = ()

    def check(self, norm: Normalised) -> Iterator[tuple[int, int, str | None]]:
        return _CHECKERS[self.kind](self, norm)


def _check_phrase(rule: Rule, norm: Normalised) -> Iterator[tuple[int, int, str | None]]:
    text = norm.text
    swap = rule.spec.swap if isinstance(rule.spec.swap, str) else None
    for pat in rule.patterns:
        for m in pat.finditer(text):
            if m.end() == m.start():
                continue
            if rule.unless and _cancelled(rule.unless, text, m.start(), m.end()):
                continue
            yield m.start(), m.end(), swap


def _cancelled(unless: Iterable[re.Pattern[str]], text: str, start: int, end: int) -> bool:
    """True when an `unless` pattern occurs in the match's sentence or the one after it."""
    spans = [(s.start(), s.end()) for s in _SENTENCE.finditer(text)]
    first = next((i for i, (a, b) in enumerate(spans) if a <= start < b), 0)
    window_end = spans[min(first + 1, len(spans) - 1)][1] if spans else len(text)
    window = text[spans[first][0] if spans else 0 : max(window_end, end)]
    return any(p.search(window) for p in unless)


def _check_substitution(rule: Rule, norm: Normalised) -> Iterator[tuple[int, int, str | None]]:
    for pat, replacement in rule.swaps:
        for m in pat.finditer(norm.text):
            yield m.start(), m.end(), replacement


_CAPS_WORD = re.compile(r"\b[A-Z][A-Z']+\b")
#: all-caps words that are not shouting (the caps rule skips them; rewrites keep them)
ACRONYMS = {"FAQ", "URL", "USB", "ETA", "ASAP", "API", "PIN", "SIM", "SMS", "PDF", "USA", "GDPR", "IBAN", "DM", "ID", "VPN", "CEO", "EST", "PST", "GMT", "UTC", "TV", "OK", "IOS", "HTTP", "HTTPS", "WWW", "COM", "UPS", "DHL", "EU", "UK", "NHS", "IRS", "ATM", "OTP", "IMEI"}


def _check_caps(rule: Rule, norm: Normalised) -> Iterator[tuple[int, int, str | None]]:
    """Shouting: a run of `min_words`+ all-caps words (acronyms excluded) in the original text."""
    original = norm.original[: (norm.index[-1] + 1) if norm.index else 0]
    words = [m for m in _CAPS_WORD.finditer(original) if m.group(0).strip("'") not in ACRONYMS]
    run: list[re.Match[str]] = []
    inverse = {o: i for i, o in enumerate(norm.index)}
    for m in words + [None]:  # type: ignore[list-item]
        if m is not None and run and original[run[-1].end() : m.start()].strip(" ,!") == "":
            run.append(m)
            continue
        if len(run) >= rule.spec.min_words:
            a, b = inverse.get(run[0].start()), inverse.get(run[-1].end() - 1)
            if a is not None and b is not None:
                yield a, b + 1, None
        run = [m] if m is not None else []


_CHECKERS = {"phrase": _check_phrase, "substitution": _check_substitution, "caps": _check_caps}


@dataclass
class RuleSet:
    """All loaded rules plus allow-lists; `run` returns findings in original offsets."""

    rules: list[Rule]
    allow_phrases: list[str] = field(default_factory=list)
    allow_ids: set[str] = field(default_factory=set)
    version: str = ""

    def run(self, norm: Normalised) -> list[Finding]:
        quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(norm.text)]
        found: list[Finding] = []
        for rule in self.rules:
            if rule.id in self.allow_ids or rule.id.split(".")[0] in self.allow_ids:
                continue
            for a, b, suggestion in rule.check(norm):
                if any(qa <= a and b <= qb for qa, qb in quoted):
                    continue  # the agent quoting the customer's words back
                if any(p in norm.text[a:b] for p in self.allow_phrases):
                    continue
                start, end = norm.span(a, b)
                found.append(Finding(id=rule.id, category=rule.category, message=rule.message,
                                     severity=rule.level, start=start, end=end,
                                     text=norm.original[start:end], suggestion=suggestion))
        return dedupe(found)


_RANK = {"error": 0, "warning": 1, "suggestion": 2, "info": 3}


def dedupe(findings: list[Finding]) -> list[Finding]:
    """Drop a finding whose span overlaps one of the same category that ranks higher: a rule finding over a
    model finding, then the more severe, then the longer."""
    ordered = sorted(findings, key=lambda f: (f.source != "rule", _RANK[f.severity], -(f.end - f.start), f.start))
    kept: list[Finding] = []
    for f in ordered:
        if any(k.category == f.category and f.start < k.end and k.start < f.end for k in kept):
            continue
        kept.append(f)
    return sorted(kept, key=lambda f: (f.start, f.end, f.id))


def compile_pack(pack: PackSpec, source: str) -> list[Rule]:
    macros = {**MACROS, **pack.macros}
    rules = []
    for spec in pack.rules:
        kind = spec.extends or pack.extends
        rid = f"{pack.category}.{spec.id}"
        swaps: tuple = ()
        if kind == "substitution":
            if not isinstance(spec.swap, dict):
                raise RuleFileError(f"{source}: rule {spec.id!r}: substitution rules need 'swap' as a mapping of phrase: replacement")
            swaps = tuple((_expand(k, macros, source), v) for k, v in spec.swap.items())
        rules.append(Rule(
            id=rid, kind=kind, category=spec.category or pack.category, level=spec.level or pack.level,
            message=spec.message, source=source, spec=spec,
            patterns=tuple(_expand(p, macros, source) for p in spec.patterns),
            unless=tuple(_expand(p, macros, source) for p in spec.unless), swaps=swaps))
    return rules


def builtin_pack_texts() -> list[tuple[str, str]]:
    root = resources.files("replycoach.rules") / "packs"
    return sorted((f"replycoach/rules/packs/{p.name}", p.read_text(encoding="utf-8"))
                  for p in root.iterdir() if p.name.endswith(".yaml"))


def load_rules(extra: Iterable[str | Path] = (), allow: Iterable[str | Path] = (), builtin: bool = True) -> RuleSet:
    """Load the built-in packs plus user packs (files or folders of .yaml) and allow-lists.

    `allow` takes phrases, rule ids (``dismissive.policy``; a category such as ``clarity`` drops a
    whole family), or paths to YAML files holding ``{phrases: [...], rules: [...]}``.
    """
    texts = builtin_pack_texts() if builtin else []
    for item in extra:
        path = Path(item)
        files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        if not path.exists():
            raise RuleFileError(f"{path}: rule file or folder not found; pass an existing .yaml file or a folder of them")
        texts += [(str(f), None) for f in files]  # type: ignore[misc]
    rules: list[Rule] = []
    digest = hashlib.sha256()
    for source, text in texts:
        pack = read_pack(text, source) if text is not None else read_pack_file(Path(source))
        digest.update(pack.model_dump_json().encode())
        rules += compile_pack(pack, source)
    seen: dict[str, str] = {}
    for r in rules:
        if r.id in seen:
            raise RuleFileError(f"{r.source}: rule id {r.id!r} is already defined in {seen[r.id]}; rename one of them")
        seen[r.id] = r.source
    phrases, ids = _read_allow(allow)
    return RuleSet(rules, phrases, ids, version=digest.hexdigest()[:12])


def _read_allow(allow: Iterable[str | Path]) -> tuple[list[str], set[str]]:
    import yaml

    phrases: list[str] = []
    ids: set[str] = set()
    for item in allow:
        p = Path(item) if isinstance(item, Path) or str(item).endswith((".yaml", ".yml")) else None
        if p is None:
            if re.fullmatch(r"[a-z]+\.[a-z0-9-]+", str(item)) or str(item) in _CATEGORIES:
                ids.add(str(item))
            else:
                phrases.append(str(item).lower())
            continue
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
            raise RuleFileError(f"{p}: cannot read allow-list ({exc}); it must be YAML with 'phrases' and/or 'rules' lists") from exc
        if not isinstance(data, dict) or set(data) - {"phrases", "rules", "team"}:
            raise RuleFileError(f"{p}: an allow-list is a mapping with 'phrases' and/or 'rules' (and an optional 'team')")
        phrases += [str(x).lower() for x in data.get("phrases") or []]
        ids |= {str(x) for x in data.get("rules") or []}
    return phrases, ids


_CATEGORIES = {"dismissive", "aggressive", "passive", "clarity"}
