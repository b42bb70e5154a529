"""Regression guard: the development vignettes reach the issue's targets (in-process, fast).

Targets: top-1 >= 85 %, top-3 >= 95 %, exact triage >= 85 %, no missed emergency, no under-triage.
The engine never sees the case ids or descriptions, only the intake.
"""
from __future__ import annotations

import json

import pytest

from hipcheck.assess.triage import RANK
from hipcheck.services.assess import assessor


def test_dev_vignettes_reach_the_targets(shared_dir):
    files = sorted((shared_dir / "vignettes" / "dev").glob("*.json"))
    if not files:
        pytest.skip("no vignettes")
    a = assessor()
    top1 = top3 = exact = 0
    under, missed = [], []
    for f in files:
        case = json.loads(f.read_text())
        exp = case["expected"]
        result = a.assess(case["intake"], with_questions=False)
        ranked = [d.condition for d in result.differential]
        ok = {exp["condition"], *exp.get("also_ok", [])}
        top1 += ranked[0] in ok
        top3 += bool(ok & set(ranked[:3]))
        exact += result.level == exp["triage"]
        if RANK[result.level] < RANK[exp["min_safe_triage"]]:
            under.append(case["id"])
        if exp["triage"] == "emergency" and result.level != "emergency":
            missed.append(case["id"])
    n = len(files)
    assert not under, f"under-triaged: {under}"
    assert not missed, f"missed emergencies: {missed}"
    assert top1 / n >= 0.85, top1 / n
    assert top3 / n >= 0.95, top3 / n
    assert exact / n >= 0.85, exact / n
