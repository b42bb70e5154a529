"""An athlete's overview page, their assessments (result pages), and the same data as JSON under /api."""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy import select

from ... import store
from ...services import accounts, dashboard
from ...services import jobs as job_service
from ...store.models import Assessment
from ..deps import AthleteView, csrf_protect, viewable_athlete
from ..render import page

router = APIRouter(dependencies=[Depends(csrf_protect)])


@router.get("/athletes/{athlete_id}")
def overview(request: Request, view: AthleteView = Depends(viewable_athlete)):
    with store.get_database().session() as s:
        summary = dashboard.athlete_summary(s, view.athlete_id)
        recent = job_service.recent_jobs(s, view.athlete_id, limit=3)
    view.log("read", "overview")
    links = accounts.links_of_athlete(view.athlete_id) if view.is_self else []
    return page(request, "athlete/overview.html", {"view": view, "s": summary, "jobs": recent, "links": links})


def _assessment(s, view: AthleteView, assessment_id: int) -> Assessment:
    row = s.get(Assessment, assessment_id)
    if row is None or row.athlete_id != view.athlete_id:
        raise HTTPException(404, "Not found.")
    return row


@router.get("/athletes/{athlete_id}/assessments")
def assessments(request: Request, view: AthleteView = Depends(viewable_athlete)):
    with store.get_database().session() as s:
        rows = s.scalars(select(Assessment).where(Assessment.athlete_id == view.athlete_id)
                         .order_by(Assessment.created_at.desc(), Assessment.id.desc())).all()
        items = [dashboard.assessment_brief(r) for r in rows]
    view.log("read", "assessments")
    return page(request, "athlete/assessments.html", {"view": view, "items": items})


@router.get("/athletes/{athlete_id}/assessments/{assessment_id}")
def result(request: Request, assessment_id: int, view: AthleteView = Depends(viewable_athlete)):
    with store.get_database().session() as s:
        row = _assessment(s, view, assessment_id)
        doc, created = row.document, row.created_at
    view.log("read", f"assessment:{assessment_id}")
    return page(request, "athlete/result.html", {"view": view, "doc": doc, "created": created,
                                                 "assessment_id": assessment_id})


@router.get("/api/athletes/{athlete_id}/assessments/{assessment_id}")
def result_json(assessment_id: int, view: AthleteView = Depends(viewable_athlete)):
    with store.get_database().session() as s:
        doc = _assessment(s, view, assessment_id).document
    view.log("read", f"assessment:{assessment_id}")
    return doc


@router.get("/api/athletes/{athlete_id}/summary")
def summary_json(view: AthleteView = Depends(viewable_athlete)):
    with store.get_database().session() as s:
        summary = dashboard.athlete_summary(s, view.athlete_id)
    view.log("read", "overview")
    return {"athlete": summary.name, "latest_assessment": summary.latest_assessment,
            "pain": [{"date": d.isoformat(), "worst": w} for d, w in summary.pain],
            "runs_28d": summary.runs_28d, "km_28d": round(summary.km_28d, 2),
            "alerts": [{"level": a.level, "text": a.text, "source": a.source} for a in summary.alerts]}
