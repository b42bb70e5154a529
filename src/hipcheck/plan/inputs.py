"""What a plan is built from: the assessment document, findings from load and gait, and the load
module's progression plan. Also decides whether a red flag fired (then the plan only protects the hip)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..findings import Finding
from ..knowledge.loader import KnowledgeBase

SERIOUS = ("emergency", "urgent")
SIDES = ("_left", "_right", "_both")
STRENGTH_ORDER = {"strong": 0, "moderate": 1, "weak": 2}


@dataclass
class PlanInputs:
    assessment: dict  # a hipcheck.assessment/v1 document
    today: date
    findings: list[Finding] = field(default_factory=list)  # load and gait findings
    load_plan: dict | None = None  # services.load.build_progression_plan's document, when there is training
    cadence_spm: float | None = None  # the latest measured step rate (gait), when there is one
    athlete: str | None = None
    assessment_id: int | None = None


def risk_factor_id(fid: str, kb: KnowledgeBase) -> str | None:
    """The knowledge-base risk factor a finding names (`pelvic_drop_right` -> `pelvic_drop`), else None."""
    if fid in kb.risk_factors:
        return fid
    for suffix in SIDES:
        if fid.endswith(suffix) and fid[: -len(suffix)] in kb.risk_factors:
            return fid[: -len(suffix)]
    return None


def assessment_findings(doc: dict) -> list[Finding]:
    """The assessment's contributing factors as findings (they are risk-factor ids with evidence)."""
    return [Finding(id=c["id"], evidence=c.get("evidence") or c.get("text", ""), strength="moderate",
                    source=c["source"], data={"from": "assessment"})
            for c in doc.get("contributing_factors", [])]


def merged_findings(inputs: PlanInputs, kb: KnowledgeBase) -> list[tuple[str, Finding]]:
    """(risk factor id, finding) for every finding that names a risk factor, strongest first, one per id."""
    seen: dict[str, Finding] = {}
    for f in assessment_findings(inputs.assessment) + list(inputs.findings):
        rid = risk_factor_id(f.id, kb)
        if rid is None:
            continue
        old = seen.get(rid)
        if old is None or STRENGTH_ORDER.get(f.strength, 3) < STRENGTH_ORDER.get(old.strength, 3):
            seen[rid] = f
    return sorted(seen.items(), key=lambda kv: STRENGTH_ORDER.get(kv[1].strength, 3))


@dataclass
class RedFlagGate:
    """Whether the plan may prescribe anything. Any emergency or urgent red flag (present or possible), an
    emergency or urgent triage level, or a must-not-miss warning means: protect the hip and see a clinician.
    `fracture_possible`: a fired flag is a bone-stress flag, or a must-not-miss cause is one they suspect."""
    protect_only: bool
    fracture_possible: bool
    flags: list[dict]  # the serious red flags as in the assessment (id, name, text, level, status, source)
    reasons: list[str]

    @classmethod
    def check(cls, doc: dict, kb: KnowledgeBase) -> RedFlagGate:
        triage = doc.get("triage", {})
        flags = [f for f in triage.get("red_flags", []) if f.get("level") in SERIOUS]
        mnm = [m["condition"] for m in doc.get("must_not_miss", [])]
        reasons = [f"{f['name']} ({f['level']})" for f in flags]
        if triage.get("level") in SERIOUS and not flags:
            reasons.append(f"triage level {triage['level']}")
        reasons += [f"possible {kb.conditions[c].lay_name.lower() if c in kb.conditions else c} "
                    "(must not be missed)" for c in mnm]
        bone_flags = [kb.red_flags[f["id"]] for f in flags if f["id"] in kb.red_flags]
        bone_suspects = {c for rf in kb.red_flags.values() if rf.bone_stress for c in rf.suspects}
        fracture = any(rf.bone_stress for rf in bone_flags) or any(c in bone_suspects for c in mnm)
        return cls(bool(reasons), fracture, flags, reasons)
