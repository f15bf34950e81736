"""Coach: the one object a caller holds. Draft in, Report out."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from .errors import InputError
from .model import ModelOutput, Scorer, load_scorer
from .model.attribution import drivers, label_scores, sentence_scores
from .policy import Policy, decide, thresholds
from .readability import measure
from .report import Finding, Report, Rewrite, Scores, Versions
from .rules import RuleSet, load_rules
from .rules.engine import dedupe
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
    explain: point every model score at or above its threshold at the sentences behind it (each sentence
    is scored on its own, about one more model pass over the reply); False keeps only the span head's
    dismissive phrases and the rule findings, for the fastest bulk scoring.
    """

    def __init__(self, model: str | Path | Scorer | None = _DEFAULT, *, rules: Iterable[str | Path] = (),  # type: ignore[assignment]
                 allow: Iterable[str | Path] = (), policy: Policy | None = None, engine: str = "auto", explain: bool = True):
        self.rules: RuleSet = load_rules(rules, allow)
        if model is _DEFAULT:
            self.scorer: Scorer | None = load_scorer(None, engine)
        elif model is None or hasattr(model, "score"):
            self.scorer = model  # type: ignore[assignment]
        else:
            self.scorer = load_scorer(model, engine)  # type: ignore[arg-type]
        self.policy = policy or Policy()
        self.explain = explain
        cfg = getattr(self.scorer, "cfg", None)
        self._shipped = cfg.thresholds.model_dump() if cfg is not None else {}
        self.versions = Versions(library=__version__, rules=self.rules.version, model=getattr(self.scorer, "version", None))

    def check(self, reply: str, customer: str | None = None, *, explain: bool | None = None) -> Report:
        """Score one draft. `customer` is the message it answers, if any; `explain` overrides Coach(explain=...)."""
        return self.check_many([reply], [customer], explain=explain)[0]

    def check_many(self, replies: Sequence[str], customers: Sequence[str | None] | None = None, *,
                   explain: bool | None = None) -> list[Report]:
        """Score many drafts in batches through the model; same results as calling `check` on each."""
        if isinstance(replies, str):
            raise InputError("check_many takes a list of replies, got one str: use check(reply) or check_many([reply])")
        replies = [ensure_text(r, f"replies[{i}]") for i, r in enumerate(replies)]
        if customers is None:
            customers = [None] * len(replies)
        if len(customers) != len(replies):
            raise InputError(f"customers has {len(customers)} items but replies has {len(replies)}: pass one customer message (or None) per reply")
        customers = [None if c is None else ensure_text(c, f"customers[{i}]") for i, c in enumerate(customers)]
        explain = self.explain if explain is None else explain
        pairs = list(zip(replies, customers))
        spread = getattr(self.scorer, "map", None)  # the ONNX engine spreads replies over the cores
        return spread(lambda part: self._reports(part, explain), pairs) if spread else self._reports(pairs, explain)

    def _reports(self, pairs: list[tuple[str, str | None]], explain: bool) -> list[Report]:
        live = [i for i, (r, _) in enumerate(pairs) if r.strip()]
        outputs: dict[int, ModelOutput] = {}
        if self.scorer is not None and live:
            scored = self.scorer.score([pairs[i][0][:MAX_CHARS] for i in live], [(pairs[i][1] or "")[:MAX_CHARS] or None for i in live])
            outputs = dict(zip(live, scored))
        return [self._report(r, c, outputs.get(i), explain) for i, (r, c) in enumerate(pairs)]

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

    def _report(self, reply: str, customer: str | None, out: ModelOutput | None, explain: bool) -> Report:
        findings: list[Finding] = []
        truncated = len(reply) > MAX_CHARS
        if not reply.strip():
            findings.append(Finding(id="input.empty", category="input", severity="error", start=0, end=len(reply), text=reply,
                                    message="The reply is empty: write a reply before sending.", source="input"))
        else:
            findings += self.rules.run(normalise(reply))
            if out is not None:
                findings = self._merge_model(findings, reply, out, explain)
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

    def _merge_model(self, findings: list[Finding], reply: str, out: ModelOutput, explain: bool) -> list[Finding]:
        """Spans behind every model score at or above its threshold; a rule finding of the same category wins overlaps.

        dismissive: the span head's phrases (error), else the sentences that drive the score (warning);
        aggressive: the driving sentences (warning); empathy and proactive: the sentences that earn the
        score (info, something done well). Each sentence is scored on its own (`model.attribution`).
        """
        model: list[Finding] = []
        sentences = None
        limits = thresholds(self.policy, self._shipped)
        for label, score in label_scores(out).items():
            threshold = limits[label]
            if score < threshold:
                continue
            if label == "dismissive" and out.dismissive_spans:
                model += [Finding(id="model.dismissive", category="dismissive", severity="error", start=a, end=b, text=reply[a:b],
                                  source="model", message=f"The model reads this as dismissive (P={score:.2f}); offer a path forward.")
                          for a, b, _ in out.dismissive_spans]
                continue
            if not explain:
                continue  # the verdict's reasons still name the score
            severity, template = _SENTENCE_FINDINGS[label]
            if sentences is None:
                sentences = sentence_scores(self.scorer, reply[:MAX_CHARS], out)
            for s in drivers(sentences, label, threshold):
                model.append(Finding(id=f"model.{label}", category=label, severity=severity, start=s.start, end=s.end,  # type: ignore[arg-type]
                                     text=reply[s.start : s.end], source="model",
                                     message=template.format(score=score, own=s.scores[label])))
        return dedupe(findings + model)


#: label -> (severity, message) for findings on the sentences that drive a model score
_SENTENCE_FINDINGS = {
    "dismissive": ("warning", "The model reads the reply as dismissive (P={score:.2f}) and this sentence most of all "
                              "({own:.2f} on its own); say what you will do instead."),
    "aggressive": ("warning", "The model reads the tone as aggressive (P={score:.2f}) and this sentence most of all "
                              "({own:.2f} on its own); keep the limit, drop the blame or the command."),
    "empathy": ("info", "Acknowledges the customer: the reply's empathy score ({score:.2f}) rests on this sentence."),
    "proactive": ("info", "States a next step: the reply's proactive score (P={score:.2f}) rests on this sentence."),
}
