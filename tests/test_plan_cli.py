"""`hipcheck plan` end to end through a real SQLite file: build from an intake, log sessions, progress by
pain, escalate and re-assess, recheck warning signs, and refuse what a red-flag plan must not do."""
from __future__ import annotations

import json
import shutil
from datetime import date, timedelta

import pytest

from hipcheck.store import get_athlete, get_database, plan_repo

TODAY = date.today()


def _day(k: int) -> str:
    return (TODAY + timedelta(days=k)).isoformat()


@pytest.fixture
def intake(shared_dir, tmp_path):
    def _write(cid: str) -> str:
        case = json.loads((shared_dir / "vignettes" / "dev" / f"{cid}.json").read_text())
        path = tmp_path / f"{cid}.json"
        path.write_text(json.dumps(case["intake"]))
        return str(path)
    return _write


@pytest.fixture
def ann(run_cli):
    assert run_cli("athlete", "add", "Ann").code == 0
    return "Ann"


def _json(res):
    assert res.code == 0, res.stderr + res.stdout
    return json.loads(res.stdout)


def test_plan_from_an_intake_is_stored_in_the_database(run_cli, ann, intake, hipcheck_home):
    doc = _json(run_cli("plan", "--intake", intake("D01"), "--format", "json"))
    assert doc["schema"] == "hipcheck.plan/v1" and doc["mode"] == "rehab" and doc["plan_id"]
    assert (hipcheck_home / "hipcheck.db").is_file()
    with get_database().session() as s:
        who = get_athlete(s, "Ann")
        row = plan_repo.latest_plan(s, who)
        assert row.id == doc["plan_id"] and row.document["exercises"] == doc["exercises"]
        assert row.assessment is not None and row.assessment.document["triage"]["level"] == doc["triage"]["level"]
    # rebuilding from the same assessment keeps the start date and phase
    again = _json(run_cli("plan", "--format", "json"))
    assert again["plan_id"] != doc["plan_id"] and again["created"] == doc["created"]
    text = run_cli("plan")
    assert text.code == 0 and "Settle" in text.stdout and "When to get help" in text.stdout


def test_log_and_diary_drive_progression(run_cli, ann, intake):
    _json(run_cli("plan", "--intake", intake("D01"), "--format", "json"))
    for k in (-3, -1):
        assert run_cli("plan", "log", "--date", _day(k), "--exercise", "glute_bridge", "--sets", "3",
                       "--pain", "2").code == 0
        assert run_cli("diary", "add", "--date", _day(k), "--pain-after", "2", "--pain-next-morning", "1").code == 0
    status = _json(run_cli("plan", "status", "--format", "json"))
    bridge = next(a for a in status["exercises"] if a["exercise"] == "glute_bridge")
    assert bridge["action"] == "progress" and bridge["to"]["id"] == "single_leg_glute_bridge"
    assert not status["escalation"]["escalate"]
    assert status["adherence"] and status["adherence"][-1]["prescribed_sets"] > 0
    res = run_cli("plan", "log", "--exercise", "glute_bridge", "--sets", "3", "--pain", "6")
    assert res.code == 0 and "step back" in res.stdout
    text = run_cli("plan", "status")
    assert text.code == 0 and "Adherence" in text.stdout


def test_worsening_pain_triggers_a_reassessment_once(run_cli, ann, intake):
    _json(run_cli("plan", "--intake", intake("D01"), "--format", "json"))
    for k, p in {-13: 2, -11: 2, -9: 3, -5: 5, -3: 6, -1: 6}.items():
        assert run_cli("diary", "add", "--date", _day(k), "--pain-after", str(p)).code == 0
    status = _json(run_cli("plan", "status", "--format", "json"))
    esc = status["escalation"]
    assert esc["escalate"] and "getting worse" in esc["reasons"][0]
    r = esc["reassessment"]
    assert r["done"] and r["assessment_id"] and r["triage_level"] in ("routine", "urgent", "emergency")
    with get_database().session() as s:
        who = get_athlete(s, "Ann")
        from hipcheck.store import latest_assessment
        latest = latest_assessment(s, who)
        assert latest.id == r["assessment_id"]
        assert latest.intake.document["pain"]["trend"] == "worse"
        assert latest.intake.document["pain"]["intensity_now"] == 6
    again = _json(run_cli("plan", "status", "--format", "json"))
    assert not again["escalation"]["escalate"]  # handled: no new pain since
    shown = run_cli("plan", "log", "--exercise", "glute_bridge", "--sets", "3", "--pain", "9")
    assert shown.code == 0 and "RE-ASSESSED" in shown.stdout  # severe pain: re-assessed at once
    final = _json(run_cli("plan", "status", "--format", "json"))
    assert final["protect_only"] is True and final["exercises"] == []


def test_red_flag_plan_prescribes_nothing_and_refuses_logging(run_cli, ann, intake, tmp_path):
    ics = tmp_path / "p.ics"
    doc = _json(run_cli("plan", "--intake", intake("D27"), "--format", "json", "--ics", str(ics)))
    assert doc["protect_only"] and doc["exercises"] == [] and doc["triage"]["level"] == "emergency"
    res = run_cli("plan", "log", "--exercise", "glute_bridge", "--sets", "3", "--pain", "1")
    assert res.code == 2 and "no exercises" in res.stderr and "Traceback" not in res.stderr
    res = run_cli("plan", "advance")
    assert res.code == 2 and "only protects" in res.stderr
    from icalendar import Calendar
    events = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert len(events) == 1 and "clinician" in str(events[0]["SUMMARY"]).lower()


