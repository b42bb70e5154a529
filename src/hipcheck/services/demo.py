"""Use case: walk the built-in sample runner through hipcheck (the `demo` command and the web demo).

The sample runner's answers are in samples/demo_intake.yaml; her training log is generated here,
deterministically, relative to today: twelve steady weeks, then a fast ramp with a long hilly run,
and a pain diary that rises after it; then her plan. Everything goes through the same services as the real commands.
"""
from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import yaml

from ..store import get_database, repo

DEMO_ATHLETE = "Demo Runner"


@dataclass
class DemoResult:
    athlete: str
    created: bool
    assessment: dict
    import_summary: dict
    load_report: dict | None
    progression: dict | None
    plan: dict | None
    notes: list[str] = field(default_factory=list)


def demo_intake() -> dict:
    text = resources.files("hipcheck.samples").joinpath("demo_intake.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def training_rows(today: date) -> list[dict]:
    """Fourteen weeks of running: steady at ~30 km/week, then +30 % and a long hilly run 45 % longer."""
    start = today - timedelta(weeks=14)
    start -= timedelta(days=start.weekday())  # a Monday
    rows = []
    for week in range(14):
        monday = start + timedelta(weeks=week)
        ramp = week >= 12
        plan = [(1, 7.0, 6.0, 3), (3, 6.0, 5.6, 5), (6, 12.0 if not ramp else 17.5, 6.2, 4)]
        if ramp:
            plan.insert(2, (4, 8.0, 5.3, 6))  # hill repeats added in the big weeks
        for day, km, pace_min_km, rpe in plan:
            d = monday + timedelta(days=day)
            if d > today:
                continue
            rows.append({"date": d.isoformat(), "distance_km": f"{km:.1f}",
                         "duration_min": f"{km * pace_min_km:.0f}", "rpe": rpe,
                         "elevation_gain_m": 180 if (ramp and day in (4, 6)) else 40})
    return rows


def diary_rows(today: date) -> list[tuple[date, int, int, int]]:
    """(date, during, after, next morning): quiet, then rising after the long hilly runs."""
    out = []
    for back in range(13, -1, -1):
        d = today - timedelta(days=back)
        rising = back <= 8
        out.append((d, 1 if rising else 0, 4 if rising and back % 3 == 0 else (2 if rising else 0),
                    3 if rising and back % 3 == 2 else (1 if rising else 0)))
    return out


def run_demo(today: date | None = None, athlete: str = DEMO_ATHLETE) -> DemoResult:
    """Create (or reuse) the demo athlete and give them an assessment, a training log, a diary and a plan."""
    from ..diary.models import PainEntry
    from . import diary as diary_service
    from . import load as load_service
    from . import plan as plan_service
    from .assess import assess_intake

    today = today or load_service.today_local()
    db = get_database()
    with db.session(write=True) as s:
        created = repo.get_athlete(s, athlete) is None
        if created:
            repo.add_athlete(s, athlete, sex="female", birth_year=today.year - 38)
    assessment = assess_intake(demo_intake(), athlete=athlete).document
    with tempfile.TemporaryDirectory(prefix="hipcheck-demo-") as tmp:
        log = Path(tmp) / "demo-training-log.csv"
        rows = training_rows(today)
        with log.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        summary = load_service.import_paths([str(log)], athlete=athlete).to_json()
    for d, during, after, morning in diary_rows(today):
        diary_service.add_entry(PainEntry(date=d, pain_during=during, pain_after=after,
                                          pain_next_morning=morning, location="outer_hip"),
                                athlete=athlete)
    report = load_service.build_load_report(athlete, today=today)
    progression = load_service.build_progression_plan(athlete, today=today)
    plan = plan_service.build_plan(athlete, today=today).document
    return DemoResult(athlete, created, assessment, summary, report, progression, plan)


def seed_web_demo(today: date | None = None) -> tuple[str, str, str]:
    """The web demo (`hipcheck serve --demo`, `make run`): the demo account, with the sample runner's data
    on first start. Returns (e-mail, password, athlete name)."""
    from sqlalchemy import select

    from ..store import Athlete
    from ..store.web_models import User
    from . import accounts

    email, password = accounts.ensure_demo_user()
    with get_database().session() as s:
        user = s.scalars(select(User).where(User.email == email)).one()
        athlete = s.get(Athlete, user.athlete_id)
        name, seeded = athlete.name, repo.latest_assessment(s, athlete) is not None
    if not seeded:
        run_demo(today, athlete=name)
    return email, password, name
