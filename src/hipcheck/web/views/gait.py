"""Running form: upload a phone video, follow the analysis, then the annotated video, metrics and findings.
The analysis is services.gait (the CLI's `hipcheck gait`), run by the job worker (services.jobs)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy import select

from ... import store
from ...services import files as file_service
from ...services import jobs as job_service
from ...store.models import GaitAnalysis
from ...store.web_models import StoredFile
from ..dbwrite import write
from ..deps import AthleteView, csrf_protect, own_athlete, viewable_athlete
from ..render import page, redirect
from ..uploads import UploadReceiver

router = APIRouter(dependencies=[Depends(csrf_protect)])
upload_router = APIRouter()  # checks CSRF itself, inside the streaming parser (uploads.py)
VIEWS = {"": "Detect it for me", "side": "Side on (camera beside the runner)", "rear": "From behind",
         "front": "From ahead (the runner comes towards the camera)"}
METRIC_LABELS = {
    "cadence_spm": "Cadence", "step_time_ms": "Step time", "contact_time_ms": "Ground contact time",
    "duty_factor_pct": "Duty factor", "overstride_pct_leg": "Overstride (heel ahead of hips)",
    "tibia_angle_deg": "Shin angle at contact", "knee_flexion_contact_deg": "Knee bend at contact",
    "knee_flexion_peak_deg": "Peak knee bend in stance", "trunk_lean_deg": "Trunk lean",
    "vertical_oscillation_pct_leg": "Vertical bounce", "foot_inclination_deg": "Foot angle at contact",
    "foot_strike": "Foot strike", "pelvic_drop_deg": "Pelvic drop", "hip_adduction_deg": "Hip adduction",
    "knee_valgus_deg": "Knee collapse inward", "step_width_pct_leg": "Step width"}


@router.get("/athletes/{athlete_id}/gait")
def gait_index(request: Request, view: AthleteView = Depends(viewable_athlete)):
    with store.get_database().session() as s:
        rows = s.scalars(select(GaitAnalysis).where(GaitAnalysis.athlete_id == view.athlete_id,
                                                    GaitAnalysis.kind == "gait")
                         .order_by(GaitAnalysis.created_at.desc(), GaitAnalysis.id.desc())).all()
        items = [{"id": r.id, "created_at": r.created_at, "view": r.view,
                  "cadence": (r.document or {}).get("cadence_spm"),
                  "findings": [f["id"] for f in (r.document or {}).get("findings", [])]} for r in rows]
        recent = job_service.recent_jobs(s, view.athlete_id, "gait", limit=3)
    view.log("read", "gait")
    settings = request.app.state.settings
    return page(request, "athlete/gait.html", {
        "view": view, "items": items, "jobs": recent, "views": VIEWS,
        "limit_mb": settings.max_video_upload_bytes // 2**20, "retention_days": file_service.video_retention_days()})


@upload_router.post("/athletes/{athlete_id}/gait/upload")
async def upload(request: Request, view: AthleteView = Depends(own_athlete)):
    settings = request.app.state.settings
    receiver = await UploadReceiver(file_service.sniff_video, settings.max_video_upload_bytes, 1,
                                    file_field="video").receive(request)
    try:
        if not receiver.files_:
            raise HTTPException(400, "Choose a video to upload.")
        if receiver.fields_.get("consent") != "yes":
            raise HTTPException(400, "Tick the box to agree to the video analysis first.")
        camera = receiver.fields_.get("view", "")
        if camera not in VIEWS:
            raise HTTPException(400, "Choose where the camera was.")
        f = receiver.files_[0]

        def save() -> int:
            with store.get_database().session() as s:
                row = file_service.register(s, view.athlete_id, "video", f.original_name, f.stored_name,
                                            f.media_type, f.size_bytes, f.sha256)
                job = job_service.enqueue(s, view.user.id, view.athlete_id, "gait",
                                          {"file_id": row.id, "view": camera})
                row.job_id = job.id
                return job.id
        job_id = write(save)
    except BaseException:
        receiver.discard()
        raise
    view.log("upload", "gait video")
    return redirect(f"/athletes/{view.athlete_id}/jobs/{job_id}")


def _analysis(view: AthleteView, analysis_id: int) -> tuple[dict, object, dict]:
    with store.get_database().session() as s:
        row = s.get(GaitAnalysis, analysis_id)
        if row is None or row.athlete_id != view.athlete_id or row.kind != "gait":
            raise HTTPException(404, "Not found.")
        doc, created = row.document or {}, row.created_at
        ids = (doc.get("outputs") or {}).get("stored_files") or {}
        wanted = [i for i in [ids.get("video"), ids.get("keypoints"), ids.get("steps_csv"),
                              *(ids.get("key_frames") or [])] if i]
        stored = {f.id: f for f in s.scalars(select(StoredFile).where(StoredFile.id.in_(wanted),
                                                                       StoredFile.athlete_id == view.athlete_id))}
        for f in stored.values():
            s.expunge(f)
    return doc, created, {"ids": ids, "stored": stored}


@router.get("/athletes/{athlete_id}/gait/{analysis_id}")
def gait_result(request: Request, analysis_id: int, view: AthleteView = Depends(viewable_athlete)):
    doc, created, outputs = _analysis(view, analysis_id)
    view.log("read", f"gait:{analysis_id}")
    return page(request, "athlete/gait_result.html", {"view": view, "doc": doc, "created": created,
                                                      "analysis_id": analysis_id, "out": outputs,
                                                      "labels": METRIC_LABELS})


@router.get("/api/athletes/{athlete_id}/gait/{analysis_id}")
def gait_json(analysis_id: int, view: AthleteView = Depends(viewable_athlete)):
    doc, _created, _out = _analysis(view, analysis_id)
    view.log("read", f"gait:{analysis_id}")
    return doc
