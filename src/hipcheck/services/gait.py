"""Use cases: analyse running videos (gait) and a standing photo (posture), write the media, keep the
results for an athlete."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError

Progress = Callable[[str, int, int], None]  # (what, done, total)
POSTURE_SCHEMA = "hipcheck.posture/v1"


@dataclass
class GaitJob:
    """One video's analysis, everything plain so it can travel to a worker process."""
    video: str | None = None
    keypoints: str | None = None
    view: str | None = None
    out_dir: str | None = None
    fps: float | None = None
    roll_deg: float | None = None
    baseline: dict | None = None  # standing-photo values for a rear view
    previous_by_view: dict | None = None
    leg_length_cm: float | None = None

    @property
    def name(self) -> str:
        return str(self.video or self.keypoints)


@dataclass
class StoreOutcome:
    stored_ids: list[int] = field(default_factory=list)
    athlete: str | None = None
    message: str | None = None  # what happened when nothing was stored


def _sample_frames(video: str, n: int = 5) -> list[tuple[int, np.ndarray]]:
    import cv2

    cap = cv2.VideoCapture(str(video))
    try:
        total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        out = []
        for t in np.linspace(0, max(total - 1, 0), n).astype(int):
            cap.set(cv2.CAP_PROP_POS_FRAMES, int(t))
            ok, frame = cap.read()
            if ok:
                out.append((int(t), frame))
        return out
    finally:
        cap.release()


def scene_roll(images: list[tuple[int, np.ndarray]], kp) -> float | None:
    """Camera roll from the scene's vertical edges, at the runner's pelvis (None when not measurable)."""
    from ..gait.roll import VanishingRoll, person_box, scene_edges

    if not images:
        return None
    boxes = [person_box(kp, min(t, kp.n_frames - 1)) for t, _ in images]
    hips = kp.mid("hip")
    hips = hips[np.isfinite(hips).all(axis=1)]
    if not len(hips):
        return None
    pelvis = np.median(hips, axis=0)
    edges = scene_edges([im for _, im in images], boxes)
    h, w = images[0][1].shape[:2]
    est = VanishingRoll(min_vp_distance=1.5 * max(h, w)).estimate(edges, tuple(pelvis))
    return est.roll_deg_ if np.isfinite(est.roll_deg_) else None


def _keypoints_for(job: GaitJob, progress: Progress | None):
    """The keypoints, and a few video frames for the scene's camera roll."""
    from ..gait.formats import read_keypoints
    from ..gait.pose import MediaPipePose, probe_video

    if job.keypoints:
        kp = read_keypoints(job.keypoints, job.fps)
        if job.video:  # keypoints made elsewhere for this video: take the picture size and rate from it
            info = probe_video(job.video)
            kp.width, kp.height = kp.width or info.width, kp.height or info.height
            if job.fps is None and abs(kp.fps - info.fps) > 0.01 * info.fps:
                raise InputError(f"{job.keypoints} says {kp.fps:g} fps but {job.video} is {info.fps:g} fps: "
                                 "are they the same clip? Give --fps to override")
            if abs(kp.n_frames - info.n_frames) > 2:
                raise InputError(f"{job.keypoints} has {kp.n_frames} frames but {job.video} has {info.n_frames}: "
                                 "they are not the same clip")
        return kp, (_sample_frames(job.video) if job.video and job.roll_deg is None else [])
    cb = (lambda done, total: progress("pose", done, total)) if progress else None
    pose = MediaPipePose()
    kp = pose.estimate_video(job.video, cb, keep=0 if job.roll_deg is not None else 5)
    return kp, sorted(pose.kept_frames_.items())


def run_gait_job(job: GaitJob, progress: Progress | None = None) -> dict:
    """Analyse one video or keypoint file; write the media when `out_dir` is set. Returns
    {"document": ..., "outputs": {...}}."""
    from ..gait.pipeline import GaitAnalyzer
    from ..gait.pose import require

    require("scipy")
    if job.video:
        require("cv2")
    kp, frames = _keypoints_for(job, progress)
    where = job.keypoints or job.video or "keypoints"
    roll_scene = scene_roll(frames, kp) if frames else None
    analysis = GaitAnalyzer(leg_length_cm=job.leg_length_cm).analyze(
        kp, view=job.view, roll_deg=job.roll_deg, scene_roll_deg=roll_scene,
        baseline=job.baseline, previous_by_view=job.previous_by_view, where=str(where))
    doc = analysis.document()
    doc["source"] = {"video": job.video, "keypoints": job.keypoints}
    outputs: dict[str, str] = {}
    if job.out_dir:
        outputs = write_gait_outputs(analysis, doc, job, progress)
        doc["outputs"] = outputs
    return {"document": doc, "outputs": outputs}


