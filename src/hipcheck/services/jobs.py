"""Use case: background jobs (activity imports, video analyses) run outside the web server.

The web app only queues a row in `jobs`. A worker process (`python -m hipcheck.services.jobs worker`,
started by `hipcheck serve`) claims queued jobs one at a time and runs each in its own child process
with an address-space limit (RLIMIT_AS), a CPU-time limit and a wall-clock timeout, in its own process
group so a timeout kills everything the job started. The child writes its progress to the row, which
the page polls. Hostile files therefore never run decoders inside the web server.
"""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import store
from ..errors import HipcheckError, InputError
from ..store.models import Athlete, utcnow
from ..store.web_models import Job, StoredFile
from . import files

ENV_TIMEOUT_S = "HIPCHECK_JOB_TIMEOUT_S"
ENV_MEMORY_MB = "HIPCHECK_JOB_MEMORY_MB"
DEFAULT_TIMEOUT_S = 900.0  # a 2-minute phone video takes a few minutes on 2 cores; an import far less
DEFAULT_MEMORY_MB = 4096  # address space, not resident memory: a video analysis peaks near 0.5 GB resident, 3 GB mapped
PROGRESS_EVERY_S = 0.3


@dataclass(frozen=True)
class JobLimits:
    timeout_s: float = DEFAULT_TIMEOUT_S
    memory_mb: int = DEFAULT_MEMORY_MB

    @classmethod
    def from_env(cls) -> JobLimits:
        def number(name: str, default: float) -> float:
            raw = os.environ.get(name, "").strip()
            if not raw:
                return default
            try:
                value = float(raw)
            except ValueError:
                raise InputError(f"{name}={raw!r} is not a number") from None
            if value <= 0:
                raise InputError(f"{name}={raw!r} must be above 0")
            return value
        return cls(number(ENV_TIMEOUT_S, DEFAULT_TIMEOUT_S), int(number(ENV_MEMORY_MB, DEFAULT_MEMORY_MB)))


@dataclass(frozen=True)
class JobView:
    id: int
    athlete_id: int
    kind: str
    status: str
    progress: float
    message: str | None
    result: dict | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @classmethod
    def of(cls, row: Job) -> JobView:
        return cls(row.id, row.athlete_id, row.kind, row.status, row.progress, row.message, row.result,
                   row.created_at, row.started_at, row.finished_at)


def enqueue(s: Session, user_id: int | None, athlete_id: int, kind: str, params: dict) -> Job:
    job = Job(user_id=user_id, athlete_id=athlete_id, kind=kind, status="queued", progress=0.0,
              message="waiting for the worker", params=params)
    s.add(job)
    s.flush()
    return job


def job_for_athlete(s: Session, job_id: int, athlete_id: int) -> JobView | None:
    row = s.get(Job, job_id)
    return JobView.of(row) if row is not None and row.athlete_id == athlete_id else None


def recent_jobs(s: Session, athlete_id: int, kind: str | None = None, limit: int = 10) -> list[JobView]:
    q = select(Job).where(Job.athlete_id == athlete_id)
    if kind:
        q = q.where(Job.kind == kind)
    return [JobView.of(r) for r in s.scalars(q.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit))]


