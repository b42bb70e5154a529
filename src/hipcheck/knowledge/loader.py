"""Load the YAML knowledge base into typed records and cross-check every reference."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from ..contracts import intake_fields
from ..errors import KnowledgeBaseError
from .assess_models import AssessModel
from .models import (Condition, Exercise, PlanGuidance, RedFlag, RiskFactor, SeedItem, SelfTest,
                     Source, Threshold)

DATA_DIR = Path(__file__).parent / "data"
# libyaml's safe loader when present: same results as yaml.safe_load, about 8x faster at startup.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The contract vocabulary (shared/contracts/intake-v1.md): these ids may never be renamed.
CONTRACT_CONDITIONS = (
    "fnsf", "femoral_shaft_sf", "pubic_ramus_sf", "sacral_sf", "gtps", "itbs", "iliopsoas",
    "adductor_related", "inguinal_related", "osteitis_pubis", "pht", "deep_gluteal",
    "fai_syndrome", "labral_tear", "hip_dysplasia", "hip_oa", "muscle_strain",
    "lumbar_radiculopathy", "sij_pain", "meralgia_paresthetica", "cauda_equina", "scfe",
    "apophyseal_avulsion", "avn", "septic_arthritis", "bone_tumour_benign",
    "bone_tumour_malignant", "dvt",
)

ARTICLE_FILES = (
    "000_b93ff5f1a13fae20.txt", "001_4e4280fa22d1f9c4.txt", "002_3567d06afa99a7f2.txt",
    "003_643b3d9ba7cb5d44.txt", "004_17802ad461e58312.txt",
)

# file name -> (record type, attribute on KnowledgeBase, required)
FILES: dict[str, tuple[type[BaseModel], str, bool]] = {
    "sources.yaml": (Source, "sources", True),
    "conditions.yaml": (Condition, "conditions", True),
    "red_flags.yaml": (RedFlag, "red_flags", True),
    "risk_factors.yaml": (RiskFactor, "risk_factors", True),
    "self_tests.yaml": (SelfTest, "self_tests", True),
    "exercises.yaml": (Exercise, "exercises", True),
    "thresholds.yaml": (Threshold, "thresholds", False),
    # Several files may feed one collection; ids must stay unique across them (checked in load()).
    "gait_thresholds.yaml": (Threshold, "thresholds", False),
    "plan_thresholds.yaml": (Threshold, "thresholds", False),
    "plan_guidance.yaml": (PlanGuidance, "plan_guidance", False),
    "seed_coverage.yaml": (SeedItem, "seed_items", True),
    "assess_model.yaml": (AssessModel, "assess_model", True),  # one mapping, not a list
}

REF_KINDS = ("condition", "red_flag", "risk_factor", "self_test", "exercise", "source", "threshold")


@dataclass
class KnowledgeBase:
    """All records, each collection keyed by id (seed items are a list)."""
    sources: dict[str, Source] = field(default_factory=dict)
    conditions: dict[str, Condition] = field(default_factory=dict)
    red_flags: dict[str, RedFlag] = field(default_factory=dict)
    risk_factors: dict[str, RiskFactor] = field(default_factory=dict)
    self_tests: dict[str, SelfTest] = field(default_factory=dict)
    exercises: dict[str, Exercise] = field(default_factory=dict)
    thresholds: dict[str, Threshold] = field(default_factory=dict)
    plan_guidance: dict[str, PlanGuidance] = field(default_factory=dict)
    seed_items: list[SeedItem] = field(default_factory=list)
    assess_model: AssessModel | None = None
    data_dir: Path = DATA_DIR

    def collection(self, kind: str) -> dict:
        return getattr(self, kind + "s" if kind != "self_test" else "self_tests")

    def get(self, ref: str):
        """A record by "kind:id", e.g. "exercise:clamshell"; KeyError when absent."""
        kind, _, rid = ref.partition(":")
        if kind not in REF_KINDS:
            raise KeyError(ref)
        return self.collection(kind)[rid]

    def threshold(self, tid: str) -> float:
        return self.thresholds[tid].value

    def illustration_path(self, exercise_id: str) -> Path:
        return self.data_dir / "illustrations" / self.exercises[exercise_id].illustration


def _format_validation(fname: str, index: int, rid: str | None, exc: ValidationError) -> list[str]:
    where = f"{fname}: entry {index}" + (f" (id '{rid}')" if rid else "")
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(entry)"
        out.append(f"{where}, field '{loc}': {err['msg']}")
    return out


def _read(data_dir: Path, fname: str, model: type[BaseModel], required: bool,
          errors: list[str]) -> list:
    path = data_dir / fname
    if not path.exists():
        if required:
            errors.append(f"{fname}: file is missing from {data_dir}")
        return []
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        errors.append(f"{fname}: not valid YAML ({str(exc).splitlines()[0]}); fix the syntax")
        return []
    if raw is None:
        return []
    if model is AssessModel:
        try:
            return [AssessModel.model_validate(raw)]
        except ValidationError as exc:
            errors.extend(_format_validation(fname, 0, None, exc))
            return []
    if not isinstance(raw, list):
        errors.append(f"{fname}: must be a YAML list of entries, got {type(raw).__name__}")
        return []
    records = []
    for i, item in enumerate(raw):
        rid = item.get("id") if isinstance(item, dict) else None
        try:
            records.append(model.model_validate(item))
        except ValidationError as exc:
            errors.extend(_format_validation(fname, i, rid, exc))
    return records


def load(data_dir: Path | None = None) -> tuple[KnowledgeBase, list[str]]:
    """Load and cross-check; returns the knowledge base and every error found (empty when sound)."""
    data_dir = Path(data_dir) if data_dir else DATA_DIR
    errors: list[str] = []
    kb = KnowledgeBase(data_dir=data_dir)
    for fname, (model, attr, required) in FILES.items():
        records = _read(data_dir, fname, model, required, errors)
        if attr == "seed_items":
            kb.seed_items = records
            continue
        if attr == "assess_model":
            kb.assess_model = records[0] if records else None
            continue
        coll = getattr(kb, attr)
        for rec in records:
            if rec.id in coll:
                errors.append(f"{fname}: duplicate id '{rec.id}'")
            coll[rec.id] = rec
    from .checks import cross_check  # local import: checks imports this module's types
    errors.extend(cross_check(kb))
    return kb, errors


@lru_cache(maxsize=4)
def _load_strict(data_dir: str) -> KnowledgeBase:
    kb, errors = load(Path(data_dir))
    if errors:
        raise KnowledgeBaseError(errors)
    return kb


def get_knowledge(data_dir: Path | None = None) -> KnowledgeBase:
    """The checked knowledge base (cached). Raises KnowledgeBaseError if any check fails."""
    return _load_strict(str(Path(data_dir) if data_dir else DATA_DIR))


def intake_field_paths() -> set[str]:
    return set(intake_fields())
