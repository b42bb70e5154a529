"""Fired red flags raise their suspects in the ranking, capped, with their source; triage ignores them."""
from __future__ import annotations

import dataclasses
import math
from functools import lru_cache

from hypothesis import HealthCheck, given, settings

from hipcheck.assess import Assessor
from hipcheck.assess.differential import Differential
from hipcheck.assess.intake import with_derived
from hipcheck.knowledge.checks import cross_check
from hipcheck.services.assess import assessor

from test_assess_properties import intakes

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Groin pain during runs for three weeks, with a painful hop: fires painful_hop_with_bone_site_pain.
HOP_GROIN = {"schema": "hipcheck.intake/v1", "runner": {"age_years": 30, "sex": "male"},
             "pain": {"locations": ["groin"], "onset": "gradual", "weeks_since_onset": 3,
                      "when": ["during_run"]}, "tests": {"hop": "pain"}}


def _odds(p: dict, a: str, b: str) -> float:
    return p[a] / p[b]


def test_a_fired_flag_raises_its_suspects_and_is_listed_with_its_source():
    model = assessor().model
    kb = assessor().kb
    facts = with_derived(HOP_GROIN)
    assert kb.red_flags["painful_hop_with_bone_site_pain"].trigger.evaluate(facts) is True
    with_flags = Differential(model).rank(facts)
    pattern = Differential(model, red_flags=False).rank(facts)
    ratio = next(r for r in kb.assess_model.red_flag_evidence.flags if r.flag == "painful_hop_with_bone_site_pain")
    # fnsf is a suspect, adductor-related groin pain is not: their odds move by the flag's ratio.
    moved = _odds(with_flags.probabilities, "fnsf", "adductor_related") / _odds(pattern.probabilities, "fnsf",
                                                                                 "adductor_related")
    assert math.isclose(moved, ratio.ratios.get("fnsf", ratio.ratio), rel_tol=1e-6)
    entry = {e.condition: e for e in with_flags.entries}
    listed = [e for e in entry["fnsf"].for_ if e.finding == "painful_hop_with_bone_site_pain"]
    assert listed and listed[0].source == ratio.sources[0] and listed[0].basis == "clinical_judgement"
    assert not any(e.finding == "painful_hop_with_bone_site_pain" for e in entry["adductor_related"].for_)


@SETTINGS
@given(intakes())
def test_all_fired_flags_together_stay_under_the_cap(intake):
    model = assessor().model
    facts = with_derived(intake)
    cap = assessor().kb.assess_model.red_flag_evidence.max_combined_ratio
    terms = [t for _, t in model.flag_terms(facts)]
    if terms:
        total = sum(terms)
        assert (total <= math.log(cap) + 1e-9).all()
        assert (total >= 0).all()


@SETTINGS
@given(intakes())
def test_triage_is_the_same_with_or_without_red_flag_ratios(intake):
    a = assessor()
    assert a.assess(intake, with_questions=False).level == _without_flag_ratios().assess(
        intake, with_questions=False).level


@lru_cache(maxsize=1)
def _without_flag_ratios() -> Assessor:
    kb = assessor().kb
    return Assessor(dataclasses.replace(kb, assess_model=kb.assess_model.model_copy(
        update={"red_flag_evidence": None})))


def test_kb_check_rejects_a_ratio_for_a_condition_the_flag_does_not_suspect():
    kb = assessor().kb
    rfe = kb.assess_model.red_flag_evidence
    bad = rfe.flags[0].model_copy(update={"ratios": {"gtps": 2.0}})
    assert "gtps" not in kb.red_flags[bad.flag].suspects
    broken = dataclasses.replace(kb, assess_model=kb.assess_model.model_copy(
        update={"red_flag_evidence": rfe.model_copy(update={"flags": [bad, *rfe.flags[1:]]})}))
    errors = cross_check(broken)
    assert any("'gtps' is not one of the flag's suspects" in e for e in errors)
    assert not any("red_flag_evidence" in e for e in cross_check(kb))
