"""Training: upload activity files (many files or a Strava export zip) as a background import job, follow its
progress, then the load dashboard (chart, weekly table, training-error flags, pain, risk percentile)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from ... import store
from ...errors import HipcheckError
from ...services import files as file_service
from ...services import jobs as job_service
from ...services import load as load_service
from ...store.models import Activity
from ..charts import RANGES, default_range, load_chart, load_window
from ..dbwrite import write
from ..deps import AthleteView, csrf_protect, own_athlete, viewable_athlete
from ..render import TEMPLATES, page, redirect
from ..uploads import UploadReceiver

router = APIRouter(dependencies=[Depends(csrf_protect)])
upload_router = APIRouter()  # checks CSRF itself, inside the streaming parser (uploads.py)
WEEKS_LISTED = 26


@router.get("/athletes/{athlete_id}/activities")
def activities(request: Request, view: AthleteView = Depends(viewable_athlete)):
    with store.get_database().session() as s:
        rows = s.scalars(select(Activity).where(Activity.athlete_id == view.athlete_id)
                         .order_by(Activity.start_time.desc()).limit(30)).all()
        total = s.scalar(select(func.count()).select_from(Activity).where(Activity.athlete_id == view.athlete_id))
        recent = job_service.recent_jobs(s, view.athlete_id, "import", limit=5)
    view.log("read", "activities")
    limit_mb = request.app.state.settings.max_activity_upload_bytes // 2**20
    return page(request, "athlete/activities.html", {"view": view, "rows": rows, "total": total, "jobs": recent,
                                                     "limit_mb": limit_mb, "accepted": file_service.ACTIVITY_HELP})


@upload_router.post("/athletes/{athlete_id}/activities/upload")
async def upload(request: Request, view: AthleteView = Depends(own_athlete)):
    settings = request.app.state.settings
    receiver = await UploadReceiver(file_service.sniff_activity, settings.max_activity_upload_bytes,
                                    settings.max_files_per_upload).receive(request)
    if not receiver.files_:
        raise HTTPException(400, "Choose at least one file to upload.")
    def save() -> tuple[int, list[int]]:
        with store.get_database().session() as s:
            job = job_service.enqueue(s, view.user.id, view.athlete_id, "import", {"file_ids": []})
            ids = [file_service.register(s, view.athlete_id, "activity", f.original_name, f.stored_name,
                                         f.media_type, f.size_bytes, f.sha256, job_id=job.id).id
                   for f in receiver.files_]
            job.params = {"file_ids": ids}
            return job.id, ids
    try:
        job_id, ids = write(save)
    except BaseException:
        receiver.discard()
        raise
    view.log("upload", f"activities:{len(ids)} files")
    return redirect(f"/athletes/{view.athlete_id}/jobs/{job_id}")


def _job(view: AthleteView, job_id: int) -> job_service.JobView:
    with store.get_database().session() as s:
        job = job_service.job_for_athlete(s, job_id, view.athlete_id)
    if job is None:
        raise HTTPException(404, "Not found.")
    return job


def _done_url(view: AthleteView, job: job_service.JobView) -> str:
    if job.kind == "gait" and job.result and job.result.get("analysis_id"):
        return f"/athletes/{view.athlete_id}/gait/{job.result['analysis_id']}"
    return f"/athletes/{view.athlete_id}/load"


@router.get("/athletes/{athlete_id}/jobs/{job_id}")
def job_page(request: Request, job_id: int, view: AthleteView = Depends(viewable_athlete)):
    job = _job(view, job_id)
    view.log("read", f"job:{job_id}")
    return page(request, "athlete/job.html", {"view": view, "job": job, "done_url": _done_url(view, job)})


@router.get("/athletes/{athlete_id}/jobs/{job_id}/status")
def job_status(request: Request, job_id: int, view: AthleteView = Depends(viewable_athlete)):
    """The progress fragment the job page polls (htmx); once done, htmx is sent on to the result."""
    job = _job(view, job_id)
    headers = {}
    if job.status == "done" and request.headers.get("hx-request"):
        headers["HX-Redirect"] = _done_url(view, job)
    html = TEMPLATES.get_template("athlete/_job_status.html").render(view=view, job=job, done_url=_done_url(view, job))
    return HTMLResponse(html, headers=headers)


@router.get("/api/athletes/{athlete_id}/jobs/{job_id}")
def job_json(job_id: int, view: AthleteView = Depends(viewable_athlete)):
    job = _job(view, job_id)
    return {"id": job.id, "kind": job.kind, "status": job.status, "progress": round(job.progress, 3),
            "message": job.message, "result": job.result}


@router.get("/athletes/{athlete_id}/load")
def load_dashboard(request: Request, view: AthleteView = Depends(viewable_athlete), range: str | None = None):
    doc = load_service.build_load_report(view.athlete_name)
    weeks_key = range if range in RANGES else default_range(doc)
    view.log("read", "load")
    with store.get_database().session() as s:
        last = job_service.recent_jobs(s, view.athlete_id, "import", limit=1)
    start, end = load_window(doc, RANGES[weeks_key])
    weeks = [w for w in doc["weeks"] if start.isoformat() <= w["week_start"] <= end.isoformat()
             and (w["runs"] or w["cross_training_min"])][-WEEKS_LISTED:]
    return page(request, "athlete/load.html", {
        "view": view, "doc": doc, "chart": load_chart(doc, RANGES[weeks_key]), "rng": weeks_key,
        "ranges": list(RANGES), "weeks": list(reversed(weeks)), "last_import": last[0] if last else None,
        "has_data": bool(doc["runs"] or doc["pain"])})


@router.get("/athletes/{athlete_id}/load/risk")
def load_risk(request: Request, view: AthleteView = Depends(viewable_athlete)) -> Response:
    """The last-7-days injury-risk pattern (a fragment, loaded after the page: the model takes a moment)."""
    from ...services import risk

    try:
        result = risk.athlete_risk(view.athlete_name)
        error = None
    except HipcheckError as exc:
        result, error = None, str(exc)
    view.log("read", "risk")
    html = TEMPLATES.get_template("athlete/_risk.html").render(result=result, error=error)
    return HTMLResponse(html)


@router.get("/api/athletes/{athlete_id}/load-report")
def load_json(view: AthleteView = Depends(viewable_athlete)):
    doc = load_service.build_load_report(view.athlete_name)
    view.log("read", "load")
    return doc
