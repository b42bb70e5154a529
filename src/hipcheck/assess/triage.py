"""Red flags first: evaluate every red-flag rule, escalate possible ones with a hint, set the level.

Three-valued: a flag whose trigger is True fires; one whose trigger is unknown (None) is "possible"
and is escalated only when an escalation in assess_model.yaml says the hint is strong enough. The
level is the highest of fired flags, escalations and the self_care-vs-routine triage rules; nothing
can lower a level set by a red flag.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..knowledge import KnowledgeBase
from ..knowledge.assess_models import TriageRule

LEVELS = ("self_care", "routine", "urgent", "emergency")
RANK = {lv: i for i, lv in enumerate(LEVELS)}


@dataclass(frozen=True)
class TriageReason:
    id: str
    level: str
    text: str
    source: str
    kind: str  # "red_flag" (present), "possible_red_flag" (escalated while unanswered), "rule"
    suspects: tuple[str, ...] = ()


@dataclass
class RedFlagScreen:
    """Evaluates red_flags.yaml and the escalations; results on attributes after `screen`."""
    kb: KnowledgeBase
    fired: list[TriageReason] = field(default_factory=list)
    escalated: list[TriageReason] = field(default_factory=list)
    possible: list[str] = field(default_factory=list)  # flag ids not ruled out (unknown)
    bone_stress_open: list[str] = field(default_factory=list)  # bone-stress flags fired or possible

    def screen(self, intake: dict) -> RedFlagScreen:
        self.fired, self.escalated, self.possible, self.bone_stress_open = [], [], [], []
        states = {}
        for flag in self.kb.red_flags.values():
            state = flag.trigger.evaluate(intake)
            states[flag.id] = state
            if state is True:
                self.fired.append(TriageReason(flag.id, flag.level, flag.message, flag.sources[0],
                                               "red_flag", tuple(flag.suspects)))
            elif state is None:
                self.possible.append(flag.id)
            if flag.bone_stress and state is not False:
                self.bone_stress_open.append(flag.id)
        for esc in self.kb.assess_model.escalations:
            if (states.get(esc.flag) is None and esc.when.evaluate(intake) is True
                    and (esc.unless is None or esc.unless.evaluate(intake) is not True)):
                flag = self.kb.red_flags[esc.flag]
                self.escalated.append(TriageReason(esc.flag, esc.level, esc.message, esc.sources[0],
                                                   "possible_red_flag", tuple(flag.suspects)))
        return self

    @property
    def reasons(self) -> list[TriageReason]:
        return self.fired + self.escalated

    @property
    def level(self) -> str:
        return max((r.level for r in self.reasons), key=RANK.__getitem__, default="self_care")


def rule_reasons(rules: list[TriageRule], intake: dict, probabilities: dict[str, float]) -> list[TriageReason]:
    """The triage rules (self_care vs routine, must-not-miss) that apply to this intake and differential."""
    out = []
    for rule in rules:
        if rule.when is not None:
            hit = rule.when.evaluate(intake) is True
        else:
            hit = sum(probabilities.get(c, 0.0) for c in rule.conditions) >= rule.min_probability
        if hit:
            out.append(TriageReason(rule.id, rule.level, rule.text, rule.sources[0], "rule", tuple(rule.conditions)))
    return out


def highest(levels) -> str:
    return max(levels, key=RANK.__getitem__, default="self_care")
