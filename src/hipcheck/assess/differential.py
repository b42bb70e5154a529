"""Likely causes: priors by age, sex and sport, updated by each answered finding's likelihood ratio.

P(condition | answers) ∝ prior(condition) × Π LR(finding, condition), where LR is LR+ for a finding
present, LR- for one explicitly absent and 1 for one unknown (assess_model.yaml holds every number).
A fired red flag then multiplies its suspects' odds by its `red_flag_evidence` ratio, all fired flags
together capped per condition, because the findings a flag is built from have already counted.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..contracts import intake_fields
from ..knowledge import KnowledgeBase
from ..knowledge.assess_models import FindingSpec

# A ratio this far from 1 is listed for (>=) or against (<=) a condition.
_FOR, _AGAINST = 1.25, 0.8


@dataclass(frozen=True)
class Evidence:
    finding: str
    text: str
    likelihood_ratio: float
    source: str
    basis: str  # published | clinical_judgement | prior


@dataclass
class CompiledFinding:
    spec: FindingSpec
    lr_pos: np.ndarray
    lr_neg: np.ndarray
    p_present: np.ndarray  # P(finding present | condition), used to predict answers
    source: list[str]  # per condition: the source behind its ratio
    basis: list[str]
    fields: frozenset[str]
    unlisted: bool = False  # absent means "not ticked in a pick-all list", not an explicit no


@dataclass
class CompiledFlag:
    flag: str
    name: str
    log_ratio: np.ndarray  # per condition; 0 for conditions the flag does not suspect
    source: str
    basis: str


class LikelihoodModel:
    """The compiled model: one vector per finding over the condition order in `conditions`."""

    def __init__(self, kb: KnowledgeBase):
        m = kb.assess_model
        self.kb = kb
        self.conditions: list[str] = [c for c in kb.conditions if c in m.priors.base]
        self.index = {c: i for i, c in enumerate(self.conditions)}
        self.base_prior = np.array([m.priors.base[c] for c in self.conditions], dtype=float)
        self.findings = [self._compile(f) for f in m.findings]
        rfe = m.red_flag_evidence
        self.flags = [self._compile_flag(r) for r in (rfe.flags if rfe else [])]
        self.max_flag_log_ratio = math.log(rfe.max_combined_ratio) if rfe else 0.0

    def _compile_flag(self, r) -> CompiledFlag:
        flag = self.kb.red_flags[r.flag]
        log_ratio = np.zeros(len(self.conditions))
        for c in flag.suspects:
            if c in self.index:
                log_ratio[self.index[c]] = math.log(r.ratios.get(c, r.ratio))
        return CompiledFlag(r.flag, flag.name, log_ratio, r.sources[0], r.basis)

    def flag_terms(self, intake: dict) -> list[tuple[CompiledFlag, np.ndarray]]:
        """Each fired red flag with the log-ratio it adds per condition, after the combined cap.

        Where the fired flags together would pass the cap for a condition, every flag's share is
        scaled down alike, so the ratios shown as evidence multiply to what was applied.
        """
        fired = [f for f in self.flags if self.kb.red_flags[f.flag].trigger.evaluate(intake) is True]
        if not fired:
            return []
        total = sum(f.log_ratio for f in fired)
        scale = np.where(total > self.max_flag_log_ratio, self.max_flag_log_ratio / np.maximum(total, 1e-12), 1.0)
        return [(f, f.log_ratio * scale) for f in fired]

    def _compile(self, f: FindingSpec) -> CompiledFinding:
        shrink = self.kb.assess_model.shrinkage
        n = len(self.conditions)
        j = f.judgement
        default_p = f.p_other if f.p_other is not None else f.p_base
        p = np.array([(j.p.get(c, default_p) if j else f.p_base) for c in self.conditions])
        lr_pos = np.array([shrink.judged(x, f.p_base, True) for x in p])
        lr_neg = np.array([shrink.judged(x, f.p_base, False) for x in p])
        src = [(j.sources[0] if j else "") for _ in range(n)]
        basis = ["clinical_judgement" if j else "published"] * n
        for pub in f.published:
            i = self.index[pub.condition]
            if pub.lr_pos is not None:
                lr_pos[i] = shrink.published(pub.lr_pos, pub.n, pub.pooled)
            if pub.lr_neg is not None:
                lr_neg[i] = shrink.published(pub.lr_neg, pub.n, pub.pooled)
            src[i], basis[i] = pub.source, "published"
        # The shrinkage already applied the global dependence weight; a finding may override it.
        if f.evidence_weight is not None:
            power = f.evidence_weight / shrink.evidence_weight
            lr_pos, lr_neg = lr_pos ** power, lr_neg ** power
        p_present = np.clip(f.p_base * lr_pos, 0.001, 0.999)
        # An option merely left unticked in a pick-all list is weaker evidence than an explicit "no".
        unlisted = bool(f.rule.field and f.rule.contains_any and _is_list(f.rule.field))
        if unlisted:
            lr_neg = lr_neg ** shrink.unlisted_weight
        return CompiledFinding(f, lr_pos, lr_neg, p_present, src, basis, frozenset(f.rule.fields()), unlisted)

    def log_prior(self, intake: dict) -> np.ndarray:
        logp = np.log(self.base_prior / self.base_prior.sum())
        for mod in self.kb.assess_model.priors.modifiers:
            if mod.when.evaluate(intake) is True:
                for c, factor in mod.multiply.items():
                    logp[self.index[c]] += math.log(factor)
        return logp

    def states(self, intake: dict) -> list[bool | None]:
        return [f.spec.rule.evaluate(intake) for f in self.findings]

    def log_posterior(self, intake: dict, states: list[bool | None] | None = None,
                      red_flags: bool = True) -> np.ndarray:
        """`red_flags=False` gives the symptom pattern alone (the triage rules use that)."""
        logp = self.log_prior(intake)
        for f, state in zip(self.findings, states if states is not None else self.states(intake)):
            if state is not None:
                logp = logp + np.log(f.lr_pos if state else f.lr_neg)
        if red_flags:
            for _, term in self.flag_terms(intake):
                logp = logp + term
        return logp


def _flag_evidence(terms: list[tuple[CompiledFlag, np.ndarray]], i: int) -> list[Evidence]:
    return [Evidence(f.flag, f"red flag: {f.name[0].lower()}{f.name[1:]}", round(math.exp(t[i]), 2),
                     f.source, f.basis) for f, t in terms if t[i] > 0]


def _is_list(path: str) -> bool:
    spec = intake_fields().get(path)
    return spec is not None and spec.kind == "list"


def normalise(logp: np.ndarray) -> np.ndarray:
    p = np.exp(logp - logp.max())
    return p / p.sum()


def entropy_bits(p: np.ndarray) -> float:
    q = p[p > 0]
    return float(-(q * np.log2(q)).sum())


@dataclass
class DifferentialEntry:
    condition: str
    name: str
    probability: float
    for_: list[Evidence] = field(default_factory=list)
    against: list[Evidence] = field(default_factory=list)
    must_not_miss: bool = False


class Differential:
    """Ranks the conditions for one intake; results on `entries` and `probabilities` after `rank`."""

    def __init__(self, model: LikelihoodModel, red_flags: bool = True):
        self.model = model
        self.red_flags = red_flags  # whether fired red flags raise their suspects
        self.entries: list[DifferentialEntry] = []
        self.probabilities: dict[str, float] = {}
        self.states: list[bool | None] = []

    def rank(self, intake: dict) -> Differential:
        model = self.model
        self.states = model.states(intake)
        probs = normalise(model.log_posterior(intake, self.states, self.red_flags))
        flag_terms = model.flag_terms(intake) if self.red_flags else []
        self.probabilities = {c: float(probs[i]) for i, c in enumerate(model.conditions)}
        order = sorted(range(len(probs)), key=lambda i: (-probs[i], model.conditions[i]))
        prior_evidence = self._prior_evidence(intake)
        mnm = set(model.kb.assess_model.must_not_miss) | {c.id for c in model.kb.conditions.values()
                                                           if c.must_not_miss}
        self.entries = []
        for i in order:
            cid = model.conditions[i]
            ev = prior_evidence.get(cid, []) + self._evidence(i) + _flag_evidence(flag_terms, i)
            entry = DifferentialEntry(
                cid, model.kb.conditions[cid].lay_name, float(probs[i]),
                sorted((e for e in ev if e.likelihood_ratio >= _FOR), key=lambda e: -e.likelihood_ratio),
                sorted((e for e in ev if e.likelihood_ratio <= _AGAINST), key=lambda e: e.likelihood_ratio),
                cid in mnm)
            self.entries.append(entry)
        return self

    def _evidence(self, i: int) -> list[Evidence]:
        out = []
        for f, state in zip(self.model.findings, self.states):
            if state is None:
                continue
            lr = float(f.lr_pos[i] if state else f.lr_neg[i])
            text = f.spec.present if state else (f"not reported: {f.spec.present}" if f.unlisted
                                                 else f.spec.absent)
            out.append(Evidence(f.spec.id, text, round(lr, 2), f.source[i], f.basis[i]))
        return out

    def _prior_evidence(self, intake: dict) -> dict[str, list[Evidence]]:
        out: dict[str, list[Evidence]] = {}
        for mod in self.model.kb.assess_model.priors.modifiers:
            if mod.when.evaluate(intake) is True:
                for c, factor in mod.multiply.items():
                    text = f"{mod.id.replace('_', ' ')} (starting odds x{factor:g})"
                    out.setdefault(c, []).append(Evidence(mod.id, text, factor, mod.sources[0], "prior"))
        return out
