"""One assessment: red flags first, then likely causes, triage rules, contributing factors, next questions."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..findings import Finding
from ..knowledge import KnowledgeBase, get_knowledge
from ..knowledge.rules import lookup
from .differential import Differential, DifferentialEntry, LikelihoodModel
from .intake import with_derived
from .questions import QuestionRanker, RankedQuestion
from .triage import RANK, RedFlagScreen, TriageReason, highest, rule_reasons


@dataclass
class Assessment:
    intake: dict
    level: str
    headline: str
    advice: str
    reasons: list[TriageReason]  # every red flag, possible red flag and rule that set the level
    possible_flags: list[str]  # red flags not ruled out because questions are unanswered
    differential: list[DifferentialEntry]  # shown entries, most likely first
    must_not_miss: list[DifferentialEntry]  # shown because they passed the safety threshold
    findings: list[Finding]
    contributing: list[Finding]
    next_questions: list[RankedQuestion]
    has_pain_info: bool
    probabilities: dict[str, float] = field(default_factory=dict)

    @property
    def top(self) -> str | None:
        return self.differential[0].condition if self.differential else None


class Assessor:
    """Parameters (the knowledge base) in __init__; `assess(intake)` returns an Assessment."""

    def __init__(self, kb: KnowledgeBase | None = None):
        self.kb = kb or get_knowledge()
        self.model = LikelihoodModel(self.kb)
        self.ranker = QuestionRanker(self.kb, self.model)

    def assess(self, intake: dict, with_questions: bool = True) -> Assessment:
        am = self.kb.assess_model
        facts = with_derived(intake)
        screen = RedFlagScreen(self.kb).screen(facts)
        diff = Differential(self.model).rank(facts)
        reasons = screen.reasons + rule_reasons(am.triage_rules, facts, self._pattern_probabilities(facts))
        level = highest([screen.level] + [r.level for r in reasons])
        head = next(h for h in am.headlines if h.level == level)
        # the serious conditions an urgent or emergency red flag names are listed whatever their probability:
        # the flag says the pattern needs checking for them, so the runner and clinician see which (rule and
        # sources: assess_model.yaml threshold must_not_miss_visible; each flag's `suspects` and sources)
        named = {c for r in screen.fired if RANK[r.level] >= RANK["urgent"] for c in self.kb.red_flags[r.id].suspects}
        shown, mnm = self._shown(diff.entries, bool(intake.get("pain")), named)
        questions: list[RankedQuestion] = []
        if with_questions and level != "emergency":
            questions = self._next_questions(facts, screen, diff)
        return Assessment(intake, level, head.headline, head.advice, reasons, screen.possible, shown, mnm,
                          self._findings(diff, facts), self._contributing(facts), questions,
                          bool(intake.get("pain")), diff.probabilities)

    def _pattern_probabilities(self, facts: dict) -> dict[str, float]:
        """The differential from the symptom pattern alone, without the red-flag signs.

        Signs and fired red flags are handled by the red-flag override rules; keeping them out of the
        probability-based triage rules means a new red-flag answer can only raise the level, never lower it.
        """
        pattern = facts if "signs" not in facts else {k: v for k, v in facts.items() if k != "signs"}
        return Differential(self.model, red_flags=False).rank(pattern).probabilities

    def _next_questions(self, facts: dict, screen: RedFlagScreen, diff: Differential) -> list[RankedQuestion]:
        """Unanswered red-flag questions that could still fire a flag, then the highest-gain fields."""
        n = int(self.kb.assess_model.threshold("next_best_questions"))
        open_fields = {p for f in screen.possible for p in self.kb.red_flags[f].trigger.fields()}
        safety = [RankedQuestion(p, 0.0) for p in self.kb.assess_model.red_flag_screen
                  if p in open_fields and lookup(facts, p) is None][:2]
        logp = self.model.log_posterior(facts, diff.states)
        ranked = [q for q in self.ranker.rank(facts, screen, logp) if q.gain_bits > 0
                  and q.field not in {s.field for s in safety}]
        return (safety + ranked)[:n]

    def _shown(self, entries: list[DifferentialEntry], pain: bool, named: set[str] = frozenset()):
        am = self.kb.assess_model
        keep_min = am.threshold("differential_min_probability")
        limit = int(am.threshold("differential_max_entries"))
        visible = am.threshold("must_not_miss_visible")
        shown = [e for i, e in enumerate(entries) if i < 3 or e.probability >= keep_min][:limit]
        mnm = [e for e in entries if e.must_not_miss and (e.probability >= visible or e.condition in named)]
        shown += [e for e in mnm if e not in shown]
        return shown, mnm

    def _findings(self, diff: Differential, facts: dict) -> list[Finding]:
        out = []
        for f, state in zip(self.model.findings, diff.states):
            if state is None:
                continue
            lrs = f.lr_pos if state else f.lr_neg
            swing = max(abs(math.log(x)) for x in lrs)
            strength = "strong" if swing >= math.log(4) else "moderate" if swing >= math.log(2) else "weak"
            values = {p: lookup(facts, p) for p in sorted(f.fields)}
            evidence = (f.spec.present if state else f.spec.absent) + " (" + ", ".join(
                f"{p} = {_fmt(v)}" for p, v in values.items() if v is not None) + ")"
            src = f.spec.judgement.sources[0] if f.spec.judgement else f.spec.published[0].source
            out.append(Finding(f.spec.id, evidence, strength, src))
        return out

    def _contributing(self, facts: dict) -> list[Finding]:
        out = []
        for rf in self.kb.risk_factors.values():
            if rf.intake_rule is not None and rf.intake_rule.evaluate(facts) is True:
                vals = [f"{p} = {_fmt(lookup(facts, p))}" for p in sorted(rf.intake_rule.fields())
                        if lookup(facts, p) is not None]
                out.append(Finding(rf.id, f"{rf.name} ({', '.join(vals)})", "moderate", rf.sources[0]))
        return out


def _fmt(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(map(str, v)) + "]"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


__all__ = ["Assessment", "Assessor", "RANK"]
