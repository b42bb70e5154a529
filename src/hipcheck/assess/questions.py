"""Next best question: the unanswered field whose answer is expected to shrink the differential most.

Expected information gain = H(now) - Σ_answers P(answer) H(after answer), in bits. The candidate
answers of a field are its enum values (or true/false), representative numbers on each side of
every threshold the model uses, or, for pick-all lists, deterministic samples drawn from the
model's own predictions. Loading self-tests are never offered while a bone-stress red flag is
present or still possible, nor any self-test a fired red flag forbids.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from ..contracts import intake_fields
from ..knowledge import KnowledgeBase
from ..knowledge.rules import Rule, lookup
from .differential import LikelihoodModel, entropy_bits, normalise

_LIST_SAMPLES = 32


@dataclass(frozen=True)
class RankedQuestion:
    field: str
    gain_bits: float


def _rules_reading(field: str, rules: list[Rule]) -> list[Rule]:
    return [r for r in rules if field in r.fields()]


def _thresholds(rule: Rule, field: str) -> list[float]:
    if rule.field == field:
        return [v for v in (rule.gte, rule.gt, rule.lte, rule.lt) if v is not None]
    out: list[float] = []
    for child in (rule.all or []) + (rule.any or []) + ([rule.not_] if rule.not_ else []):
        out += _thresholds(child, field)
    return out


class QuestionRanker:
    """Ranks unanswered intake fields by expected information gain over the current differential."""

    def __init__(self, kb: KnowledgeBase, model: LikelihoodModel):
        self.kb, self.model = kb, model
        self.fields = intake_fields()
        self.asked = [q.field for q in kb.assess_model.questions]
        self._by_field = {path: [i for i, f in enumerate(model.findings) if path in f.fields]
                          for path in self.fields}
        mods = [m.when for m in kb.assess_model.priors.modifiers]
        self._prior_fields = {p for r in mods for p in r.fields()}
        all_rules = ([f.spec.rule for f in model.findings] + mods
                     + [f.trigger for f in kb.red_flags.values()])
        self._candidates = {p: self._candidate_values(p, all_rules) for p in self.fields}
        self._option_p = {p: self._option_probabilities(p) for p in self.fields
                          if self.fields[p].kind == "list"}

    # ---- candidates ------------------------------------------------------------------------------
    def _candidate_values(self, path: str, rules: list[Rule]) -> list:
        spec = self.fields[path]
        if spec.kind == "boolean":
            return [True, False]
        if spec.kind == "enum":
            return [v for v in spec.values if v != "not_done"]
        if spec.kind in ("integer", "number"):
            cuts = sorted({t for r in _rules_reading(path, rules) for t in _thresholds(r, path)})
            if not cuts:
                return []
            lo = spec.minimum if spec.minimum is not None else cuts[0] - 1
            hi = spec.maximum if spec.maximum is not None else cuts[-1] + 1
            points = [lo] + [(a + b) / 2 for a, b in zip(cuts, cuts[1:])] + [hi]
            vals = sorted({*points, *cuts})
            return [int(round(v)) if spec.kind == "integer" else v for v in vals]
        return []

    def _option_probabilities(self, path: str) -> dict[str, np.ndarray]:
        """P(option ticked | condition), from the single-option findings on this list field."""
        out = {}
        for opt in self.fields[path].values:
            for i in self._by_field[path]:
                r = self.model.findings[i].spec.rule
                if r.field == path and r.contains_any and opt in r.contains_any:
                    out[opt] = self.model.findings[i].p_present / len(r.contains_any)
                    break
            else:
                out[opt] = np.full(len(self.model.conditions), 0.1)
        return out

    # ---- gain ------------------------------------------------------------------------------------
    def allowed(self, path: str, screen) -> bool:
        """False for a self-test that a fired red flag forbids, or a loading test while bone stress is open."""
        test = next((t for t in self.kb.self_tests.values() if t.intake_field == path), None)
        if test is None:
            return True
        fired = {r.id for r in screen.fired} | {r.id for r in screen.escalated}
        if fired & set(test.forbidden_by):
            return False
        if test.loads_bone:
            open_flags = set(screen.bone_stress_open) | (set(test.forbidden_by) & set(screen.possible))
            return not open_flags
        return True

    def unanswered(self, intake: dict) -> list[str]:
        return [p for p in self.asked if lookup(intake, p) in (None, "not_done")]

    def gain(self, path: str, intake: dict, logp: np.ndarray) -> float:
        p_now = normalise(logp)
        h_now = entropy_bits(p_now)
        affected = self._by_field[path]
        if self.fields[path].kind == "list":
            answers = self._sample_lists(path, p_now)
            weights = np.full(len(answers), 1 / len(answers)) if answers else np.array([])
        else:
            answers = self._candidates[path]
            weights = None
        if not answers or (not affected and path not in self._prior_fields):
            return 0.0
        base_states = [self.model.findings[i].spec.rule.evaluate(intake) for i in affected]
        prior_now = self.model.log_prior(intake) if path in self._prior_fields else None
        posts, likes = [], []
        for value in answers:
            trial = with_answer(intake, path, value)
            delta = np.zeros_like(logp)
            like = np.ones_like(logp)
            for i, before in zip(affected, base_states):
                if before is not None:
                    continue
                f = self.model.findings[i]
                state = f.spec.rule.evaluate(trial)
                if state is None:
                    continue
                delta += np.log(f.lr_pos if state else f.lr_neg)
                like *= f.p_present if state else 1 - f.p_present
            if prior_now is not None:
                delta += self.model.log_prior(trial) - prior_now
            posts.append(normalise(logp + delta))
            likes.append(like)
        if weights is None:  # predictive P(answer) = Σ_c P(c) P(answer | c), normalised over candidates
            w = np.array([float(p_now @ lk) for lk in likes])
            weights = w / w.sum() if w.sum() > 0 else np.full(len(w), 1 / len(w))
        h_after = sum(wt * entropy_bits(p) for wt, p in zip(weights, posts))
        return max(0.0, h_now - h_after)

    def _sample_lists(self, path: str, p_now: np.ndarray) -> list[list[str]]:
        rng = np.random.default_rng(zlib.crc32(path.encode()))
        opts = self._option_p[path]
        out = []
        for _ in range(_LIST_SAMPLES):
            c = rng.choice(len(p_now), p=p_now)
            out.append([o for o, pr in opts.items() if rng.random() < pr[c]])
        return out

    def rank(self, intake: dict, screen, logp: np.ndarray, only: list[str] | None = None) -> list[RankedQuestion]:
        fields = only if only is not None else self.unanswered(intake)
        ranked = [RankedQuestion(p, round(self.gain(p, intake, logp), 4))
                  for p in fields if self.allowed(p, screen)]
        return sorted(ranked, key=lambda q: (-q.gain_bits, self.asked.index(q.field)))


def with_answer(intake: dict, path: str, value) -> dict:
    section, name = path.split(".", 1)
    return {**intake, section: {**intake.get(section, {}), name: value}}
