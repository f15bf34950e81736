"""Coach: the one object a caller holds. Draft in, Report out."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from .errors import InputError
from .model import ModelOutput, Scorer, load_scorer
from .policy import Policy, decide
from .readability import measure
from .report import Finding, Report, Rewrite, Scores, Versions
from .rules import RuleSet, load_rules
from .text import MAX_CHARS, ensure_text, normalise

try:
    __version__ = version("replycoach")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+source"

_DEFAULT = object()


class Coach:
    """Load once, then `check` drafts.

    model: a model directory, a ready `Scorer`, or None for rules only (no scores).
    rules: extra rule files or folders; allow: allow-list files, phrases or rule ids.
    """

    def __init__(self, model: str | Path | Scorer | None = _DEFAULT, *, rules: Iterable[str | Path] = (),  # type: ignore[assignment]
                 allow: Iterable[str | Path] = (), policy: Policy | None = None, engine: str = "auto"):
        self.rules: RuleSet = load_rules(rules, allow)
        if model is _DEFAULT:
            self.scorer: Scorer | None = load_scorer(None, engine)
        elif model is None or hasattr(model, "score"):
            self.scorer = model  # type: ignore[assignment]
        else:
            self.scorer = load_scorer(model, engine)  # type: ignore[arg-type]
        self.policy = policy or Policy()
        cfg = getattr(self.scorer, "cfg", None)
        self._shipped = cfg.thresholds.model_dump() if cfg is not None else {}
        self._span_threshold = self._shipped.get("dismissive", 0.5)
        self.versions = Versions(library=__version__, rules=self.rules.version, model=getattr(self.scorer, "version", None))

    def check(self, reply: str, customer: str | None = None) -> Report:
        """Score one draft. `customer` is the message it answers, if any."""
        return self.check_many([reply], [customer])[0]

    def check_many(self, replies: Sequence[str], customers: Sequence[str | None] | None = None) -> list[Report]:
        """Score many drafts in batches through the model; same results as calling `check` on each."""
        if isinstance(replies, str):
            raise InputError("check_many takes a list of replies, got one str: use check(reply) or check_many([reply])")
        replies = [ensure_text(r, f"replies[{i}]") for i, r in enumerate(replies)]
        if customers is None:
            customers = [None] * len(replies)
        if len(customers) != len(replies):
            raise InputError(f"customers has {len(customers)} items but replies has {len(replies)}: pass one customer message (or None) per reply")
        customers = [None if c is None else ensure_text(c, f"customers[{i}]") for i, c in enumerate(customers)]
        live = [i for i, r in enumerate(replies) if r.strip()]
        outputs: dict[int, ModelOutput] = {}
        if self.scorer is not None and live:
            scored = self.scorer.score([replies[i][:MAX_CHARS] for i in live], [(customers[i] or "")[:MAX_CHARS] or None for i in live])
            outputs = dict(zip(live, scored))
        return [self._report(r, c, outputs.get(i)) for i, (r, c) in enumerate(zip(replies, customers))]

    def audit(self, rows: Iterable, **options) -> Iterator[dict]:
        """Audit many replies (dicts or strings): lazily yields one result dict per input, bad rows as status='error'.

        options: text_col='reply', customer_col, agent_col, team_col, time_col, batch_size=64, max_chars. See replycoach.audit.
        """
        from .audit import audit_rows

        return audit_rows(self, rows, **options)

    def rewrite(self, reply: str, customer: str | None = None,
                generator: Callable[[str, str | None, Report], Sequence[str]] | None = None) -> list[Rewrite]:
        """Up to three verified proactive rewrites of a draft that needs review (see replycoach.rewrite).

        generator: optional callable (reply, customer, report) -> list of candidate strings; the same
        fact and gate checks apply to what it returns.
        """
        from .rewrite import rewrite

        return rewrite(self, reply, customer, generator)

    def _report(self, reply: str, customer: str | None, out: ModelOutput | None) -> Report:
        findings: list[Finding] = []
        truncated = len(reply) > MAX_CHARS
        if not reply.strip():
            findings.append(Finding(id="input.empty", category="input", severity="error", start=0, end=len(reply), text=reply,
                                    message="The reply is empty: write a reply before sending.", source="input"))
        else:
            findings += self.rules.run(normalise(reply))
            if out is not None:
                findings = self._merge_model(findings, reply, out)
            if truncated:
                findings.append(Finding(id="input.truncated", category="input", severity="warning", start=MAX_CHARS, end=MAX_CHARS,
                                        text="", source="input",
                                        message=f"Only the first {MAX_CHARS:,} of {len(reply):,} characters were analysed (the cut is at this offset); shorten the reply."))
        verdict, reasons = decide(self.policy, out, findings, self._shipped)
        scores = None
        if out is not None:
            scores = Scores(empathy=out.empathy, assertiveness=out.stance_probs["assertive"], dismissive=out.dismissive,
                            proactive=out.proactive, customer_distress=out.distress, stance_probs=out.stance_probs,
                            empathy_probs=list(out.empathy_probs))
        stance = max(out.stance_probs, key=out.stance_probs.get) if out is not None else None  # type: ignore[arg-type]
        return Report(reply=reply, customer=customer, scores=scores, stance=stance, findings=findings,
                      readability=measure(reply[:MAX_CHARS]), verdict=verdict, reasons=reasons,
                      versions=self.versions, truncated=truncated)

    def _merge_model(self, findings: list[Finding], reply: str, out: ModelOutput) -> list[Finding]:
        """Add the model's dismissive spans when its score clears the threshold; rule findings win overlaps."""
        if out.dismissive < self._span_threshold:
            return findings
        spans = out.dismissive_spans
        model = [Finding(id="model.dismissive", category="dismissive", severity="error", start=a, end=b, text=reply[a:b],
                         source="model", message=f"The model reads this as dismissive (P={out.dismissive:.2f}); offer a path forward.")
                 for a, b, _ in spans]
        if not model:
            model = [Finding(id="model.dismissive", category="dismissive", severity="warning", start=0, end=len(reply), text=reply,
                             source="model", message=f"The model reads the reply as dismissive overall (P={out.dismissive:.2f}) but points at no single phrase.")]
        taken = [(f.start, f.end) for f in findings if f.category == "dismissive"]
        model = [m for m in model if not any(m.start < b and a < m.end for a, b in taken)]  # a rule finding on the span wins
        return sorted(findings + model, key=lambda f: (f.start, f.end, f.id))
