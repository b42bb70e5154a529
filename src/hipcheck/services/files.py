"""Use case: keep uploaded and derived files safely, and let them go on time.

Files live under HIPCHECK_HOME/files (or HIPCHECK_FILES_DIR), never under a web root, each under a random
name with an allow-listed extension; a StoredFile row records who owns it. Types are decided by content
(magic bytes), not by what the browser claims. Raw videos lose their GPS and device metadata on upload and
are deleted after a retention period, while the keypoints and results derived from them stay.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..errors import InputError
from ..store.db import hipcheck_home
from ..store.models import utcnow
from ..store.web_models import StoredFile

ENV_FILES_DIR = "HIPCHECK_FILES_DIR"
ENV_VIDEO_RETENTION_DAYS = "HIPCHECK_VIDEO_RETENTION_DAYS"
DEFAULT_VIDEO_RETENTION_DAYS = 30  # ecosystem.md 4a: keep derived keypoints, delete the raw video after N days
SNIFF_BYTES = 4096

ACTIVITY_TYPES = {".fit": "application/vnd.ant.fit", ".gpx": "application/gpx+xml",
                  ".tcx": "application/vnd.garmin.tcx+xml", ".csv": "text/csv", ".zip": "application/zip"}
VIDEO_TYPES = {".mp4": "video/mp4", ".mov": "video/quicktime", ".m4v": "video/mp4", ".webm": "video/webm"}
ACTIVITY_HELP = "FIT, GPX, TCX or CSV files (each optionally .gz), or a ZIP such as a Strava export"
VIDEO_HELP = "an MP4, MOV, M4V or WebM video"


def files_dir() -> Path:
    """The private folder for stored files (created, owner-only, when missing)."""
    root = Path(os.environ.get(ENV_FILES_DIR) or hipcheck_home() / "files").expanduser()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


def video_retention_days() -> int:
    raw = os.environ.get(ENV_VIDEO_RETENTION_DAYS)
    if raw is None or raw.strip() == "":
        return DEFAULT_VIDEO_RETENTION_DAYS
    try:
        days = int(raw)
    except ValueError:
        raise InputError(f"{ENV_VIDEO_RETENTION_DAYS}={raw!r} is not a whole number of days") from None
    if days < 0:
        raise InputError(f"{ENV_VIDEO_RETENTION_DAYS}={days}: use 0 (delete at once) or more days")
    return days


def new_stored_name(ext: str) -> str:
    """A random file name (128 bits) with an allow-listed extension such as `.fit` or `.fit.gz`."""
    if not all(part in {*ACTIVITY_TYPES, *VIDEO_TYPES, ".gz", ".json", ".png"} for part in _suffixes(ext)):
        raise ValueError(f"extension {ext!r} is not allowed")
    return secrets.token_hex(16) + ext


def _suffixes(ext: str) -> list[str]:
    return ["." + p for p in ext.split(".") if p]


def path_of(stored_name: str) -> Path:
    """The path of a stored file; refuses any name that is not one of ours (no traversal possible)."""
    stem = stored_name.split(".", 1)[0]
    if len(stem) != 32 or any(c not in "0123456789abcdef" for c in stem) or "/" in stored_name \
            or "\\" in stored_name or ".." in stored_name:
        raise ValueError(f"not a stored file name: {stored_name!r}")
    return files_dir() / stored_name


# ---- content sniffing ------------------------------------------------------------------------------
def split_ext(name: str) -> tuple[str, bool]:
    """('.fit', True) for 'run.FIT.gz': the lower-case format extension and whether it is gzipped."""
    lower = name.lower()
    gz = lower.endswith(".gz")
    if gz:
        lower = lower[:-3]
    return os.path.splitext(lower)[1], gz


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # a multi-byte character cut off at the sniff boundary
    return True


def _xml_root(head: bytes) -> bytes:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    return text if text.startswith(b"<") else b""


def sniff_activity(name: str, head: bytes) -> tuple[str, str]:
    """(extension to store under, media type) when name and content agree on an activity file type;
    otherwise an InputError naming the file. `head` is the first bytes (at least 12 unless shorter)."""
    ext, gz = split_ext(name)
    if ext not in ACTIVITY_TYPES or (gz and ext == ".zip"):
        raise InputError(f"{name}: not an accepted file type; upload {ACTIVITY_HELP}")
    if gz:
        if not head.startswith(b"\x1f\x8b"):
            raise InputError(f"{name}: named .gz but its content is not gzip data")
        return ext + ".gz", "application/gzip"
    ok = {
        ".fit": len(head) >= 12 and head[8:12] == b".FIT",
        ".gpx": b"<gpx" in _xml_root(head),
        ".tcx": b"<TrainingCenterDatabase" in _xml_root(head),
        ".csv": bool(head) and _looks_like_text(head),
        ".zip": head[:4] in (b"PK\x03\x04", b"PK\x05\x06"),
    }[ext]
    if not ok:
        raise InputError(f"{name}: the content is not a {ext[1:].upper()} file (checked its first bytes); "
                         f"upload {ACTIVITY_HELP}")
    return ext, ACTIVITY_TYPES[ext]


def sniff_video(name: str, head: bytes) -> tuple[str, str]:
    ext, gz = split_ext(name)
    if gz or ext not in VIDEO_TYPES:
        raise InputError(f"{name}: not an accepted video type; upload {VIDEO_HELP}")
    if ext == ".webm":
        ok = head[:4] == b"\x1a\x45\xdf\xa3"
    else:
        ok = len(head) >= 8 and head[4:8] == b"ftyp"
    if not ok:
        raise InputError(f"{name}: the content is not a {ext[1:].upper()} video (checked its first bytes); "
                         f"upload {VIDEO_HELP}")
    return ext, VIDEO_TYPES[ext]


# ---- rows ----------------------------------------------------------------------------------------------
def register(session: Session, athlete_id: int, kind: str, original_name: str, stored_name: str,
             media_type: str, size_bytes: int, sha256: str, job_id: int | None = None,
             note: str | None = None) -> StoredFile:
    row = StoredFile(athlete_id=athlete_id, kind=kind, original_name=safe_display_name(original_name),
                     stored_name=stored_name, media_type=media_type, size_bytes=size_bytes, sha256=sha256,
                     job_id=job_id, note=note)
    session.add(row)
    session.flush()
    return row


def safe_display_name(name: str) -> str:
    """The browser-given file name, reduced to its last path part and printable characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(c for c in base if c.isprintable() and c not in '"<>|:*?').strip() or "file"
    return clean[-255:]


