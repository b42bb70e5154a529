"""Bad intake is rejected with the field path and the allowed values: exit 2, no traceback."""
from __future__ import annotations

import json

import pytest

GOOD = {"schema": "hipcheck.intake/v1", "runner": {"age_years": 34}, "pain": {"locations": ["outer_hip"]}}


def _write(tmp_path, doc, name="intake.json"):
    p = tmp_path / name
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return p


def _bad(run_cli, path):
    r = run_cli("assess", path, "--format", "json", "--no-store")
    assert r.code == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    assert r.stdout == ""  # nothing that looks like an assessment
    return " ".join(r.stderr.split())


@pytest.mark.parametrize("doc, expect", [
    ({**GOOD, "pain": {"locations": ["outer_hip"], "colour": "red"}},
     ["unknown field 'pain.colour'", "allowed fields here", "locations", "trend"]),
    ({**GOOD, "mood": "sad"}, ["unknown field 'mood'", "runner", "history"]),
    ({**GOOD, "runner": {"age_years": "thirty"}}, ["'runner.age_years'", "integer", "8 to 100"]),
    ({**GOOD, "signs": {"limp": "yes"}}, ["'signs.limp'", "boolean", "true or false"]),
    ({**GOOD, "runner": {"age_years": 130}}, ["'runner.age_years'", "out of range", "8 to 100"]),
    ({**GOOD, "pain": {"intensity_now": -1}}, ["'pain.intensity_now'", "0 to 10"]),
    ({**GOOD, "pain": {"trend": "worst"}}, ["'pain.trend'", '"worst"', "better, same, worse"]),
    ({**GOOD, "pain": {"locations": ["elbow"]}}, ["'pain.locations.0'", "groin", "outer_hip", "calf"]),
    ({**GOOD, "tests": {"fadir": "positive"}}, ["'tests.fadir'", "pain, no_pain, not_done"]),
    ({**GOOD, "schema": "hipcheck.intake/v2"}, ["'schema'", "hipcheck.intake/v1"]),
    ({"runner": {"age_years": 34}}, ["missing field 'schema'", "hipcheck.intake/v1"]),
])
def test_each_class_of_bad_field_names_path_and_allowed_values(run_cli, tmp_path, doc, expect):
    msg = _bad(run_cli, _write(tmp_path, doc))
    for part in expect:
        assert part in msg, f"{part!r} not in {msg!r}"


def test_not_an_object_is_rejected(run_cli, tmp_path):
    msg = _bad(run_cli, _write(tmp_path, "[1, 2, 3]"))
    assert "must be an object" in msg and "hipcheck.intake/v1" in msg


def test_unreadable_or_missing_file_is_rejected(run_cli, tmp_path):
    msg = _bad(run_cli, tmp_path / "nope.json")
    assert "nope.json" in msg and "no such file" in msg
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    assert "cannot read it" in _bad(run_cli, binary)


def test_broken_syntax_is_rejected(run_cli, tmp_path):
    msg = _bad(run_cli, _write(tmp_path, "schema: [unclosed", "i.yaml"))
    assert "not valid JSON or YAML" in msg


def test_yaml_and_json_give_the_same_assessment(run_cli, tmp_path):
    doc = {**GOOD, "pain": {"locations": ["outer_hip"], "when": ["lying_on_that_side", "stairs"],
                            "weeks_since_onset": 3}}
    yaml_text = ("schema: hipcheck.intake/v1\nrunner: {age_years: 34}\npain:\n  locations: [outer_hip]\n"
                 "  when: [lying_on_that_side, stairs]\n  weeks_since_onset: 3\n")
    a = run_cli("assess", _write(tmp_path, doc), "--format", "json", "--no-store")
    b = run_cli("assess", _write(tmp_path, yaml_text, "i.yaml"), "--format", "json", "--no-store")
    assert a.code == b.code == 0
    assert json.loads(a.stdout) == json.loads(b.stdout)


def test_missing_means_unknown_never_no():
    """An unanswered red-flag question leaves the flag possible; an explicit false rules it out."""
    from hipcheck.services.assess import assess_intake
    unknown = assess_intake({"schema": "hipcheck.intake/v1", "pain": {"locations": ["groin"]}}, store=False)
    denied = assess_intake({"schema": "hipcheck.intake/v1", "pain": {"locations": ["groin"], "side": "left"},
                            "signs": {"saddle_numbness": False, "bladder_or_bowel_change": False}}, store=False)
    ids = lambda r: {f["id"] for f in r.document["triage"]["unanswered_red_flags"]}  # noqa: E731
    assert "cauda_equina_symptoms" in ids(unknown)
    assert "cannot_bear_weight_after_injury" in ids(unknown)
    assert "cauda_equina_symptoms" not in ids(denied)
    assert "cannot_bear_weight_after_injury" in ids(denied)
