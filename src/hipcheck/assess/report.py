"""The `hipcheck.assessment/v1` document: triage first, then likely causes, advice, safety net, sources."""
from __future__ import annotations

import math

from ..contracts import ASSESSMENT_SCHEMA_ID
from ..knowledge import KnowledgeBase
from .differential import DifferentialEntry, Evidence
from .engine import Assessment
from .triage import RANK

_MAX_EVIDENCE = 6


def _floor(p: float) -> float:
    """Round down, so the listed probabilities never sum above 1."""
    return math.floor(p * 10_000) / 10_000


def _evidence(ev: list[Evidence]) -> list[dict]:
    return [{"finding": e.finding, "text": e.text, "likelihood_ratio": e.likelihood_ratio,
             "source": e.source, "basis": e.basis} for e in ev[:_MAX_EVIDENCE]]


def _entry(e: DifferentialEntry) -> dict:
    return {
        "condition": e.condition, "name": e.name, "probability": _floor(e.probability),
        "for": [f"{x.text} ({x.source})" for x in e.for_[:_MAX_EVIDENCE]],
        "against": [f"{x.text} ({x.source})" for x in e.against[:_MAX_EVIDENCE]],
        "evidence_for": _evidence(e.for_), "evidence_against": _evidence(e.against),
        "must_not_miss": e.must_not_miss,
    }


def build_document(a: Assessment, kb: KnowledgeBase) -> dict:
    am = kb.assess_model
    flags = [r for r in a.reasons if r.kind != "rule"]
    questions = {q.field: q.text for q in am.questions}
    doc = {
        "schema": ASSESSMENT_SCHEMA_ID,
        "triage": {
            "level": a.level,
            "headline": a.headline,
            "advice": a.advice,
            "red_flags": [{"id": r.id, "name": kb.red_flags[r.id].name, "text": r.text, "source": r.source,
                           "status": "present" if r.kind == "red_flag" else "possible",
                           "level": r.level} for r in _by_level(flags)],
            "reasons": [{"id": r.id, "level": r.level, "text": r.text, "source": r.source, "kind": r.kind}
                        for r in _by_level(a.reasons)],
            "unanswered_red_flags": [{"id": f, "name": kb.red_flags[f].name, "level": kb.red_flags[f].level}
                                     for f in a.possible_flags],
        },
        "differential": [_entry(e) for e in a.differential],
        "must_not_miss": [{"condition": e.condition, "name": e.name, "probability": _floor(e.probability),
                           "warning": _warning(e, kb, a)} for e in a.must_not_miss],
        "what_to_do": _what_to_do(a, kb),
        "when_to_see_doctor": _safety_net(a, kb),
        "contributing_factors": [{"id": f.id, "text": kb.risk_factors[f.id].name, "evidence": f.evidence,
                                  "category": kb.risk_factors[f.id].category, "source": f.source}
                                 for f in a.contributing],
        "next_best_questions": [q.field for q in a.next_questions],
        "next_best_questions_detail": [{"field": q.field, "question": questions.get(q.field, q.field),
                                        "expected_information_gain_bits": q.gain_bits}
                                       for q in a.next_questions],
        "findings": [f.to_dict() for f in a.findings],
        "disclaimer": am.disclaimer,
    }
    doc["sources"] = _sources(doc, kb)
    return doc


def _by_level(reasons):
    return sorted(reasons, key=lambda r: -RANK[r.level])


def _warning(e: DifferentialEntry, kb: KnowledgeBase, a: Assessment) -> str:
    fired = [kb.red_flags[r.id].name for r in a.reasons
             if r.kind == "red_flag" and r.id in kb.red_flags and e.condition in kb.red_flags[r.id].suspects]
    flags = [f.name for f in kb.red_flags.values() if e.condition in f.suspects]
    if fired:
        hint = f" Your answers include a warning sign for it: {'; '.join(fired[:3]).lower()}."
    else:
        hint = f" Warning signs: {'; '.join(flags[:3]).lower()}." if flags else ""
    how = "is a likely cause" if e.probability >= 0.25 else "cannot be ruled out from your answers"
    share = "under 1%" if e.probability < 0.005 else f"{e.probability:.0%}"
    return f"{e.name} {how} ({share}) and is serious if missed.{hint}"


def _what_to_do(a: Assessment, kb: KnowledgeBase) -> list[str]:
    steps = [a.advice]
    if RANK[a.level] <= RANK["routine"] and a.differential:
        top = kb.conditions[a.differential[0].condition]
        steps += top.self_care[:4]
        if top.avoid:
            steps.append("Avoid for now: " + "; ".join(top.avoid[:3]).lower() + ".")
    return steps


def _safety_net(a: Assessment, kb: KnowledgeBase) -> list[str]:
    """Fired red flags first, then the warning signs that should bring the runner back sooner."""
    fired = {r.id for r in a.reasons}
    out = [r.text for r in _by_level(a.reasons) if r.kind != "rule"]
    for level, where in (("emergency", "Go to an emergency department now if"),
                         ("urgent", "Stop running and see a doctor within 1-2 days if")):
        signs = [f.name.lower() for f in kb.red_flags.values() if f.level == level and f.id not in fired]
        if signs:
            out.append(f"{where}: " + "; ".join(signs) + ".")
    return out


def _sources(doc: dict, kb: KnowledgeBase) -> list[dict]:
    ids: list[str] = []

    def add(s):
        if s and s not in ids and s in kb.sources:
            ids.append(s)
    for r in doc["triage"]["reasons"]:
        add(r["source"])
    for d in doc["differential"]:
        for e in d["evidence_for"] + d["evidence_against"]:
            add(e["source"])
    for c in doc["contributing_factors"]:
        add(c["source"])
    for f in doc["findings"]:
        add(f["source"])
    out = []
    for s in ids:
        src = kb.sources[s]
        where = src.url or (f"https://doi.org/{src.doi}" if src.doi else None) or \
            (f"shared/domain/articles/{src.file} ({src.section})" if src.file else None)
        out.append({"id": s, "title": src.title, "where": where})
    return out