def remove_bytes(stored_name: str) -> None:
    try:
        path_of(stored_name).unlink()
    except FileNotFoundError:
        pass


def stored_names_of(session: Session, athlete_id: int) -> list[str]:
    """Every stored file name of an athlete (uploads and derived files, kept or already purged)."""
    return list(session.scalars(select(StoredFile.stored_name).where(StoredFile.athlete_id == athlete_id)))


@dataclass
class PurgeResult:
    deleted: int
    kept_results: int


def purge_expired_videos(session: Session, now: dt.datetime | None = None,
                         retention_days: int | None = None) -> PurgeResult:
    """Delete footage of the runner (uploaded videos, annotated videos and key frames) older than the
    retention period; the analyses (keypoints, metrics, findings) stay. The file row stays too, marked
    deleted, so the page can say why the video is gone."""
    now = now or utcnow()
    days = video_retention_days() if retention_days is None else retention_days
    cutoff = now - dt.timedelta(days=days)
    footage = or_(StoredFile.media_type.like("video/%"), StoredFile.media_type.like("image/%"))
    rows = session.scalars(select(StoredFile).where(footage, StoredFile.deleted_at.is_(None),
                                                    StoredFile.created_at <= cutoff)).all()
    for row in rows:
        remove_bytes(row.stored_name)
        row.deleted_at = now
        row.note = f"deleted after {days} days (video retention); the analysis and keypoints are kept"
    return PurgeResult(len(rows), len(rows))


# ---- video metadata ------------------------------------------------------------------------------------
def strip_video_metadata(src: Path, dst: Path) -> str:
    """Write `src` to `dst` without GPS, device, date or other metadata, and without audio.

    With ffmpeg: a stream copy (no quality loss) keeping only the first video stream, dropping global,
    stream and chapter metadata. Without ffmpeg: an OpenCV re-encode, which writes frames only.
    Returns which method was used."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg:
        cmd = [ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(src), "-map", "0:v:0", "-c", "copy",
               "-map_metadata", "-1", "-map_metadata:s:v", "-1", "-map_chapters", "-1",
               "-fflags", "+bitexact", str(dst)]
        done = subprocess.run(cmd, capture_output=True, timeout=600, check=False)
        if done.returncode == 0 and dst.exists() and dst.stat().st_size > 0:
            return "ffmpeg"
        reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["unknown error"]
        raise InputError(f"the video could not be read ({reason[0][:200]}); record it again as MP4 or MOV")
    return _reencode_with_opencv(src, dst)


def _reencode_with_opencv(src: Path, dst: Path) -> str:
    if _copy_frames(src, dst, "mp4v") == 0:
        raise InputError("the video holds no frames that could be read; record it again as MP4 or MOV")
    return "opencv"


def _copy_frames(src: Path, dst: Path, fourcc: str) -> int:
    """Re-encode the picture of `src` into `dst` with OpenCV (no audio, no metadata); returns the frames
    written."""
    import cv2

    cap = cv2.VideoCapture(str(src))
    if not cap.isOpened():
        raise InputError("the video could not be read; record it again as MP4 or MOV")
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    out = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*fourcc), fps, size)
    frames = 0
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            out.write(frame)
            frames += 1
    finally:
        cap.release()
        out.release()
    return frames


def web_playable_video(src: Path, dst_stem: Path) -> tuple[Path, str]:
    """A copy every browser plays: H.264 in MP4 (moov atom first, so it starts while loading) with ffmpeg,
    else VP8 in WebM with OpenCV. No audio, no metadata. Returns (path written, media type)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg:
        dst = dst_stem.with_suffix(".mp4")
        cmd = [ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(src), "-map", "0:v:0", "-an",
               "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-pix_fmt", "yuv420p",
               "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2", "-movflags", "+faststart",
               "-map_metadata", "-1", "-fflags", "+bitexact", str(dst)]
        done = subprocess.run(cmd, capture_output=True, timeout=900, check=False)
        if done.returncode == 0 and dst.exists() and dst.stat().st_size > 0:
            return dst, "video/mp4"
    dst = dst_stem.with_suffix(".webm")
    with contextlib.suppress(InputError):  # an unreadable source is reported as a failed conversion below
        _copy_frames(src, dst, "VP80")
    if not dst.exists() or dst.stat().st_size == 0:
        raise InputError("the annotated video could not be converted for the browser")
    return dst, "video/webm"
