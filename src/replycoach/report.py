"""The one result model: a frozen pydantic report, like Vale's Alert list plus scores."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["error", "warning", "suggestion", "info"]  # info: something the reply does well
Stance = Literal["passive", "assertive", "aggressive"]
Verdict = Literal["send", "review"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Finding(_Frozen):
    """One thing worth the agent's attention, anchored in the caller's original text."""

    id: str = Field(description="rule id (e.g. 'dismissive.cannot-help') or model label id (e.g. 'model.dismissive')")
    category: str = Field(description="dismissive | aggressive | passive | empathy | proactive | clarity | input")
    message: str
    severity: Severity
    start: int = Field(ge=0, description="start offset into the caller's original reply string")
    end: int = Field(ge=0, description="end offset (exclusive) into the caller's original reply string")
    text: str = Field(description="reply[start:end], the matched text")
    suggestion: str | None = Field(default=None, description="suggested replacement for the span, if any")
    source: Literal["rule", "model", "input"] = "rule"


class Scores(_Frozen):
    """Calibrated model probabilities in [0, 1]."""

    empathy: float = Field(ge=0, le=1, description="expected empathy level / 2 (0 none, 0.5 formulaic, 1 specific)")
    assertiveness: float = Field(ge=0, le=1, description="P(stance = assertive)")
    dismissive: float = Field(ge=0, le=1, description="P(dismissive)")
    proactive: float = Field(ge=0, le=1, description="P(proactive)")
    customer_distress: float | None = Field(default=None, ge=0, le=1, description="P(customer distressed); None without a customer message")
    stance_probs: dict[Stance, float] = Field(default_factory=dict)
    empathy_probs: list[float] = Field(default_factory=list, description="P(empathy = 0, 1, 2)")


class Readability(_Frozen):
    words: int
    sentences: int
    flesch_reading_ease: float | None = Field(description="None when the reply is too short to measure")
    grade: float | None = Field(description="textstat consensus grade level; None when too short")
    plain_words: Literal["very easy", "easy", "fairly easy", "standard", "fairly hard", "hard", "very hard", "too short to measure"]


class Versions(_Frozen):
    library: str
    rules: str
    model: str | None


class Rewrite(_Frozen):
    text: str
    scores: Scores
    fixes: list[Finding]
    diff: str
    kind: str = Field(description="minimal | restructure | custom")


class Report(_Frozen):
    reply: str = Field(description="the caller's original reply, unchanged")
    customer: str | None = None
    scores: Scores | None = Field(description="model scores; None only for a rules-only coach (model=None)")
    stance: Stance | None
    findings: list[Finding]
    readability: Readability
    verdict: Verdict
    reasons: list[str] = Field(description="why the verdict is what it is, in plain words")
    versions: Versions
    truncated: bool = False


def report_json_schema() -> dict:
    """JSON schema of Report, generated from the pydantic model (documented in docs/report-schema.json)."""
    return Report.model_json_schema()
