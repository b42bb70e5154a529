"""Repository functions for plans, their exercise logs, and what a plan is built from (the caller owns the
transaction)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from .models import Assessment, Athlete, DiaryEntry, GaitAnalysis, Intake, Plan, PlanLog


def save_plan(session: Session, athlete: Athlete, document: dict[str, Any],
              assessment: Assessment | None = None) -> Plan:
    plan = Plan(athlete=athlete, assessment=assessment, document=document)
    session.add(plan)
    session.flush()
    return plan


def latest_plan(session: Session, athlete: Athlete) -> Plan | None:
    return session.scalars(
        select(Plan).where(Plan.athlete_id == athlete.id)
        .order_by(Plan.created_at.desc(), Plan.id.desc()).limit(1)
    ).one_or_none()


def update_plan_document(session: Session, plan: Plan, document: dict[str, Any]) -> Plan:
    """Replace the stored document (phase moves, escalation records)."""
    plan.document = document
    flag_modified(plan, "document")
    session.flush()
    return plan


def add_log(session: Session, plan: Plan, day: dt.date, exercise_id: str, sets: int,
            pain: int | None) -> PlanLog:
    row = PlanLog(plan=plan, date=day, exercise_id=exercise_id, sets=sets, pain=pain)
    session.add(row)
    session.flush()
    return row


def logs_for_athlete(session: Session, athlete: Athlete) -> list[PlanLog]:
    """Every exercise logged under any of the athlete's plans, oldest first (a new plan keeps the history)."""
    return list(session.scalars(
        select(PlanLog).join(Plan).where(Plan.athlete_id == athlete.id)
        .order_by(PlanLog.date, PlanLog.id)))


def diary_rows(session: Session, athlete: Athlete) -> list[DiaryEntry]:
    return list(session.scalars(select(DiaryEntry).where(DiaryEntry.athlete_id == athlete.id)
                                .order_by(DiaryEntry.date)))


def assessment_by_id(session: Session, assessment_id: int) -> Assessment | None:
    return session.get(Assessment, assessment_id)


def intake_for(session: Session, assessment: Assessment | None) -> Intake | None:
    return assessment.intake if assessment is not None else None


def latest_gait_documents(session: Session, athlete: Athlete) -> list[GaitAnalysis]:
    """The newest analysis of each kind and view (side video, rear video, standing photo)."""
    rows = session.scalars(select(GaitAnalysis).where(GaitAnalysis.athlete_id == athlete.id)
                           .order_by(GaitAnalysis.created_at.desc(), GaitAnalysis.id.desc()))
    out: dict[tuple, GaitAnalysis] = {}
    for r in rows:
        out.setdefault((r.kind, r.view), r)
    return list(out.values())