# ---- running one job (inside the limited child process) -----------------------------------------------
class Progress:
    """Writes a job's progress to its row, at most every PROGRESS_EVERY_S seconds."""

    def __init__(self, db: store.Database, job_id: int):
        self.db, self.job_id, self._last = db, job_id, 0.0

    def __call__(self, fraction: float, message: str, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_EVERY_S:
            return
        self._last = now
        with self.db.session() as s:
            s.execute(update(Job).where(Job.id == self.job_id, Job.status == "running")
                      .values(progress=max(0.0, min(1.0, fraction)), message=message[:500]))


def _import_job(db: store.Database, job: Job, progress: Progress) -> dict:
    from ..executor import BatchExecutor
    from .load import import_paths

    with db.session() as s:
        athlete = s.get(Athlete, job.athlete_id)
        rows = s.scalars(select(StoredFile).where(StoredFile.id.in_(job.params.get("file_ids", [])),
                                                  StoredFile.athlete_id == job.athlete_id)).all()
        names = {str(files.path_of(r.stored_name)): r.original_name for r in rows}
        athlete_name = athlete.name
    if not names:
        raise InputError("no uploaded files to import")

    def shown(name: str) -> str:  # the stored (random) path back to the name the runner knows
        for path, original in names.items():
            if name.startswith(path):
                return original + name[len(path):]
        return name

    def on_progress(done: int, total: int) -> None:
        progress(0.05 + 0.9 * done / max(total, 1), f"read {done} of {total} activity files")

    progress(0.02, f"looking through {len(names)} uploaded file(s)", force=True)
    for attempt in range(1, 4):
        try:
            summary = import_paths(list(names), athlete=athlete_name, progress=on_progress, executor=BatchExecutor())
            break
        except HipcheckError as exc:  # SQLite busy while the web app wrote: files already stored are skipped
            if attempt == 3 or not _busy(exc):
                raise
            time.sleep(0.5 * attempt)
    for f in summary.files:
        f.file = shown(f.file)
    doc = summary.to_json()
    doc["files"] = [{"file": f.file, "status": f.status, "reason": f.reason, "activities": f.activities}
                    for f in summary.files]
    return doc


def _gait_job(db: store.Database, job: Job, progress: Progress) -> dict:
    """Strip the upload's metadata, analyse it with services.gait (stored as a GaitAnalysis), then keep
    the outputs as the athlete's files: a browser-playable annotated video, key frames, keypoints."""
    import shutil
    import tempfile
    from pathlib import Path

    from ..store.models import GaitAnalysis
    from .gait import analyze_gait

    view = job.params.get("view") or None
    with db.session() as s:
        upload = s.get(StoredFile, job.params.get("file_id"))
        if upload is None or upload.athlete_id != job.athlete_id or upload.deleted_at is not None:
            raise InputError("the uploaded video is gone; upload it again")
        athlete_name = s.get(Athlete, job.athlete_id).name
        raw_name, original = upload.stored_name, upload.original_name
    raw = files.path_of(raw_name)
    progress(0.02, "removing location and device details from the video", force=True)
    clean_name = files.new_stored_name(raw.suffix.lower() or ".mp4")
    files.strip_video_metadata(raw, files.path_of(clean_name))
    with db.session(write=True) as s:  # from here on only the stripped copy exists
        upload = s.get(StoredFile, job.params["file_id"])
        clean = files.path_of(clean_name)
        upload.stored_name, upload.size_bytes, upload.sha256 = clean_name, clean.stat().st_size, _sha256_file(clean)
        upload.note = "location, device and date metadata and audio removed on upload"
    files.remove_bytes(raw_name)

    def on_progress(what: str, done: int, total: int) -> None:
        lo, hi, label = {"pose": (0.05, 0.7, "finding your joints in each frame"),
                         "video": (0.7, 0.9, "drawing the annotated video")}.get(what, (0.05, 0.9, what))
        progress(lo + (hi - lo) * done / max(total, 1), f"{label}: {done} of {total} frames")

    work = Path(tempfile.mkdtemp(prefix=".work-", dir=files.files_dir()))
    try:
        docs, outcome = analyze_gait([str(files.path_of(clean_name))], view=view, out_dir=str(work),
                                     athlete=athlete_name, store=True, progress=on_progress)
        if not outcome.stored_ids:
            raise InputError(outcome.message or "the analysis was not stored")
        analysis_id, doc = outcome.stored_ids[0], docs[0]
        progress(0.92, "preparing the video for your browser", force=True)
        out = doc.get("outputs") or {}
        kept: dict[str, object] = {}
        with db.session(write=True) as s:
            def keep(path: str | Path, kind_label: str, media_type: str, ext: str) -> int:
                name = files.new_stored_name(ext)
                shutil.move(str(path), files.path_of(name))
                dest = files.path_of(name)
                return files.register(s, job.athlete_id, "derived", f"{Path(original).stem}-{kind_label}{ext}", name,
                                      media_type, dest.stat().st_size, _sha256_file(dest), job_id=job.id).id
            if out.get("video"):
                playable, media = files.web_playable_video(Path(out["video"]), work / "annotated-web")
                kept["video"] = keep(playable, "annotated", media, playable.suffix)
            kept["key_frames"] = [keep(p, Path(p).stem, "image/png", ".png") for p in out.get("key_frames", [])]
            if out.get("keypoints"):
                kept["keypoints"] = keep(out["keypoints"], "keypoints", "application/json", ".json")
            if out.get("csv"):
                kept["steps_csv"] = keep(out["csv"], "steps", "text/csv", ".csv")
            row = s.get(GaitAnalysis, analysis_id)
            document = dict(row.document)
            document["outputs"] = {"stored_files": kept}
            document["source"] = {**(document.get("source") or {}), "video": original,
                                  "stored_file": job.params["file_id"]}
            row.document = document
            row.media_path = str(files.path_of(s.get(StoredFile, kept["video"]).stored_name)) if kept.get("video") else None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"analysis_id": analysis_id, "cadence_spm": doc.get("cadence_spm"), "files": kept}