def write_gait_outputs(analysis, doc: dict, job: GaitJob, progress: Progress | None) -> dict[str, str]:
    from ..gait.formats import write_keypoints
    from ..gait.pose import iter_frames
    from ..gait.render import read_frame_at, video_size, write_key_frames, write_video

    out = Path(job.out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {out} ({exc.strerror})") from None
    paths = {"json": out / "gait.json", "csv": out / "steps.csv", "video": out / "annotated.mp4"}
    frames = iter_frames(job.video, size=video_size(analysis)) if job.video else None
    cb = (lambda done, total: progress("video", done, total)) if progress else None
    write_video(analysis, frames, paths["video"], progress=cb)
    keys = write_key_frames(analysis, read_frame_at(job.video), out)
    paths["csv"].write_text(analysis.steps_csv(), encoding="utf-8")
    if not job.keypoints:  # so the analysis can be re-run without the pose model: --keypoints FILE
        paths["keypoints"] = write_keypoints(analysis.raw_, out / "keypoints.json")
    result = {k: str(v) for k, v in paths.items()}
    result["key_frames"] = [str(p) for p in keys]
    paths["json"].write_text(json.dumps({**doc, "outputs": result}, indent=2, default=str), encoding="utf-8")
    return result


# -- store ---------------------------------------------------------------------------------------------------
def _athlete(session, name: str | None):
    from ..store import list_athletes, require_athlete

    if name is not None:
        return require_athlete(session, name)
    athletes = list_athletes(session)
    if not athletes:
        return None
    if len(athletes) == 1:
        return athletes[0]
    raise InputError(f"there are {len(athletes)} athletes ({', '.join(a.name for a in athletes)}): say which with "
                     "--athlete NAME, or use --no-store")


def _latest(session, athlete_id: int, kind: str, view: str | None = None):
    from sqlalchemy import select

    from ..store import GaitAnalysis

    q = select(GaitAnalysis).where(GaitAnalysis.athlete_id == athlete_id, GaitAnalysis.kind == kind)
    if view:
        q = q.where(GaitAnalysis.view == view)
    return session.scalars(q.order_by(GaitAnalysis.created_at.desc(), GaitAnalysis.id.desc()).limit(1)).first()


def athlete_context(athlete: str | None, store: bool) -> dict:
    """What the store knows before an analysis: the athlete, their last gait metrics per view and their
    last standing posture baseline."""
    if not store:
        return {"athlete": None}
    from ..store import get_database

    with get_database().session() as s:
        a = _athlete(s, athlete)
        if a is None:
            return {"athlete": None}
        previous = {}
        for view in ("side", "rear"):
            row = _latest(s, a.id, "gait", view)
            if row is not None:
                previous[view] = (row.document or {}).get("metrics")
        posture = _latest(s, a.id, "posture")
        return {"athlete": a.name, "athlete_id": a.id, "previous": previous,
                "baseline": posture_baseline(posture.document) if posture else None}


def save(athlete_id: int, kind: str, view: str | None, document: dict, media_path: str | None) -> int:
    from ..store import GaitAnalysis, get_database

    with get_database().session(write=True) as s:
        row = GaitAnalysis(athlete_id=athlete_id, kind=kind, view=view, document=document, media_path=media_path)
        s.add(row)
        s.flush()
        return row.id


def posture_baseline(doc: dict) -> dict | None:
    """The standing values a rear-view gait analysis subtracts, from a posture document."""
    m = (doc or {}).get("metrics") or {}
    if not isinstance(m.get("pelvic_tilt_deg"), (int, float)):
        return None
    return {"pelvic_tilt_deg": float(m["pelvic_tilt_deg"]), "hip_adduction_deg": m.get("hip_adduction_deg")}


def read_posture_baseline(path: str) -> dict:
    """The standing baseline from a `hipcheck posture analyze` JSON file."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read the posture baseline {p}: {exc}") from None
    base = posture_baseline(doc) if isinstance(doc, dict) and doc.get("schema") == POSTURE_SCHEMA else None
    if base is None:
        raise InputError(f"{p} is not a posture result: write one with `hipcheck posture analyze PHOTO --out DIR`")
    return base


# -- use cases -------------------------------------------------------------------------------------------------
def analyze_gait(videos: list[str], keypoints: str | None = None, view: str | None = None,
                 out_dir: str | None = None, athlete: str | None = None, store: bool = True,
                 fps: float | None = None, roll_deg: float | None = None, baseline: str | None = None,
                 leg_length_cm: float | None = None, progress: Progress | None = None,
                 executor=None) -> tuple[list[dict], StoreOutcome]:
    """Analyse each video (or one keypoint file); store each result for the athlete."""
    if keypoints and len(videos) > 1:
        raise InputError("--keypoints goes with at most one video")
    if not videos and not keypoints:
        raise InputError("give a video file, or keypoints with --keypoints FILE")
    ctx = athlete_context(athlete, store)
    base = read_posture_baseline(baseline) if baseline else ctx.get("baseline")
    many = len(videos) > 1
    jobs = []
    for v in videos or [None]:
        sub = None if out_dir is None else str(Path(out_dir) / Path(v).stem) if many else out_dir
        jobs.append(GaitJob(video=v, keypoints=keypoints, view=view, out_dir=sub, fps=fps, roll_deg=roll_deg,
                            baseline=base, previous_by_view=ctx.get("previous"),
                            leg_length_cm=leg_length_cm))
    if len(jobs) == 1:
        results = [run_gait_job(jobs[0], progress)]
    else:
        from ..executor import BatchExecutor

        ex = executor or BatchExecutor()
        cb = (lambda done, total: progress("videos", done, total)) if progress else None
        results = []
        for item in ex.map(run_gait_job, jobs, progress=cb):
            if not item.ok:
                raise InputError(f"{item.item.name}: {item.error}")
            results.append(item.value)
    docs = [r["document"] for r in results]
    outcome = StoreOutcome(athlete=ctx.get("athlete"))
    if store and ctx.get("athlete_id") is None:
        outcome.message = ("not stored: there is no athlete yet (add one with `hipcheck athlete add NAME`, "
                           "or use --no-store)")
    elif store:
        for doc, r in zip(docs, results):
            outcome.stored_ids.append(save(ctx["athlete_id"], "gait", doc["view"], doc,
                                           r["outputs"].get("video") or (doc.get("source") or {}).get("video")))
    return docs, outcome


def analyze_posture(photo: str | None, keypoints: str | None = None, facing: str | None = None,
                    out_dir: str | None = None, athlete: str | None = None, store: bool = True,
                    roll_deg: float | None = None) -> tuple[dict, StoreOutcome]:
    """Measure a standing photo (or keypoints of one)."""
    from ..gait.findings import PostureFindings
    from ..gait.formats import read_keypoints
    from ..gait.keypoints import Keypoints
    from ..gait.pose import MediaPipePose, require
    from ..gait.posture import PostureAnalyzer
    from ..gait.quality import QualityNote, runner_height_px
    from ..gait.render import write_posture_image
    from ..gait.roll import correct_roll, feet_line_roll
    from ..gait.thresholds import load_gait_thresholds

    if not photo and not keypoints:
        raise InputError("give a photo, or keypoints with --keypoints FILE")
    ctx = athlete_context(athlete, store)
    th = load_gait_thresholds()
    image = None
    if keypoints:
        many = read_keypoints(keypoints, fps=1.0)
        with np.errstate(all="ignore"):
            xy = np.nanmedian(many.xy, axis=0)[None]  # a standing clip: the median pose
        kp = Keypoints(xy, np.nanmedian(many.conf, axis=0)[None], 1.0, many.width, many.height, many.source)
    else:
        cv2 = require("cv2")
        image = cv2.imread(str(photo))
        if image is None:
            raise InputError(f"{photo}: cannot read it as a photo (use a JPEG or PNG file)")
        kp = MediaPipePose().estimate_image(photo)
    if photo and image is None:
        image = require("cv2").imread(str(photo))
    notes: list[QualityNote] = []
    roll_src, roll = "given", roll_deg
    if roll is None and image is not None:
        roll = scene_roll([(0, image)], kp)
        roll_src = "scene"
    if roll is None:
        r = feet_line_roll(kp)
        roll, roll_src = (r, "feet") if np.isfinite(r) else (0.0, "none")
    notes.append(QualityNote("camera_roll", "info", f"camera roll {roll:+.1f}° "
                             + {"given": "as given", "scene": "from straight vertical edges in the scene",
                                "feet": "from the line through the feet (no usable scene edges)",
                                "none": "not measurable; assumed level"}[roll_src] + ", corrected"))
    height = runner_height_px(kp)
    min_h = th.value("gait_min_runner_height_px")
    if kp.units == "px" and np.isfinite(height) and height < min_h:
        notes.append(QualityNote("runner_small", "warning", f"you are only about {height:.0f} pixels tall in the "
                                 "photo; stand closer or use a higher resolution"))
    analyzer = PostureAnalyzer(th, facing).analyze(correct_roll(kp, roll))
    metrics = {**analyzer.metrics_, "roll": {"deg": round(float(roll), 2), "source": roll_src}}
    findings = PostureFindings(th).evaluate(analyzer.metrics_).findings_
    doc = {"schema": POSTURE_SCHEMA, "facing": analyzer.facing_, "metrics": metrics,
           "findings": [f.to_dict() for f in findings], "quality": [n.to_dict() for n in notes],
           "source": {"photo": photo, "keypoints": keypoints, "pose": kp.source}}
    outputs = {}
    if out_dir:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        outputs["image"] = str(write_posture_image(kp, metrics, image, out / "posture.png"))
        outputs["json"] = str(out / "posture.json")
        doc["outputs"] = outputs
        Path(outputs["json"]).write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")
    outcome = StoreOutcome(athlete=ctx.get("athlete"))
    if store and ctx.get("athlete_id") is None:
        outcome.message = ("not stored: there is no athlete yet (add one with `hipcheck athlete add NAME`, "
                           "or use --no-store)")
    elif store:
        outcome.stored_ids.append(save(ctx["athlete_id"], "posture", analyzer.facing_, doc,
                                       outputs.get("image") or photo))
    return doc, outcome
