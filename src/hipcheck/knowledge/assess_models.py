"""Typed records of assess_model.yaml: the numbers behind `hipcheck assess`.

The file is one mapping (not a list like the other knowledge files):

- `shrinkage`: how published likelihood ratios from small studies are pulled toward 1;
- `priors`: starting weights per condition, and modifiers by age band, sex and sport;
- `findings`: intake answers and self-test results that update each condition (likelihood ratios);
- `red_flag_evidence`: how much a fired red flag raises its suspected conditions in the ranking;
- `escalations`: a red flag that cannot be ruled out plus a hint of seriousness forces a level;
- `triage_rules`: when pain without red flags needs a clinician (routine) rather than self-care;
- `thresholds`: must-not-miss visibility, interactive stopping and question-ranking numbers;
- `questions`: how each intake field is asked, in a runner's words, and the red-flag screen order.
"""
from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..contracts import IntakeField
from .models import ID_PATTERN, Id
from .rules import Rule

# Values the engine computes from the intake before evaluating rules (never asked directly).
DERIVED_FIELDS: dict[str, IntakeField] = {
    "derived.bmi": IntakeField("derived.bmi", "number", (), 10, 80),
}

Basis = Literal["published", "clinical_judgement"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Shrinkage(_Strict):
    """How much a likelihood ratio may move a condition.

    Published: log LR_used = w * log LR_raw, with w = n / (n + pseudo_n) (n = participants; a pooled
    estimate with unknown n uses w = pooled_weight), then clipped to the single-study or pooled range.
    Judgement: LR+ = p / p_base and LR- = (1 - p) / (1 - p_base), with p kept inside
    [p_clip, 1 - p_clip], then clipped to the judgement range.
    Dependence: every ratio is finally raised to `evidence_weight` (< 1), because many findings are
    correlated (groin pain, deep joint pain and a painful FADIR largely report the same thing) and
    naive Bayes would otherwise count them as independent and become overconfident.
    """
    pseudo_n: float = Field(gt=0)
    pooled_weight: float = Field(gt=0, le=1)
    single_study_range: tuple[float, float]
    pooled_range: tuple[float, float]
    judgement_range: tuple[float, float]
    p_clip: float = Field(gt=0, lt=0.5)
    evidence_weight: float = Field(gt=0, le=1)
    unlisted_weight: float = Field(gt=0, le=1)  # exponent on LR- when an option is merely not ticked
    sources: list[Id] = Field(min_length=1)
    reasoning: str

    def weight(self, n: int | None, pooled: bool) -> float:
        if n is None:
            return self.pooled_weight if pooled else 0.5
        return n / (n + self.pseudo_n)

    def published(self, lr: float, n: int | None, pooled: bool) -> float:
        lo, hi = self.pooled_range if pooled else self.single_study_range
        return min(hi, max(lo, math.exp(self.weight(n, pooled) * math.log(lr)))) ** self.evidence_weight

    def judged(self, p: float, p_base: float, present: bool) -> float:
        p = min(1 - self.p_clip, max(self.p_clip, p))
        lr = p / p_base if present else (1 - p) / (1 - p_base)
        lo, hi = self.judgement_range
        return min(hi, max(lo, lr)) ** self.evidence_weight


class PriorModifier(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    when: Rule
    multiply: dict[Id, float]
    basis: Basis
    reasoning: str
    sources: list[Id] = Field(min_length=1)


class Priors(_Strict):
    basis: Basis
    reasoning: str
    sources: list[Id] = Field(min_length=1)
    base: dict[Id, float]  # relative weights; normalised by the engine
    modifiers: list[PriorModifier] = []


class Published(_Strict):
    """A published likelihood ratio for one condition; either side may be absent."""
    condition: Id
    lr_pos: float | None = Field(default=None, gt=0)
    lr_neg: float | None = Field(default=None, gt=0)
    n: int | None = Field(default=None, ge=1)  # participants in the study (or pooled studies)
    pooled: bool = False
    source: Id
    note: str

    @model_validator(mode="after")
    def _one_side(self) -> Published:
        if self.lr_pos is None and self.lr_neg is None:
            raise ValueError("a published entry needs lr_pos or lr_neg")
        return self


class Judgement(_Strict):
    """How often the finding is present in each condition (clinician judgement, not measured)."""
    basis: Literal["clinical_judgement"] = "clinical_judgement"
    reasoning: str
    sources: list[Id] = Field(min_length=1)
    p: dict[Id, float]  # condition id -> probability the finding is present; others use p_base


class FindingSpec(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    present: str  # how the finding reads when present, e.g. "pain at the outer hip"
    absent: str  # how it reads when explicitly absent
    rule: Rule
    p_base: float = Field(gt=0, lt=1)  # how often it is present across runners with hip pain
    p_other: float | None = Field(default=None, gt=0, lt=1)  # in conditions the judgement does not list
    # Overrides shrinkage.evidence_weight for a finding that is (nearly) independent of the others,
    # such as fever or saddle numbness: its full ratio counts.
    evidence_weight: float | None = Field(default=None, gt=0, le=1)
    judgement: Judgement | None = None
    published: list[Published] = []

    @model_validator(mode="after")
    def _has_numbers(self) -> FindingSpec:
        if self.judgement is None and not self.published:
            raise ValueError("a finding needs judgement probabilities or published ratios")
        for c, p in (self.judgement.p.items() if self.judgement else []):
            if not 0 < p < 1:
                raise ValueError(f"probability for '{c}' must be between 0 and 1")
        return self


class RedFlagRatio(_Strict):
    """A fired red flag as evidence: multiplies the odds of the flag's suspects (red_flags.yaml).

    `ratio` applies to every suspect; `ratios` overrides it for named suspects (1 leaves one out).
    """
    flag: Id
    ratio: float = Field(ge=1)
    ratios: dict[Id, float] = {}
    basis: Basis
    reasoning: str
    sources: list[Id] = Field(min_length=1)

    @model_validator(mode="after")
    def _raises(self) -> RedFlagRatio:
        for c, r in self.ratios.items():
            if r < 1:
                raise ValueError(f"ratio for '{c}' must be at least 1: a red flag never argues against a suspect")
        return self


class RedFlagEvidence(_Strict):
    """Fired red flags in the differential. The findings a flag is built from already count, so each
    flag adds a modest ratio for the pattern as a whole, and all fired flags together may multiply one
    condition's odds by at most `max_combined_ratio`."""
    max_combined_ratio: float = Field(ge=1)
    reasoning: str
    sources: list[Id] = Field(min_length=1)
    flags: list[RedFlagRatio] = []


class Escalation(_Strict):
    """A red flag that is possible (unanswered) while `when` is true: treat it as fired.

    `unless` names what must be known for the escalation NOT to apply (for example "the pain is
    improving"): it blocks only when it evaluates True, so an unanswered question never blocks.
    """
    id: str = Field(pattern=ID_PATTERN)
    flag: Id  # the red flag it escalates
    when: Rule
    unless: Rule | None = None
    level: Literal["emergency", "urgent", "routine"]
    message: str
    reasoning: str
    sources: list[Id] = Field(min_length=1)


class TriageRule(_Strict):
    """Pain without red flags that still needs a clinician: raises self_care to `level`."""
    id: str = Field(pattern=ID_PATTERN)
    when: Rule | None = None
    # or: the likely cause is one of these with at least this probability
    conditions: list[Id] = []
    min_probability: float | None = Field(default=None, gt=0, le=1)
    level: Literal["urgent", "routine"]
    text: str
    reasoning: str
    sources: list[Id] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_test(self) -> TriageRule:
        if (self.when is None) == (not self.conditions):
            raise ValueError("a triage rule needs either `when` or `conditions` (+ min_probability)")
        if self.conditions and self.min_probability is None:
            raise ValueError("a condition-based triage rule needs min_probability")
        return self


class AssessThreshold(_Strict):
    value: float
    description: str
    sources: list[Id] = Field(min_length=1)


class Question(_Strict):
    field: str  # intake field path
    text: str  # asked in a runner's words
    options: dict[str, str] = {}  # enum/list value -> how the runner reads it


class Headline(_Strict):
    level: Literal["emergency", "urgent", "routine", "self_care"]
    headline: str
    advice: str
    sources: list[Id] = Field(min_length=1)


class AssessModel(_Strict):
    shrinkage: Shrinkage
    priors: Priors
    findings: list[FindingSpec]
    red_flag_evidence: RedFlagEvidence | None = None
    escalations: list[Escalation] = []
    triage_rules: list[TriageRule] = []
    headlines: list[Headline]
    thresholds: dict[str, AssessThreshold]
    must_not_miss: list[Id]
    red_flag_screen: list[str]  # intake fields asked first in interactive mode, in order
    questions: list[Question]
    disclaimer: str

    def threshold(self, name: str) -> float:
        return self.thresholds[name].value