def _sha256_file(path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _busy(exc: BaseException) -> bool:
    from sqlalchemy.exc import OperationalError

    cause = exc.__cause__
    return isinstance(cause, OperationalError) and any(w in str(cause.orig) for w in ("locked", "busy"))


HANDLERS: dict[str, Callable[[store.Database, Job, Progress], dict]] = {"import": _import_job, "gait": _gait_job}


def run_job_here(job_id: int, db: store.Database | None = None, memory_mb: int | None = None) -> None:
    """Run one claimed job in this process and record its outcome (the child process's main)."""
    db = db or store.get_database()
    progress = Progress(db, job_id)
    with db.session() as s:
        job = s.get(Job, job_id)
        if job is None or job.status != "running":
            return
        s.expunge(job)
    try:
        result = HANDLERS[job.kind](db, job, progress)
    except MemoryError:
        _finish(db, job_id, "failed", _out_of_memory(memory_mb))
        return
    except HipcheckError as exc:
        _finish(db, job_id, "failed", _out_of_memory(memory_mb) if _memory_trouble(str(exc)) else str(exc))
        return
    except Exception as exc:  # noqa: BLE001 - one line for the page; the worker log has the rest
        _finish(db, job_id, "failed", f"internal error ({type(exc).__name__}); the details are in the "
                                      "server log, please report it")
        raise
    _finish(db, job_id, "done", "finished", result)


# How a failed allocation reads when a library (not Python) hits the address-space limit.
_ENOMEM = ("failed to map segment", "cannot allocate memory", "bad_alloc", "out of memory")


def _memory_trouble(text: str) -> bool:
    return any(phrase in text.lower() for phrase in _ENOMEM)


def _out_of_memory(memory_mb: int | None) -> str:
    return (f"ran out of memory (the limit is {memory_mb or '?'} MB per job, HIPCHECK_JOB_MEMORY_MB): "
            "try fewer or smaller files, or a shorter video")


def _finish(db: store.Database, job_id: int, status: str, message: str, result: dict | None = None) -> bool:
    with db.session() as s:
        done = s.execute(update(Job).where(Job.id == job_id, Job.status == "running").values(
            status=status, message=message[:500], result=result, finished_at=utcnow(),
            progress=1.0 if status == "done" else Job.progress))
        return done.rowcount == 1


# ---- the worker -----------------------------------------------------------------------------------------
def _limit_child(memory_mb: int, cpu_s: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec
        import resource

        mem = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 5))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