def test_recheck_with_a_new_warning_sign_replaces_the_plan(run_cli, ann, intake):
    first = _json(run_cli("plan", "--intake", intake("D01"), "--format", "json"))
    out = _json(run_cli("plan", "recheck", "--answer", "signs.unrelenting_night_pain=yes", "--format", "json"))
    assert out["new_red_flags"] and out["new_plan_id"] and out["new_plan_id"] != first["plan_id"]
    assert any(f["id"] == "unrelenting_night_pain" for f in out["new_red_flags"])
    status = _json(run_cli("plan", "status", "--format", "json"))
    assert status["protect_only"] and status["plan_id"] == out["new_plan_id"]
    calm = run_cli("plan", "recheck", "--answer", "signs.fever_or_chills=no", "--format", "json")
    assert calm.code == 0
    bad = run_cli("plan", "recheck", "--answer", "signs.no_such_field=yes")
    assert bad.code == 2 and "FIELD=VALUE" in bad.stderr


def test_user_errors_are_one_line(run_cli, ann, intake):
    res = run_cli("plan")
    assert res.code == 2 and "no assessment" in res.stderr
    _json(run_cli("plan", "--intake", intake("D01"), "--format", "json"))
    res = run_cli("plan", "log", "--exercise", "jumping_jacks", "--sets", "3")
    assert res.code == 2 and "not in your plan" in res.stderr and "glute_bridge" in res.stderr
    res = run_cli("plan", "log", "--exercise", "glute_bridge", "--sets", "3", "--pain", "11")
    assert res.code == 2 and "--pain" in res.stderr
    res = run_cli("plan", "log", "--exercise", "glute_bridge", "--sets", "3", "--date", _day(3))
    assert res.code == 2 and "future" in res.stderr
    res = run_cli("plan", "advance")
    assert res.code == 2 and "not ready" in res.stderr
    res = run_cli("plan", "--weeks", "40")
    assert res.code == 2 and "--weeks" in res.stderr


def test_plan_without_an_athlete_is_still_built(run_cli, intake):
    res = run_cli("plan", "--intake", intake("D02"), "--format", "json")
    doc = _json(res)
    assert doc["protect_only"] and doc["plan_id"] is None if "plan_id" in doc else doc["protect_only"]
    assert "not stored" in res.stderr


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_plan_writes_every_output(run_cli, ann, intake, tmp_path):
    out = {k: tmp_path / f"plan.{k}" for k in ("pdf", "html", "ics", "json")}
    res = run_cli("plan", "--intake", intake("D01"), "--pdf", out["pdf"], "--html", out["html"],
                  "--ics", out["ics"], "--fhir", out["json"], "--weeks", "2")
    assert res.code == 0, res.stderr
    assert out["pdf"].read_bytes().startswith(b"%PDF")
    assert "<html" in out["html"].read_text()
    assert out["ics"].read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert json.loads(out["json"].read_text())["resourceType"] == "Bundle"


def test_training_and_gait_findings_enter_the_plan(run_cli, ann, intake, tmp_path):
    """Runs imported through `hipcheck load`, with a jump in the last fortnight, and a stored rear-view gait
    analysis with pelvic drop: the plan gets weekly caps, the training flag and the cadence change."""
    from hipcheck.store.models import GaitAnalysis

    rows = ["date,distance_km,duration_min,rpe"]
    first = TODAY - timedelta(days=7 * 8)
    for w in range(8):
        for d, km in ((0, 6), (2, 7), (5, 10)):
            day = first + timedelta(days=7 * w + d)
            if day < TODAY:
                rows.append(f"{day},{km * (1.7 if w >= 6 else 1.0):.1f},{km * 6:.0f},3")
    path = tmp_path / "runs.csv"
    path.write_text("\n".join(rows) + "\n")
    assert run_cli("load", "import", path).code == 0
    with get_database().session() as s:
        who = get_athlete(s, "Ann")
        s.add(GaitAnalysis(athlete_id=who.id, kind="gait", view="rear", document={
            "schema": "hipcheck.gait/v1", "view": "rear", "cadence_spm": 160.0,
            "metrics": {"pelvic_drop_deg": {"left": {"mean": 3.0, "n": 12}, "right": {"mean": 7.5, "n": 12}}},
            "findings": [{"id": "pelvic_drop", "evidence": "pelvis drops 7.5° on the right", "strength": "moderate",
                          "source": "bramah_2018", "data": {"side": "right"}}]}))
    doc = _json(run_cli("plan", "--intake", intake("D01"), "--format", "json"))
    origins = {f["id"]: f["from"] for f in doc["findings_used"]}
    assert origins.get("pelvic_drop") == "gait"
    assert "load" in origins.values(), origins
    cad = doc["running"]["cadence"]
    assert cad["current_spm"] == 160.0 and cad["target_spm"] == [168, 176]
    vol = doc["running"]["volume"]
    assert vol and vol["mode"] in ("progression", "return_to_run") and vol["weeks"]


def test_advance_moves_to_rebuild_after_a_calm_logged_week(run_cli, ann, intake):
    from hipcheck.diary.models import PainEntry
    from hipcheck.services import diary as diary_service
    from hipcheck.services import plan as service

    start = TODAY - timedelta(days=10)
    built = service.build_plan("Ann", intake("D01"), today=start)
    assert built.document["current_phase"] == "settle"
    for k in range(1, 9):
        day = start + timedelta(days=k)
        service.log_session(day, "isometric_hip_abduction", 5, 1, "Ann", today=day)
        diary_service.add_entry(PainEntry(date=day, pain_after=1, pain_next_morning=1), "Ann")
    moved = service.advance_phase("Ann", today=start + timedelta(days=9))
    assert moved["phase"] == "rebuild" and moved["exercises"]
    status = service.plan_status("Ann", today=start + timedelta(days=9))
    assert status["current_phase"] == "rebuild"
    assert status["adherence"] and any(w["done_sets"] > 0 for w in status["adherence"])
