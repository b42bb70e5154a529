"""Interactive mode: red-flag questions first, then by information gain; same answers, same result."""
from __future__ import annotations

import io
import json

import pytest

from hipcheck.assess import DONT_KNOW, AdaptiveSession, FullSession
from hipcheck.assess.session import replay
from hipcheck.contracts import intake_fields
from hipcheck.knowledge.rules import lookup
from hipcheck.services.assess import assess_intake, assessor

RUNNER = {  # our own lateral-hip case; fields left out are answered "don't know"
    "schema": "hipcheck.intake/v1",
    "runner": {"age_years": 47, "sex": "female", "sport": "distance_running"},
    "pain": {"side": "right", "locations": ["outer_hip"], "onset": "gradual", "weeks_since_onset": 3,
             "trend": "same", "when": ["lying_on_that_side", "stairs", "after_run"], "intensity_worst": 4},
    "signs": {k: False for k in ("cannot_bear_weight", "leg_looks_shortened_or_turned_out", "saddle_numbness",
                                 "bladder_or_bowel_change", "leg_weakness", "fever_or_chills",
                                 "calf_swelling_or_tenderness", "unrelenting_night_pain", "history_of_cancer",
                                 "unexplained_weight_loss", "steroid_use_or_heavy_alcohol", "swelling", "limp")},
    "tests": {"outer_hip_pressure": "pain", "single_leg_stance_30s": "pain", "fadir": "no_pain"},
    "history": {"sits_hours_per_day": 8},
}


def _typed(path: str, value) -> str:
    """What a runner types for `value` at the prompt of `path`."""
    if value is DONT_KNOW or value is None or value == "not_done":
        return "?"
    spec = intake_fields()[path]
    options = next(q.options for q in assessor().kb.assess_model.questions if q.field == path)
    if spec.kind == "boolean":
        return "y" if value else "n"
    if spec.kind == "list":
        return ",".join(str(list(options).index(v) + 1) for v in value) or "none"
    if spec.kind == "enum":
        return str(list(options).index(value) + 1)
    return str(value)


@pytest.mark.parametrize("mode, session_cls", [("--interactive", AdaptiveSession), ("--full", FullSession)])
def test_answers_through_the_prompts_give_the_file_result(run_cli, monkeypatch, mode, session_cls):
    session = session_cls(assessor())
    tops = replay(session, RUNNER)
    typed = [_typed(p, lookup(RUNNER, p)) for p in session.asked]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(typed) + "\n"))
    r = run_cli("assess", mode, "--format", "json", "--no-store")
    assert r.code == 0, r.stderr
    printed = r.stdout[r.stdout.index('{\n  "schema"'):]
    from_prompts = json.loads(printed)
    from_file = assess_intake(session.intake, store=False).document
    assert from_prompts == from_file
    assert from_prompts["differential"][0]["condition"] == tops[-1] == "gtps"


def test_red_flags_are_asked_first_and_progress_is_shown(run_cli, monkeypatch):
    screen = assessor().kb.assess_model.red_flag_screen
    session = AdaptiveSession(assessor())
    replay(session, RUNNER)
    assert session.asked[:len(screen)] == screen
    assert len(session.asked) < len(assessor().kb.assess_model.questions) / 2
    typed = [_typed(p, lookup(RUNNER, p)) for p in session.asked]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(typed) + "\n"))
    r = run_cli("assess", "--interactive", "--no-store")
    assert r.code == 0, r.stderr
    assert "Safety check 1 of" in r.stdout and "Leading so far" in r.stdout
    assert "Are you unable to stand or walk on that leg at all?" in r.stdout
    if any(p.startswith("tests.") for p in session.asked):
        assert "Self-test:" in r.stdout and "Safety:" in r.stdout
    assert r.stdout.index("TRIAGE:") > r.stdout.index("Done:")


def test_emergency_answer_stops_the_questions_at_once(run_cli, monkeypatch):
    # age "don't know", then "yes" to being unable to bear weight
    monkeypatch.setattr("sys.stdin", io.StringIO("?\ny\n"))
    r = run_cli("assess", "--interactive", "--no-store")
    assert r.code == 0, r.stderr
    assert "TRIAGE: EMERGENCY" in r.stdout
    assert "emergency red flag" in r.stdout


def test_invalid_answer_is_asked_again_and_end_of_input_is_a_clean_error(run_cli, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("two hundred\n300\n"))
    r = run_cli("assess", "--interactive", "--no-store")
    assert r.code == 2
    assert "type a number" in r.stdout and "from 8 to 100" in r.stdout
    assert "input ended" in r.stderr and "Traceback" not in r.stderr + r.stdout
