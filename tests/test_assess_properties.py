"""Properties that must hold for every intake: safety is monotone, probabilities well-formed, JSON valid."""
from __future__ import annotations

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipcheck.assess import build_document
from hipcheck.assess.triage import RANK
from hipcheck.contracts import assessment_schema, intake_fields
from hipcheck.services.assess import assessor


def _value(spec):
    if spec.kind == "boolean":
        return st.booleans()
    if spec.kind == "enum":
        return st.sampled_from(spec.values)
    if spec.kind == "list":
        return st.lists(st.sampled_from(spec.values), unique=True, max_size=4)
    if spec.kind == "integer":
        return st.integers(int(spec.minimum), int(spec.maximum))
    return st.floats(spec.minimum, spec.maximum, allow_nan=False).map(lambda x: round(x, 1))


@st.composite
def intakes(draw):
    doc: dict = {"schema": "hipcheck.intake/v1"}
    fields = intake_fields()
    chosen = draw(st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=25))
    for path in chosen:
        section, name = path.split(".")
        doc.setdefault(section, {})[name] = draw(_value(fields[path]))
    return doc


def _red_flag_signs() -> list[str]:
    kb = assessor().kb
    return sorted({p for f in kb.red_flags.values() for p in f.trigger.fields() if p.startswith("signs.")})


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(intakes(), st.data())
def test_adding_a_red_flag_finding_never_lowers_the_level(intake, data):
    a = assessor()
    before = a.assess(intake, with_questions=False).level
    sign = data.draw(st.sampled_from(_red_flag_signs()))
    section, name = sign.split(".")
    worse = {**intake, section: {**intake.get(section, {}), name: True}}
    after = a.assess(worse, with_questions=False).level
    assert RANK[after] >= RANK[before], (sign, before, after)


@SETTINGS
@given(intakes())
def test_probabilities_are_well_formed_and_json_validates(intake):
    a = assessor()
    result = a.assess(intake)
    probs = list(result.probabilities.values())
    assert all(0.0 <= p <= 1.0 for p in probs)
    assert abs(sum(probs) - 1.0) < 1e-6
    doc = build_document(result, a.kb)
    jsonschema.Draft202012Validator(assessment_schema()).validate(doc)
    shown = [d["probability"] for d in doc["differential"]]
    assert sum(shown) <= 1.0
    assert shown == sorted(shown, reverse=True)
    assert len(shown) >= 3
    assert doc["triage"]["level"] in RANK


@SETTINGS
@given(intakes())
def test_loading_tests_never_suggested_while_bone_stress_is_possible(intake):
    a = assessor()
    result = a.assess(intake)
    loading = {t.intake_field for t in a.kb.self_tests.values() if t.loads_bone}
    bone_flags = {f.id for f in a.kb.red_flags.values() if f.bone_stress}
    open_bone = bone_flags & ({r.id for r in result.reasons} | set(result.possible_flags))
    if open_bone:
        assert not loading & {q.field for q in result.next_questions}
