"""Choose the exercises: the likely cause's protocol (in its order of progression) plus the exercises that
address the findings, minus what the cause rules out, placed in the phases each exercise suits."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..findings import Finding
from ..knowledge.loader import KnowledgeBase
from ..knowledge.models import Dosage, Exercise
from .rules import PlanRules

PHASES = ("settle", "rebuild", "return", "maintain")


def dosage_text(d: Dosage) -> str:
    """'3 sets x 12 reps (2 s up, 2 s hold, 3 s down), rest 60 s, 3 days a week, each side'."""
    if d.reps is not None and d.hold_s is not None:
        core = f"{d.sets} sets x {d.reps} reps, hold {d.hold_s} s"
    elif d.reps is not None:
        core = f"{d.sets} sets x {d.reps} reps"
    else:
        core = f"{d.sets} x {d.hold_s} s hold"
    if d.tempo:
        core += f" ({d.tempo})"
    days = "every day" if d.days_per_week == 7 else f"{d.days_per_week} days a week"
    side = ", each side" if d.per_side else ""
    return f"{core}, rest {d.rest_s} s, {days}{side}"


def _link(kb: KnowledgeBase, eid: str | None) -> dict | None:
    if eid is None or eid not in kb.exercises:
        return None
    return {"id": eid, "name": kb.exercises[eid].name}


def card(kb: KnowledgeBase, ex: Exercise, phases: list[str], why: list[dict]) -> dict:
    """One exercise card of the plan: everything the runner needs to do it, and why it is there."""
    return {
        "id": ex.id, "name": ex.name, "category": ex.category, "illustration": ex.illustration,
        "dosage": ex.dosage.model_dump(), "dosage_text": dosage_text(ex.dosage),
        "steps": list(ex.steps), "cues": list(ex.cues), "mistakes": list(ex.mistakes),
        "equipment": list(ex.equipment), "targets": list(ex.targets),
        "contraindications": list(ex.contraindications), "phases": phases, "why": why,
        "progression": _link(kb, ex.progression), "regression": _link(kb, ex.regression),
        "sources": list(ex.sources),
    }


@dataclass
class ExerciseSelection:
    cards: list[dict] = field(default_factory=list)
    by_phase: dict[str, list[str]] = field(default_factory=dict)
    excluded: list[dict] = field(default_factory=list)  # {exercise, because, sources}


class ExerciseSelector:
    """Parameters: the knowledge base and plan rules. `select(condition, findings)` returns the cards and
    the exercise ids of each phase (at most `plan_max_exercises_per_phase`; findings get up to half)."""

    def __init__(self, kb: KnowledgeBase, rules: PlanRules):
        self.kb = kb
        self.rules = rules

    def select(self, condition_id: str | None, findings: list[tuple[str, Finding]]) -> ExerciseSelection:
        kb = self.kb
        cond = kb.conditions.get(condition_id) if condition_id else None
        exclusions = [g for g in self.rules.guidance("exclusion") if g.condition == condition_id]
        excluded = {e: g for g in exclusions for e in g.exercises}
        protocol = [e for e in (cond.exercises if cond else []) if e in kb.exercises and e not in excluded]
        targeted: dict[str, list[str]] = {}
        ruled_out: dict[str, list[str]] = {}  # excluded exercises a finding asked for
        for rid, _ in findings:  # strongest finding first
            for e in kb.risk_factors[rid].exercises:
                if e in excluded:
                    ruled_out.setdefault(e, []).append(rid)
                elif e in kb.exercises:
                    targeted.setdefault(e, []).append(rid)
        cap = self.rules.int("plan_max_exercises_per_phase")
        # Body and form findings (weak glutes, pelvic drop, tight flexors) get up to half the places; findings
        # about training habits (no strength work, no warm-up) only fill places the protocol leaves free.
        habit = {e for e, rids in targeted.items() if all(kb.risk_factors[r].category == "training" for r in rids)}
        sel = ExerciseSelection()
        for phase in PHASES:
            fits = [e for e in targeted if e not in protocol and phase in kb.exercises[e].phases]
            first = [e for e in fits if e not in habit][: cap // 2 if protocol else cap]
            own = [e for e in protocol if phase in kb.exercises[e].phases][: cap - len(first)]
            fill = [e for e in fits if e in habit][: max(0, cap - len(first) - len(own))]
            sel.by_phase[phase] = own + first + fill
        for eid in dict.fromkeys(e for p in PHASES for e in sel.by_phase[p]):  # in the order they start
            why = []
            if eid in protocol and cond is not None:
                why.append({"kind": "protocol", "id": cond.id, "label": "programme for the likely cause",
                            "text": f"part of the exercise programme for the likely cause: {cond.lay_name}"})
            for rid in targeted.get(eid, []):
                name = kb.risk_factors[rid].name
                why.append({"kind": "finding", "id": rid, "label": name,
                            "text": f"addresses a finding: {name[0].lower() + name[1:]}"})
            phases = [p for p in PHASES if eid in sel.by_phase[p]]
            sel.cards.append(card(kb, kb.exercises[eid], phases, why))
        for e, rids in ruled_out.items():
            g = excluded[e]
            sel.excluded.append({"exercise": e, "name": kb.exercises[e].name, "asked_for_by": rids,
                                 "because": self.rules.text(g.text), "sources": list(g.sources)})
        return sel
