"""Turning scores and findings into a send/review verdict: a policy the user can change."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .model.base import ModelOutput
from .report import Finding


class Policy(BaseModel):
    """Thresholds for the pre-send gate. `None` means: use the threshold shipped with the model."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    dismissive: float | None = Field(default=None, ge=0, le=1, description="review when P(dismissive) >= this")
    aggressive: float | None = Field(default=None, ge=0, le=1, description="review when P(aggressive) >= this")
    distress: float | None = Field(default=None, ge=0, le=1, description="customer counts as distressed when P(distress) >= this")
    min_empathy_distressed: float = Field(default=0.25, ge=0, le=1, description="empathy score a distressed customer needs")
    min_empathy: float = Field(default=0.0, ge=0, le=1, description="empathy score every reply needs (0 = no requirement)")
    review_on_rule_categories: tuple[str, ...] = ("dismissive", "aggressive")
    review_on_rule_severity: tuple[str, ...] = ("error",)


def thresholds(policy: Policy, shipped: dict[str, float]) -> dict[str, float]:
    """The threshold in force per model label: the policy's where it sets one, else the one shipped with the model, else 0.5."""
    out = {k: shipped.get(k, 0.5) for k in ("dismissive", "aggressive", "distress", "empathy", "proactive")}
    for k in ("dismissive", "aggressive", "distress"):
        if getattr(policy, k) is not None:
            out[k] = getattr(policy, k)
    return out


def decide(policy: Policy, out: ModelOutput | None, findings: list[Finding], shipped: dict[str, float]) -> tuple[str, list[str]]:
    reasons: list[str] = []
    for f in findings:
        if f.source == "input" and f.severity == "error":
            reasons.append(f.message)
        elif f.source == "rule" and f.category in policy.review_on_rule_categories and f.severity in policy.review_on_rule_severity:
            reasons.append(f"{f.category}: \u201c{f.text}\u201d \u2014 {f.message}")
    if out is not None:
        t = thresholds(policy, shipped)
        t_dis, t_agg, t_dst = t["dismissive"], t["aggressive"], t["distress"]
        if out.dismissive >= t_dis:
            reasons.append(f"the model rates the reply dismissive (P={out.dismissive:.2f} \u2265 {t_dis:.2f})")
        if out.stance_probs["aggressive"] >= t_agg:
            reasons.append(f"the model rates the tone aggressive (P={out.stance_probs['aggressive']:.2f} \u2265 {t_agg:.2f})")
        distressed = out.distress is not None and out.distress >= t_dst
        need = max(policy.min_empathy, policy.min_empathy_distressed if distressed else 0.0)
        if out.empathy < need:
            why = "the customer sounds distressed and " if distressed else ""
            reasons.append(f"{why}the reply shows too little empathy (score {out.empathy:.2f} < {need:.2f})")
    return ("review" if reasons else "send"), reasons
