"""`hipcheck load report` and `hipcheck load plan` on an imported history with a pain diary."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from hipcheck.diary.analysis import PainGate
from hipcheck.diary.models import PainEntry
from hipcheck.load.metrics import TrainingHistory
from hipcheck.load.progression import ProgressionPlanner
from hipcheck.load.thresholds import load_thresholds
from test_load_support import steady_weeks

START = date(2025, 1, 6)


@pytest.fixture
def history_csv(run_cli, tmp_path):
    """12 steady weeks, then one 25 km run and a 60% bigger week, logged as a training CSV."""
    assert run_cli("athlete", "add", "Ann").code == 0
    rows = ["date,distance_km,duration_min,rpe"]
    for w in range(14):
        for d, km in ((0, 6), (2, 8), (4, 6), (6, 12)):
            km = km * (1.6 if w == 12 else 1.0)
            if w == 12 and d == 6:
                km = 25
            rows.append(f"{START + timedelta(days=7 * w + d)},{km},{km * 5.5:.0f},3")
    path = tmp_path / "log.csv"
    path.write_text("\n".join(rows) + "\n")
    assert run_cli("load", "import", path).code == 0
    spike_day = START + timedelta(days=7 * 12 + 6)
    for offset, during, after, morning in ((-10, 1, 1, 0), (2, 4, 5, 4)):
        day = spike_day + timedelta(days=offset)
        assert run_cli("diary", "add", "--date", day, "--pain-during", during, "--pain-after", after,
                       "--pain-next-morning", morning).code == 0
    return spike_day


def test_report_json_links_flags_to_the_pain_rise(run_cli, history_csv, tmp_path):
    r = run_cli("load", "report", "--format", "json", "--html", tmp_path / "out" / "report.html",
                "--chart", tmp_path / "out" / "chart.svg")
    assert r.code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["schema"] == "hipcheck.load-report/1" and doc["totals"]["runs"] == 56
    kinds = {f["data"]["kind"] for f in doc["findings"]}
    assert {"spike_moderate", "weekly_increase_large"} <= kinds
    (rise,) = doc["pain_rises"]
    assert rise["date"] == (history_csv + timedelta(days=2)).isoformat() and rise["to"] == 5
    before = {f["kind"] for f in rise["flags_before"]}
    assert {"spike_moderate", "weekly_increase_large"} <= before
    pain_day = next(p for p in doc["pain"] if p["date"] == rise["date"])
    assert pain_day["runs_that_day"] == []
    html = (tmp_path / "out" / "report.html").read_text()
    assert "data:image/png;base64," in html and "frandsen_2025" in html and "Which flags came before" in html
    assert (tmp_path / "out" / "chart.svg").read_text().lstrip().startswith("<?xml")
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no temp files left


def test_report_png_and_since(run_cli, history_csv, tmp_path):
    since = (history_csv - timedelta(days=20)).isoformat()
    r = run_cli("load", "report", "--since", since, "--chart", tmp_path / "c.png", "--format", "json")
    doc = json.loads(r.stdout)
    first_week = (date.fromisoformat(since) - timedelta(days=6)).isoformat()
    assert all(w["week_start"] >= first_week for w in doc["weeks"])
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = run_cli("load", "report")
    assert text.code == 0 and "pain rise" in text.stdout and "Buist 2008" in text.stdout
    bad = run_cli("load", "report", "--chart", tmp_path / "c.gif")
    assert bad.code == 2 and ".png or .svg" in bad.stderr


def test_plan_cli_gives_walk_run_ladder_without_recent_runs(run_cli, history_csv):
    r = run_cli("load", "plan", "--weeks", "5", "--format", "json")  # the history ended in 2025
    assert r.code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["mode"] == "return_to_run" and "no runs in the last 30 days" in doc["reason"]
    assert len(doc["weeks"]) == 5 and doc["weeks"][0]["run_min"] == 1 and doc["weeks"][0]["walk_min"] == 4
    assert all(rule["sources"] for rule in doc["rules"])
    assert run_cli("load", "plan", "--weeks", "9").code == 2


def test_progression_caps_follow_the_rules():
    th = load_thresholds()
    acts = steady_weeks(START, 6, km_per_run=8.0)
    today = START + timedelta(days=41)
    h = TrainingHistory(th, until=today).run(acts)
    entries = [PainEntry(date=today - timedelta(days=1), pain_during=2, pain_after=2, pain_next_morning=1)]
    gate = PainGate.check(entries, th, today)
    assert gate.passed
    plan = ProgressionPlanner(th, 6, today).run(h, gate)
    assert plan.mode == "progression" and plan.base_week_km == 32.0
    caps = [w.max_week_km for w in plan.weeks]
    assert caps[0] == pytest.approx(35.2) and all(b <= a * 1.1 + 0.05 for a, b in zip(caps, caps[1:]))
    assert plan.weeks[0].max_run_km == pytest.approx(8.8)  # 10% above the 30-day longest run
    assert all(r.sources for r in plan.rules)
    failing = [PainEntry(date=today, pain_during=5)]
    assert ProgressionPlanner(th, 4, today).run(h, PainGate.check(failing, th, today)).mode == "return_to_run"
    worse_morning = [PainEntry(date=today, pain_during=2, pain_after=1, pain_next_morning=2)]
    assert not PainGate.check(worse_morning, th, today).passed
    gap = ProgressionPlanner(th, 4, today + timedelta(days=60)).run(h, PainGate.check([], th, today))
    assert gap.mode == "return_to_run" and "no runs" in gap.reason


def test_report_shows_the_cohort_risk_pattern_with_honest_wording(run_cli, history_csv, tmp_path):
    from hipcheck.report.load_report import write_html
    from hipcheck.services.load import build_load_report

    doc = build_load_report("Ann", today=history_csv + timedelta(days=3))  # the week of the 25 km run
    risk = doc["risk"]
    assert risk["source"] == "lovdal_2021" and "not a prediction for you" in risk["wording"]
    assert 0 <= risk["percentile_vs_cohort"] <= 100 and risk["drivers"]
    write_html(doc, tmp_path / "report.html")
    html = (tmp_path / "report.html").read_text()
    assert "cohort of competitive runners" in html and "th percentile" in html
    # Today the log is long over: no percentile, and the report says why instead of guessing.
    r = run_cli("load", "report", "--format", "json")
    assert r.code == 0, r.stderr
    idle = json.loads(r.stdout)["risk"]
    assert idle["percentile_vs_cohort"] is None and "No training is logged" in idle["wording"]
