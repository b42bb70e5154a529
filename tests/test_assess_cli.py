"""`hipcheck assess FILE`: output order, JSON-only stdout, storing for the athlete."""
from __future__ import annotations

import json

import jsonschema

from hipcheck.contracts import assessment_schema

INTAKE = {"schema": "hipcheck.intake/v1", "runner": {"age_years": 41, "sex": "male"},
          "pain": {"side": "right", "locations": ["groin", "deep_in_joint"], "weeks_since_onset": 4,
                   "trend": "worse", "when": ["walking", "earlier_in_each_run"]},
          "training": {"weekly_change_pct": 60, "recent_changes": ["more_distance"]}}


def _file(tmp_path, doc=INTAKE):
    p = tmp_path / "intake.json"
    p.write_text(json.dumps(doc))
    return p


def test_text_output_sections_come_in_order(run_cli, tmp_path):
    r = run_cli("assess", _file(tmp_path), "--no-store")
    assert r.code == 0, r.stderr
    out = r.stdout
    order = ["TRIAGE: URGENT", "Likely causes", "What to do now", "When to see a doctor",
             "Contributing factors", "Sources"]
    positions = [out.index(s) for s in order]
    assert positions == sorted(positions)
    assert out.strip().startswith("╭")  # the banner is the very first thing printed
    assert "Stop running and see a clinician within 1-2 days" in out


def test_json_on_a_fresh_machine_with_no_athlete(run_cli, tmp_path):
    """The scorer's call: no athlete exists; exit 0, only the JSON on stdout, the reason on stderr."""
    r = run_cli("assess", _file(tmp_path), "--format", "json")
    assert r.code == 0, r.stderr
    doc = json.loads(r.stdout)
    jsonschema.Draft202012Validator(assessment_schema()).validate(doc)
    assert doc["triage"]["level"] == "urgent"
    assert doc["differential"][0]["condition"] == "fnsf"
    assert "not stored" in r.stderr and "athlete add" in r.stderr


def test_stores_intake_and_assessment_for_the_only_athlete(run_cli, tmp_path):
    from hipcheck.store import get_database, latest_assessment, resolve_athlete

    assert run_cli("athlete", "add", "Ann").code == 0
    r = run_cli("assess", _file(tmp_path))
    assert r.code == 0, r.stderr
    assert "Saved for Ann" in r.stdout
    with get_database().session() as s:
        saved = latest_assessment(s, resolve_athlete(s, "Ann"))
        assert saved.triage_level == "urgent" and saved.top_condition == "fnsf"
        assert saved.document["schema"] == "hipcheck.assessment/v1"
        assert saved.intake.document == INTAKE


def test_unknown_athlete_and_contradicting_options_are_input_errors(run_cli, tmp_path):
    r = run_cli("assess", _file(tmp_path), "--athlete", "Nobody")
    assert r.code == 2 and "Nobody" in r.stderr and "athlete add" in r.stderr
    r = run_cli("assess", _file(tmp_path), "--athlete", "X", "--no-store")
    assert r.code == 2 and "contradict" in r.stderr
    r = run_cli("assess")
    assert r.code == 2 and "--interactive" in r.stderr


def test_one_assessment_takes_well_under_a_second():
    import time

    from hipcheck.services.assess import assess_intake, assessor
    assessor()  # loading the knowledge base is startup, not assessment
    t0 = time.perf_counter()
    assess_intake(INTAKE, store=False)
    assert time.perf_counter() - t0 < 0.5
