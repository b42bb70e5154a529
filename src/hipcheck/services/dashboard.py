"""Use case: one glance at an athlete (their own home page) and at a clinician's linked athletes.

Cheap on purpose (a few indexed queries per athlete, no file parsing): it is the page people open most.
Alerts reuse the domain's own rules: the triage level of the latest check, the pain gate and pain rises
of the diary (thresholds.yaml, with their sources), and the training-error flags of recent weeks.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..diary.analysis import PainGate, PainRiseFinder
from ..store.models import Activity, Assessment, Athlete, DiaryEntry, GaitAnalysis, Plan, PlanLog
from .diary import _entry

PAIN_DAYS_SHOWN = 28
URGENT_LEVELS = ("emergency", "urgent")


@dataclass
class Alert:
    level: str  # "danger" | "warning"
    text: str
    source: str | None = None


@dataclass
class AthleteSummary:
    athlete_id: int
    name: str
    latest_assessment: dict | None = None  # id, created_at, level, top, headline
    pain: list[tuple[dt.date, int]] = field(default_factory=list)  # (date, worst) in the last 28 days
    latest_pain: int | None = None
    last_entry: dt.date | None = None
    pain_trend: str | None = None  # "rising" | "falling" | "steady"
    runs_28d: int = 0
    km_28d: float = 0.0
    last_run: dt.date | None = None
    gait_count: int = 0
    plan_id: int | None = None
    sessions_logged_7d: int = 0
    alerts: list[Alert] = field(default_factory=list)


def assessment_brief(row: Assessment | None) -> dict | None:
    if row is None:
        return None
    doc = row.document or {}
    diff = doc.get("differential") or []
    return {"id": row.id, "created_at": row.created_at, "level": row.triage_level,
            "top": diff[0]["name"] if diff else None,
            "headline": (doc.get("triage") or {}).get("headline")}


def athlete_summary(s: Session, athlete_id: int, today: dt.date | None = None) -> AthleteSummary:
    from ..load.thresholds import load_thresholds

    today = today or dt.date.today()
    athlete = s.get(Athlete, athlete_id)
    out = AthleteSummary(athlete_id, athlete.name)
    latest = s.scalars(select(Assessment).where(Assessment.athlete_id == athlete_id)
                       .order_by(Assessment.created_at.desc(), Assessment.id.desc()).limit(1)).first()
    out.latest_assessment = assessment_brief(latest)
    since = today - dt.timedelta(days=PAIN_DAYS_SHOWN)
    rows = s.scalars(select(DiaryEntry).where(DiaryEntry.athlete_id == athlete_id, DiaryEntry.date >= since)
                     .order_by(DiaryEntry.date)).all()
    entries = [_entry(r) for r in rows]
    out.pain = [(e.date, e.worst) for e in entries]
    if entries:
        out.latest_pain, out.last_entry = entries[-1].worst, entries[-1].date
        out.pain_trend = _trend(entries, today)
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    runs = s.execute(select(func.count(), func.coalesce(func.sum(Activity.distance_m), 0.0), func.max(Activity.start_time))
                     .where(Activity.athlete_id == athlete_id, Activity.is_run.is_(True),
                            Activity.start_time >= start)).one()
    out.runs_28d, out.km_28d = int(runs[0]), float(runs[1]) / 1000
    last = s.scalar(select(func.max(Activity.start_time)).where(Activity.athlete_id == athlete_id,
                                                                Activity.is_run.is_(True)))
    out.last_run = last.date() if last else None
    out.gait_count = s.scalar(select(func.count()).select_from(GaitAnalysis)
                              .where(GaitAnalysis.athlete_id == athlete_id, GaitAnalysis.kind == "gait")) or 0
    plan = s.scalars(select(Plan).where(Plan.athlete_id == athlete_id)
                     .order_by(Plan.created_at.desc(), Plan.id.desc()).limit(1)).first()
    if plan is not None:
        out.plan_id = plan.id
        out.sessions_logged_7d = s.scalar(select(func.count(func.distinct(PlanLog.date))).where(
            PlanLog.plan_id == plan.id, PlanLog.date > today - dt.timedelta(days=7))) or 0
    out.alerts = _alerts(out, entries, load_thresholds(), today)
    return out


def _trend(entries, today: dt.date) -> str | None:
    """Mean worst pain of the last 7 days against the 7 before (at least one entry in each)."""
    def mean(lo: int, hi: int) -> float | None:
        vals = [e.worst for e in entries if lo <= (today - e.date).days < hi]
        return sum(vals) / len(vals) if vals else None
    now, before = mean(0, 7), mean(7, 14)
    if now is None or before is None:
        return None
    if now - before >= 1:
        return "rising"
    if before - now >= 1:
        return "falling"
    return "steady"


def _alerts(summary: AthleteSummary, entries, th, today: dt.date) -> list[Alert]:
    alerts = []
    a = summary.latest_assessment
    if a and a["level"] in URGENT_LEVELS:
        alerts.append(Alert("danger", f"Latest check is {a['level']}: {a['headline'] or 'needs a clinician'}"))
    gate = PainGate.check(entries, th, today)
    for reason in gate.reasons:
        alerts.append(Alert("warning", f"Pain on {gate.entry_date:%d %b}: {reason}", th.source("pain_during_max")))
    rises = PainRiseFinder(th).run(entries, []).rises_
    recent = [r for r in rises if (today - r.day).days <= 14]
    if recent:
        r = recent[-1]
        alerts.append(Alert("warning", f"Pain rose from {r.from_score} to {r.to_score}/10 on {r.day:%d %b}",
                            th.source("pain_rise_points")))
    return alerts


def clinician_rows(s: Session, athlete_ids: list[int], today: dt.date | None = None) -> list[AthleteSummary]:
    """Every linked athlete's summary, those with alerts first."""
    rows = [athlete_summary(s, aid, today) for aid in athlete_ids]
    return sorted(rows, key=lambda r: (not any(al.level == "danger" for al in r.alerts), not r.alerts,
                                       r.name.lower()))
