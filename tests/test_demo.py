"""`hipcheck demo` (what `make run` shows before the web app): the sample runner through every service."""
import json
from datetime import date

from hipcheck.services.demo import DEMO_ATHLETE, run_demo, training_rows

TODAY = date(2026, 11, 30)


def test_demo_walks_the_sample_runner_through_assessment_load_and_plan():
    result = run_demo(today=TODAY)
    assert result.created and result.athlete == DEMO_ATHLETE
    # Outer-hip ache lying on that side with a tender trochanter: gluteal tendinopathy leads, no red flag.
    assert result.assessment["triage"]["level"] in ("self_care", "routine")
    assert result.assessment["differential"][0]["condition"] == "gtps"
    assert result.import_summary["imported"] == 1 and not result.import_summary["failed"]
    flags = {f["id"] for f in result.load_report["findings"]}
    assert {"long_run_spike", "training_spike"} <= flags  # the 17.5 km run after 12 km weeks
    assert result.load_report["pain_rises"], "the diary rises after the long hilly run"
    assert result.plan["exercises"], "a self-care case gets an exercise programme"
    assert all(e.get("dosage") for e in result.plan["exercises"])


def test_demo_runs_again_without_duplicating_data():
    run_demo(today=TODAY)
    again = run_demo(today=TODAY)
    assert not again.created
    assert again.import_summary["imported"] == 0 and again.import_summary["skipped"] == 1


def test_training_log_is_deterministic_and_ends_today():
    rows = training_rows(TODAY)
    assert rows == training_rows(TODAY)
    assert max(r["date"] for r in rows) <= TODAY.isoformat()
    longest = max(float(r["distance_km"]) for r in rows)
    assert longest == 17.5


def test_demo_command_prints_json(run_cli):
    r = run_cli("demo", "--format", "json")
    assert r.code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["athlete"] == DEMO_ATHLETE
    assert doc["assessment"]["schema"] == "hipcheck.assessment/v1"


def test_web_demo_account_gets_the_sample_runner_once():
    from hipcheck.services.demo import seed_web_demo
    from hipcheck.store import Assessment, get_database
    from sqlalchemy import func, select

    email, password, name = seed_web_demo(today=TODAY)
    assert email and password and name
    again = seed_web_demo(today=TODAY)
    assert again == (email, password, name)
    with get_database().session() as s:
        n = s.scalar(select(func.count()).select_from(Assessment))
    assert n == 1, "a second start must not add another assessment"