class Worker:
    """Claims queued jobs and runs each in a limited child process; also purges expired raw videos.

    Parameters: `limits` per job, `poll_s` between looks at the queue, `purge_every_s` between purges.
    After `run_once()`, `last_job_id_` is the job it ran (None when the queue was empty)."""

    def __init__(self, limits: JobLimits | None = None, poll_s: float = 0.5, purge_every_s: float = 3600.0,
                 db: store.Database | None = None):
        self.limits = limits or JobLimits.from_env()
        self.poll_s = poll_s
        self.purge_every_s = purge_every_s
        self.db = db or store.get_database()
        self.last_job_id_: int | None = None
        self._last_purge = 0.0

    def recover(self) -> int:
        """Jobs left 'running' by a worker that is gone are marked failed (they will not finish)."""
        with self.db.session(write=True) as s:
            stuck = s.scalars(select(Job).where(Job.status == "running")).all()
            n = 0
            for job in stuck:
                if job.worker_pid and _alive(job.worker_pid) and job.worker_pid != os.getpid():
                    continue
                job.status, job.finished_at = "failed", utcnow()
                job.message = "interrupted: the server stopped while this was running; upload again"
                n += 1
            return n

    def claim(self) -> int | None:
        with self.db.session(write=True) as s:
            ids = s.scalars(select(Job.id).where(Job.status == "queued")
                            .order_by(Job.created_at, Job.id).limit(5)).all()
            for job_id in ids:
                got = s.execute(update(Job).where(Job.id == job_id, Job.status == "queued").values(
                    status="running", worker_pid=os.getpid(), started_at=utcnow(), message="starting"))
                if got.rowcount == 1:
                    return job_id
        return None

    def run_once(self) -> int | None:
        job_id = self.claim()
        self.last_job_id_ = job_id
        if job_id is not None:
            self._run_child(job_id)
        return job_id

    def _run_child(self, job_id: int) -> None:
        env = dict(os.environ)
        env[store.db.ENV_DATABASE_URL] = self.db.url.render_as_string(hide_password=False)
        env.setdefault(store.db.ENV_HOME, str(store.hipcheck_home()))
        cmd = [sys.executable, "-m", "hipcheck.services.jobs", "run", str(job_id), str(self.limits.memory_mb)]
        cpu_s = int(self.limits.timeout_s * 2) + 5  # all of its processes together may use both cores
        proc = subprocess.Popen(cmd, env=env, start_new_session=True, stdin=subprocess.DEVNULL,
                                preexec_fn=_limit_child(self.limits.memory_mb, cpu_s))
        try:
            code = proc.wait(timeout=self.limits.timeout_s)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            _finish(self.db, job_id, "failed", f"stopped: it took longer than {self.limits.timeout_s:g} s "
                                               "(the limit per job); try a shorter video or fewer files")
            return
        if code != 0:
            why = (f"killed by signal {-code}" if code < 0 else f"exit code {code}")
            if code in (-signal.SIGXCPU, -signal.SIGKILL):
                why += " (CPU or memory limit)"
            _finish(self.db, job_id, "failed", f"the job stopped unexpectedly ({why}); try again with "
                                               "fewer or smaller files")
        else:
            _finish(self.db, job_id, "failed", "the job ended without a result")  # no-op when it finished

    def purge_if_due(self) -> int:
        now = time.monotonic()
        if self._last_purge and now - self._last_purge < self.purge_every_s:
            return 0
        self._last_purge = now
        _remove_stale_work_dirs(self.limits.timeout_s)
        with self.db.session(write=True) as s:
            return files.purge_expired_videos(s).deleted

    def run_forever(self, stop: threading.Event, parent_pid: int | None = None) -> None:
        """Work until `stop` is set, or until the parent process (the web server) is gone."""
        self.recover()
        while not stop.is_set():
            if parent_pid is not None and os.getppid() != parent_pid:
                break
            try:
                self.purge_if_due()
                if self.run_once() is None:
                    stop.wait(self.poll_s)
            except HipcheckError as exc:  # e.g. the database is briefly unreachable: keep going
                print(f"hipcheck worker: {exc}", file=sys.stderr, flush=True)
                stop.wait(max(self.poll_s, 2.0))


def _remove_stale_work_dirs(timeout_s: float) -> None:
    """Scratch folders of video analyses killed mid-way (older than any job may run) hold footage: remove."""
    import shutil

    cutoff = time.time() - max(timeout_s * 2, 3600)
    for work in files.files_dir().glob(".work-*"):
        try:
            if work.is_dir() and work.stat().st_mtime < cutoff:
                shutil.rmtree(work, ignore_errors=True)
        except OSError:
            continue


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def start_worker_process(env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start `python -m hipcheck.services.jobs worker` as a separate process (used by `hipcheck serve`)."""
    return subprocess.Popen([sys.executable, "-m", "hipcheck.services.jobs", "worker"],
                            env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


def _main(argv: list[str]) -> int:
    if argv[:1] == ["run"] and len(argv) == 3:
        run_job_here(int(argv[1]), memory_mb=int(argv[2]))
        return 0
    if argv == ["worker"]:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        Worker().run_forever(stop, parent_pid=os.getppid())
        return 0
    print("usage: python -m hipcheck.services.jobs worker | run JOB_ID MEMORY_MB", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
