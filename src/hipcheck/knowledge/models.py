"""Typed records of the knowledge base. Every YAML file loads into one list of these."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .rules import Rule

Id = str  # validated by pattern below where it is a record's own id
ID_PATTERN = r"^[a-z][a-z0-9_]*$"

TriageLevel = Literal["emergency", "urgent", "routine", "self_care"]
Location = Literal["groin", "front_hip", "outer_hip", "buttock", "inner_thigh", "front_thigh",
                   "outer_thigh", "outer_knee", "lower_back", "deep_in_joint", "calf"]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=ID_PATTERN)


class Sourced(Record):
    sources: list[Id] = Field(min_length=1)


class Source(Record):
    kind: Literal["article", "study", "review", "guideline", "consensus", "textbook", "dataset"]
    title: str
    authors: str | None = None
    year: int | None = None
    doi: str | None = None
    url: str | None = None
    file: str | None = None  # for kind=article: the file name in shared/domain/articles/
    section: str | None = None  # for kind=article: the section heading this source covers
    evidence: str  # our note on what the source is worth

    @model_validator(mode="after")
    def _locatable(self) -> Source:
        if self.kind == "article":
            if not (self.file and self.section):
                raise ValueError("an article source needs `file` and `section`")
        elif not (self.doi or self.url):
            raise ValueError("a source needs a `doi` or a `url`")
        return self


class RecoveryTime(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_weeks: float = Field(ge=0)
    max_weeks: float | None = Field(default=None, ge=0)
    note: str
    source: Id


class Condition(Sourced):
    lay_name: str
    clinical_name: str
    summary: str  # 2-4 sentences, our words
    locations: list[Location] = Field(min_length=1)
    onset_and_timing: str
    features: list[str] = Field(min_length=1)
    typical_population: str
    risk_factors: list[Id] = []
    must_not_miss: bool = False
    self_care: list[str] = []
    treatment: list[str] = []
    recovery: RecoveryTime | None = None
    prevention: list[str] = []
    exercises: list[Id] = []  # the rehab protocol's exercise ids, in order of progression
    avoid: list[str] = []  # positions or loads to avoid, e.g. crossing legs in gluteal tendinopathy


class RedFlag(Sourced):
    name: str
    level: Literal["emergency", "urgent", "routine"]
    trigger: Rule
    message: str  # to the runner: what it may mean and exactly what to do
    suspects: list[Id] = []  # condition ids this flag raises concern for
    bone_stress: bool = False  # True: loading tests (hop, single-leg stance) are forbidden while possible


class RiskFactor(Sourced):
    name: str
    category: Literal["training", "body", "form", "footwear", "surface", "history", "energy"]
    description: str
    raises: list[Id] = []  # condition ids
    exercises: list[Id] = []  # exercise ids that address it
    running_changes: list[str] = []
    intake_rule: Rule | None = None  # when the intake shows this factor (for contributing factors)


class SelfTest(Sourced):
    name: str
    intake_field: str  # e.g. tests.fadir
    purpose: str
    steps: list[str] = Field(min_length=2)
    safety: list[str] = Field(min_length=1)
    positive_means: str
    suggests: list[Id] = []  # condition ids a positive result points towards
    figures: str | None = None  # published accuracy, when reference/clinical.md has it
    loads_bone: bool = False  # hop, single-leg stance: never while a bone-stress flag is possible
    forbidden_by: list[Id] = []  # red flag ids


class Dosage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sets: int = Field(ge=1, le=10)
    reps: int | None = Field(default=None, ge=1, le=100)
    hold_s: int | None = Field(default=None, ge=1, le=600)
    rest_s: int = Field(ge=0, le=600)
    days_per_week: int = Field(ge=1, le=7)
    per_side: bool = True
    tempo: str | None = None  # e.g. "3-4 s lowering"

    @model_validator(mode="after")
    def _reps_or_hold(self) -> Dosage:
        if self.reps is None and self.hold_s is None:
            raise ValueError("a dosage needs `reps` or `hold_s`")
        return self


class Exercise(Sourced):
    name: str
    category: Literal["strength", "isometric", "stability", "mobility", "stretch", "soft_tissue",
                      "neuromuscular", "plyometric"]
    steps: list[str] = Field(min_length=2)
    cues: list[str] = Field(min_length=1)
    mistakes: list[str] = Field(min_length=1)
    dosage: Dosage
    equipment: list[str] = []
    targets: list[str] = Field(min_length=1)
    regression: Id | None = None
    progression: Id | None = None
    contraindications: list[str] = []
    phases: list[Literal["settle", "rebuild", "return", "maintain"]] = Field(min_length=1)
    illustration: str  # file name under data/illustrations/


class PlanGuidance(Sourced):
    """Plan text by kind: a phase (entry/exit criteria), a protection step, running or education advice,
    when to get help, or an exclusion (exercises a likely cause rules out). `{threshold_id}` in the text
    is filled with that threshold's value."""
    kind: Literal["phase", "protect", "running", "education", "help", "exclusion"]
    title: str
    text: str
    points: list[str] = []
    entry: list[str] = []  # phase: what must be true to start it
    exit: list[str] = []  # phase: what must be true before moving on
    level: Literal["emergency", "urgent", "routine"] | None = None  # help: how soon
    when: Literal["always", "fracture_possible"] = "always"  # protect: only when a fracture is possible
    condition: Id | None = None  # exclusion: the likely cause
    exercises: list[Id] = []  # exclusion: exercise ids not prescribed for that cause
    risk_factors: list[Id] = []  # running: the findings that call for this advice


class Threshold(Sourced):
    """A number a rule depends on (load, gait, assess, plan). Code refers to it by id."""
    value: float
    unit: str
    description: str


SeedKind = Literal["cause", "symptom", "risk_factor", "red_flag", "prevention", "treatment",
                   "self_test", "exercise", "recovery_time"]


class SeedItem(BaseModel):
    """One item an article names, and the knowledge-base ids that represent it."""
    model_config = ConfigDict(extra="forbid")
    article: str  # file name in shared/domain/articles/
    section: str
    kind: SeedKind
    quote: str = Field(max_length=200)
    maps_to: list[str]  # "kind:id", kind one of condition|red_flag|risk_factor|self_test|exercise|source|threshold
