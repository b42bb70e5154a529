"""Cross-checks run at load time: every reference resolves, every rule reads real intake fields."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..contracts import intake_fields
from .rules import Rule

if TYPE_CHECKING:
    from .loader import KnowledgeBase


def _refs(errors: list[str], where: str, ids, coll: dict, kind: str) -> None:
    for rid in ids:
        if rid not in coll:
            errors.append(f"{where} refers to unknown {kind} '{rid}'")


def _rule(errors: list[str], where: str, rule: Rule, extra: dict | None = None) -> None:
    fields = {**intake_fields(), **(extra or {})}
    for path in sorted(rule.fields()):
        if path not in fields:
            errors.append(f"{where}: rule reads unknown intake field '{path}'")
    for path, value in rule.values():
        spec = fields.get(path)
        if spec and spec.values and value not in spec.values:
            errors.append(f"{where}: '{value}' is not an allowed value of {path} "
                          f"(allowed: {', '.join(spec.values)})")


def cross_check(kb: KnowledgeBase) -> list[str]:
    from .loader import ARTICLE_FILES, CONTRACT_CONDITIONS, REF_KINDS

    errors: list[str] = []
    src = kb.sources

    def sources(where: str, ids) -> None:
        _refs(errors, where, ids, src, "source")

    for s in src.values():
        if s.kind == "article" and s.file not in ARTICLE_FILES:
            errors.append(f"sources.yaml: '{s.id}' names article file '{s.file}', "
                          f"which is not one of {', '.join(ARTICLE_FILES)}")
    missing = [c for c in CONTRACT_CONDITIONS if c not in kb.conditions]
    if missing:
        errors.append(f"conditions.yaml: contract condition ids missing: {', '.join(missing)}")
    for c in kb.conditions.values():
        w = f"conditions.yaml: '{c.id}'"
        sources(w, c.sources)
        _refs(errors, w, c.risk_factors, kb.risk_factors, "risk factor")
        _refs(errors, w, c.exercises, kb.exercises, "exercise")
        if c.recovery:
            sources(w + " recovery", [c.recovery.source])
    for f in kb.red_flags.values():
        w = f"red_flags.yaml: '{f.id}'"
        sources(w, f.sources)
        _refs(errors, w, f.suspects, kb.conditions, "condition")
        _rule(errors, w, f.trigger)
    for r in kb.risk_factors.values():
        w = f"risk_factors.yaml: '{r.id}'"
        sources(w, r.sources)
        _refs(errors, w, r.raises, kb.conditions, "condition")
        _refs(errors, w, r.exercises, kb.exercises, "exercise")
        if r.intake_rule:
            _rule(errors, w, r.intake_rule)
    for t in kb.self_tests.values():
        w = f"self_tests.yaml: '{t.id}'"
        sources(w, t.sources)
        _refs(errors, w, t.suggests, kb.conditions, "condition")
        _refs(errors, w, t.forbidden_by, kb.red_flags, "red flag")
        if t.intake_field not in intake_fields():
            errors.append(f"{w}: intake_field '{t.intake_field}' is not an intake field")
        if t.loads_bone:
            bone = {f.id for f in kb.red_flags.values() if f.bone_stress}
            lacking = sorted(bone - set(t.forbidden_by))
            if lacking:
                errors.append(f"{w}: loads bone but is not forbidden by bone-stress red flags "
                              f"{', '.join(lacking)}")
    illus = kb.data_dir / "illustrations"
    for e in kb.exercises.values():
        w = f"exercises.yaml: '{e.id}'"
        sources(w, e.sources)
        for link in (e.regression, e.progression):
            if link:
                _refs(errors, w, [link], kb.exercises, "exercise")
        if not (illus / e.illustration).is_file():
            errors.append(f"{w}: illustration '{e.illustration}' not found in {illus}")
    for t in kb.thresholds.values():
        sources(f"thresholds.yaml: '{t.id}'", t.sources)
    for g in kb.plan_guidance.values():
        w = f"plan_guidance.yaml: '{g.id}'"
        sources(w, g.sources)
        _refs(errors, w, [g.condition] if g.condition else [], kb.conditions, "condition")
        _refs(errors, w, g.exercises, kb.exercises, "exercise")
        _refs(errors, w, g.risk_factors, kb.risk_factors, "risk factor")
    if kb.assess_model:
        errors.extend(_check_assess_model(kb))
    for i, item in enumerate(kb.seed_items):
        w = f"seed_coverage.yaml: entry {i} ({item.kind} '{item.quote[:40]}')"
        if item.article not in ARTICLE_FILES:
            errors.append(f"{w}: unknown article '{item.article}'")
        if not item.maps_to:
            errors.append(f"{w}: maps to nothing; add the ids that represent it")
        for ref in item.maps_to:
            kind, _, rid = ref.partition(":")
            if kind not in REF_KINDS:
                errors.append(f"{w}: '{ref}' must be kind:id with kind one of {', '.join(REF_KINDS)}")
            elif rid not in kb.collection(kind):
                errors.append(f"{w}: '{ref}' does not exist")
    return errors


def _check_assess_model(kb: KnowledgeBase) -> list[str]:
    """assess_model.yaml: every condition, red flag, source and intake field it names exists."""
    from .assess_models import DERIVED_FIELDS

    m, errors, f = kb.assess_model, [], "assess_model.yaml"
    conds, src = kb.conditions, kb.sources
    _refs(errors, f"{f} shrinkage", m.shrinkage.sources, src, "source")
    _refs(errors, f"{f} priors", m.priors.sources, src, "source")
    _refs(errors, f"{f} priors.base", m.priors.base, conds, "condition")
    for mod in m.priors.modifiers:
        w = f"{f} prior modifier '{mod.id}'"
        _refs(errors, w, mod.sources, src, "source")
        _refs(errors, w, mod.multiply, conds, "condition")
        _rule(errors, w, mod.when, DERIVED_FIELDS)
    for fs in m.findings:
        w = f"{f} finding '{fs.id}'"
        _rule(errors, w, fs.rule, DERIVED_FIELDS)
        if fs.judgement:
            _refs(errors, w, fs.judgement.sources, src, "source")
            _refs(errors, w, fs.judgement.p, conds, "condition")
        for pub in fs.published:
            _refs(errors, w, [pub.source], src, "source")
            _refs(errors, w, [pub.condition], conds, "condition")
    if m.red_flag_evidence:
        _refs(errors, f"{f} red_flag_evidence", m.red_flag_evidence.sources, src, "source")
        seen: set[str] = set()
        for rr in m.red_flag_evidence.flags:
            w = f"{f} red_flag_evidence '{rr.flag}'"
            _refs(errors, w, rr.sources, src, "source")
            _refs(errors, w, [rr.flag], kb.red_flags, "red flag")
            if rr.flag in seen:
                errors.append(f"{w}: listed twice")
            seen.add(rr.flag)
            suspects = set(kb.red_flags[rr.flag].suspects) if rr.flag in kb.red_flags else set()
            for c in rr.ratios:
                if c not in suspects:
                    errors.append(f"{w}: '{c}' is not one of the flag's suspects in red_flags.yaml")
            if not suspects & set(m.priors.base):
                errors.append(f"{w}: the flag has no suspects to raise")
    for e in m.escalations:
        w = f"{f} escalation '{e.id}'"
        _refs(errors, w, e.sources, src, "source")
        _refs(errors, w, [e.flag], kb.red_flags, "red flag")
        _rule(errors, w, e.when, DERIVED_FIELDS)
        if e.unless:
            _rule(errors, w, e.unless, DERIVED_FIELDS)
    for t in m.triage_rules:
        w = f"{f} triage rule '{t.id}'"
        _refs(errors, w, t.sources, src, "source")
        _refs(errors, w, t.conditions, conds, "condition")
        if t.when:
            _rule(errors, w, t.when, DERIVED_FIELDS)
    for h in m.headlines:
        _refs(errors, f"{f} headline '{h.level}'", h.sources, src, "source")
    for name, t in m.thresholds.items():
        _refs(errors, f"{f} threshold '{name}'", t.sources, src, "source")
    _refs(errors, f"{f} must_not_miss", m.must_not_miss, conds, "condition")
    fields = intake_fields()
    for path in m.red_flag_screen + [q.field for q in m.questions]:
        if path not in fields:
            errors.append(f"{f}: question field '{path}' is not an intake field")
    asked = {q.field for q in m.questions}
    for path in sorted(set(fields) - asked):
        errors.append(f"{f}: intake field '{path}' has no question")
    for q in m.questions:
        spec = fields.get(q.field)
        if spec and spec.values and set(q.options) != set(spec.values):
            errors.append(f"{f}: question '{q.field}' must word exactly the values {', '.join(spec.values)}")
    return errors


def summary(kb: KnowledgeBase, errors: list[str]) -> dict:
    """The `kb check --format json` document."""
    return {
        "conditions": len(kb.conditions),
        "red_flags": len(kb.red_flags),
        "exercises": len(kb.exercises),
        "self_tests": len(kb.self_tests),
        "sources": len(kb.sources),
        "seed_items": len(kb.seed_items),
        "seed_items_unmapped": sum(
            1 for s in kb.seed_items
            if not s.maps_to or any(not _resolves(kb, r) for r in s.maps_to)),
        "errors": errors,
    }


def _resolves(kb: KnowledgeBase, ref: str) -> bool:
    try:
        kb.get(ref)
        return True
    except KeyError:
        return False
