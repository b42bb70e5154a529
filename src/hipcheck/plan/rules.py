"""The plan's numbers and words from the knowledge base: thresholds by id, guidance text with
`{threshold_id}` filled in, and the source list every section cites."""
from __future__ import annotations

import string

from ..errors import KnowledgeBaseError
from ..knowledge.loader import KnowledgeBase
from ..knowledge.models import PlanGuidance

# Every threshold the plan reads; a missing one is a knowledge-base error, raised when the plan is built.
REQUIRED = (
    "pain_during_max", "pain_next_morning_max", "rtr_session_min", "rtr_sessions_per_step",
    "gait_cadence_raise_min_pct", "gait_cadence_raise_max_pct", "plan_progress_sessions", "plan_regress_pain",
    "plan_severe_pain", "plan_escalation_window_days", "plan_escalation_rise_points", "plan_escalation_min_days",
    "plan_phase_window_days", "plan_walk_pain_free_min", "plan_max_exercises_per_phase",
    "plan_load_findings_days", "plan_adherence_weeks",
)


def fmt_number(value: float) -> str:
    return f"{value:g}"


class PlanRules:
    """Thresholds and guidance for the plan. `value(id)`, `sources(id)`, `text(s)`, `guidance(kind)`."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        missing = [t for t in REQUIRED if t not in kb.thresholds]
        if missing:
            raise KnowledgeBaseError([(f"plan thresholds missing: {', '.join(missing)} "
                                       "(plan_thresholds.yaml, thresholds.yaml, gait_thresholds.yaml)")])

    def value(self, tid: str) -> float:
        try:
            return self.kb.thresholds[tid].value
        except KeyError:
            raise KnowledgeBaseError([f"threshold '{tid}' is missing"]) from None

    def int(self, tid: str) -> int:
        return round(self.value(tid))

    def sources(self, *tids: str) -> list[str]:
        out: list[str] = []
        for tid in tids:
            out += [s for s in self.kb.thresholds[tid].sources if s not in out]
        return out

    def text(self, template: str) -> str:
        """`template` with each `{threshold_id}` replaced by the threshold's value."""
        names = [f for _, f, _, _ in string.Formatter().parse(template) if f]
        unknown = [n for n in names if n not in self.kb.thresholds]
        if unknown:
            raise KnowledgeBaseError([(f"plan text refers to unknown threshold(s) {', '.join(unknown)}: "
                                       f"'{template[:60]}...'")])
        return template.format(**{n: fmt_number(self.value(n)) for n in names})

    def guidance(self, kind: str) -> list[PlanGuidance]:
        return [g for g in self.kb.plan_guidance.values() if g.kind == kind]

    def item(self, gid: str) -> PlanGuidance:
        try:
            return self.kb.plan_guidance[gid]
        except KeyError:
            raise KnowledgeBaseError([f"plan_guidance.yaml: '{gid}' is missing"]) from None

    def section(self, g: PlanGuidance) -> dict:
        """One guidance record as a plan section: title, text, points, sources."""
        out = {"id": g.id, "title": self.text(g.title), "text": self.text(g.text),
               "points": [self.text(p) for p in g.points], "sources": list(g.sources)}
        return out
