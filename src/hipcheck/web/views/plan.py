"""The exercise plan: cards with illustrations for the current phase, ticking sessions off (adherence),
and the PDF handout, calendar (ICS) and FHIR downloads, all through services.plan (the CLI's `hipcheck plan`)."""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from ...errors import InputError
from ...knowledge import get_knowledge
from ...services import plan as service
from ..dbwrite import write
from ..deps import AthleteView, csrf_protect, own_athlete, viewable_athlete
from ..render import TEMPLATES, page, redirect

router = APIRouter(dependencies=[Depends(csrf_protect)])
DOWNLOADS = {"handout.pdf": ("pdf", "application/pdf", "attachment"),
             "calendar.ics": ("ics", "text/calendar", "attachment"),
             "fhir.json": ("fhir", "application/fhir+json", "attachment")}


def _current(view: AthleteView) -> service.PlanResult | None:
    try:
        return service.current_plan(view.athlete_name)
    except InputError:
        return None


@router.get("/athletes/{athlete_id}/plan")
def plan_page(request: Request, view: AthleteView = Depends(viewable_athlete)):
    result = _current(view)
    view.log("read", "plan")
    if result is None:
        return page(request, "athlete/plan_none.html", {"view": view})
    status = write(service.plan_status, view.athlete_name)  # may re-assess and replace the plan
    if status["plan_id"] != result.plan_id:  # the status check replaced the plan (a warning sign appeared)
        result = _current(view)
    return page(request, "athlete/plan.html", _context(view, result, status))


def _context(view: AthleteView, result: service.PlanResult, status: dict) -> dict:
    doc = result.document
    cards = {c["id"]: c for c in doc.get("exercises", [])}
    phase = next((p for p in doc.get("phases", []) if p["id"] == doc.get("current_phase")), None)
    advice = {a["exercise"]: a for a in status.get("exercises", [])}
    week = status["adherence"][-1] if status.get("adherence") else None
    return {"view": view, "doc": doc, "status": status, "cards": cards, "phase": phase, "advice": advice,
            "week": week, "plan_id": result.plan_id}


@router.post("/athletes/{athlete_id}/plan/create")
def create(request: Request, view: AthleteView = Depends(own_athlete)):
    result = write(service.build_plan, view.athlete_name)
    view.log("create", f"plan:{result.plan_id}")
    return redirect(f"/athletes/{view.athlete_id}/plan", "plan_created")


@router.post("/athletes/{athlete_id}/plan/log")
def log(request: Request, view: AthleteView = Depends(own_athlete), exercise: str = Form(""),
        sets: str = Form(""), pain: str = Form(""), date: str = Form("")):
    try:
        day = dt.date.fromisoformat(date) if date else service.today_local()
        n_sets = int(sets)
        pain_score = int(pain) if pain.strip() else None
    except ValueError:
        raise HTTPException(400, "Give the day, the number of sets and (optionally) pain 0-10.") from None
    done = write(service.log_session, day, exercise, n_sets, pain_score, athlete=view.athlete_name)
    view.log("create", f"plan-log:{exercise}")
    if request.headers.get("hx-request"):
        result = _current(view)
        ctx = _context(view, result, done["status"])
        card = ctx["cards"].get(exercise)
        extra = dict(csrf=request.headers.get("x-csrf-token", ""), today=day.isoformat())
        html = TEMPLATES.get_template("athlete/_exercise.html").render(**ctx, **extra, c=card, just_logged=done["logged"])
        week = TEMPLATES.get_template("athlete/_week.html").render(**ctx, **extra, oob=True)  # the adherence card too
        return HTMLResponse(html + week)
    return redirect(f"/athletes/{view.athlete_id}/plan", "logged")


@router.get("/athletes/{athlete_id}/plan/{name}")
def download(name: str, view: AthleteView = Depends(viewable_athlete)):
    if name not in DOWNLOADS:
        raise HTTPException(404, "Not found.")
    kind, media, disposition = DOWNLOADS[name]
    result = _current(view)
    if result is None:
        raise HTTPException(404, "There is no plan yet.")
    with tempfile.TemporaryDirectory(prefix="hipcheck-plan-") as tmp:
        path = Path(tmp) / name
        service.write_outputs(result, **{kind: path})
        data = path.read_bytes()
    view.log("download", f"plan:{result.plan_id}:{kind}")
    return Response(data, media_type=media,
                    headers={"Content-Disposition": f'{disposition}; filename="hipcheck-plan-{name}"'})


@router.get("/illustrations/{exercise_id}.svg")
def illustration(exercise_id: str):
    """An exercise drawing from the knowledge base (not personal data)."""
    kb = get_knowledge()
    if exercise_id not in kb.exercises:
        raise HTTPException(404, "Not found.")
    try:
        data = kb.illustration_path(exercise_id).read_bytes()
    except OSError:
        raise HTTPException(404, "Not found.") from None
    return Response(data, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})
