"""Uploads and background jobs: size limits while streaming, content sniffing, the limited worker process,
video metadata stripping and retention, data export and account deletion."""
from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from web_support import make_app, sign_up, web_app, web_app_any  # noqa: F401 (fixtures)

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
FIT = SHARED / "data" / "activities" / "fit"
VIDEO = SHARED / "data" / "running-video" / "male_side.mp4"
BOUNDARY = "hipchecktestboundary"


def _stored(tmp_path) -> list[Path]:
    root = tmp_path / "files"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _multipart(token: str, name: str, chunks, field: str = "files"):
    yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n").encode()
    yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n"
           "Content-Type: application/octet-stream\r\n\r\n").encode()
    yield from chunks
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def test_an_oversized_upload_is_refused_while_streaming_and_leaves_nothing(make_app, tmp_path, shared_dir):
    app = make_app(max_activity_upload_bytes=2**20)
    ann = sign_up(app, "ann@example.org", "Ann")
    head = (FIT / "garmin-fenix-5-run.fit").read_bytes()[:4096]
    sent = 0

    def body():  # no Content-Length: the server must count
        nonlocal sent
        for part in _multipart(ann.csrf(), "big.fit", [head] + [b"\0" * 65536] * 200):
            sent += len(part)
            yield part

    r = ann.client.post(ann.home + "/activities/upload", content=body(),
                        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert r.status_code == 413 and "at most 1 MB" in r.text
    assert _stored(tmp_path) == []
    declared = ann.client.post(ann.home + "/activities/upload", content=b"x" * 10,
                               headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                                        "Content-Length": str(50 * 2**20), "X-CSRF-Token": ann.csrf()})
    assert declared.status_code == 413


def test_forms_that_are_not_uploads_have_a_small_body_limit(web_app):
    ann = sign_up(web_app, "ann@example.org", "Ann")
    r = ann.client.post(ann.home + "/diary", data={"note": "x" * (2 * 2**20), "csrf_token": ann.csrf()})
    assert r.status_code == 413


def test_file_types_are_sniffed_by_content_not_trusted_by_name(web_app, tmp_path):
    ann = sign_up(web_app, "ann@example.org", "Ann")
    for name, data, message in [("run.fit", b"this is not a fit file at all", "not a FIT file"),
                                ("run.exe", b"MZ\x90\x00" * 10, "not an accepted file type"),
                                ("run.gpx", b"<html><script>alert(1)</script></html>", "not a GPX file"),
                                ("run.zip", b"%PDF-1.7 pretending", "not a ZIP file")]:
        r = ann.client.post(ann.home + "/activities/upload", files={"files": (name, data)},
                            data={"csrf_token": ann.csrf()})
        assert r.status_code == 415 and message in r.text, (name, r.status_code)
    video = ann.client.post(ann.home + "/gait/upload", files={"video": ("clip.mp4", b"\0" * 5000)},
                            data={"csrf_token": ann.csrf(), "consent": "yes", "view": "side"})
    assert video.status_code == 415 and "not a MP4 video" in video.text
    assert _stored(tmp_path) == []


def test_an_upload_without_its_csrf_field_writes_nothing(web_app, tmp_path, shared_dir):
    ann = sign_up(web_app, "ann@example.org", "Ann")
    data = (FIT / "garmin-fenix-5-run.fit").read_bytes()
    r = ann.client.post(ann.home + "/activities/upload", files={"files": ("run.fit", data)})
    assert r.status_code == 403 and _stored(tmp_path) == []


def test_import_runs_in_the_worker_and_the_dashboard_charts_it(web_app_any, tmp_path, shared_dir):
    from hipcheck.services import jobs
    from hipcheck.store import Activity, get_database
    from hipcheck.store.web_models import StoredFile

    ann = sign_up(web_app_any, "ann@example.org", "Ann")
    names = ["garmin-fenix-5-run.fit", "activity-small-fenix2-run.fit", "activity-unexpected-eof.fit"]
    files = [("files", (n, (FIT / n).read_bytes())) for n in names]
    r = ann.client.post(ann.home + "/activities/upload", files=files, data={"csrf_token": ann.csrf()},
                        follow_redirects=False)
    assert r.status_code == 303
    job_url = r.headers["location"]
    assert "Waiting" in ann.client.get(job_url).text
    worker = jobs.Worker(poll_s=0.1)
    assert worker.run_once() is not None and worker.run_once() is None
    status = ann.client.get(job_url + "/status", headers={"HX-Request": "true"})
    assert status.headers["HX-Redirect"] == ann.home + "/load"
    api = ann.client.get(f"/api{job_url}").json()
    assert api["status"] == "done" and api["result"]["imported"] + api["result"]["salvaged"] == 3
    assert {f["file"] for f in api["result"]["files"]} == set(names)  # the runner's names, not ours
    with get_database().session() as s:
        assert s.scalar(select(func.count()).select_from(Activity)) >= 3
        stored = s.scalars(select(StoredFile)).all()
    assert len(stored) == 3 and all(n not in f.stored_name for f in stored for n in names)
    page = ann.client.get(ann.home + "/load?range=all").text
    assert '<svg class="chart"' in page and page.count('class="barkm pt"') >= 3 and "data-tip=" in page
    assert "Week of" in page


def test_worker_enforces_the_time_limit_and_recovers_abandoned_jobs(web_app, shared_dir):
    from hipcheck.services import jobs
    from hipcheck.store import get_database
    from hipcheck.store.web_models import Job

    ann = sign_up(web_app, "ann@example.org", "Ann")
    ann.client.post(ann.home + "/activities/upload", data={"csrf_token": ann.csrf()},
                    files={"files": ("a.fit", (FIT / "garmin-fenix-5-run.fit").read_bytes())})
    jobs.Worker(jobs.JobLimits(timeout_s=0.05, memory_mb=4096)).run_once()
    with get_database().session() as s:
        job = s.scalars(select(Job)).one()
        assert job.status == "failed" and "longer than 0.05 s" in job.message
        stuck = Job(athlete_id=ann.athlete_id, kind="import", status="running", progress=0.3, params={},
                    worker_pid=2**22 + 12345)
        s.add(stuck)
    assert jobs.Worker().recover() == 1
    with get_database().session() as s:
        assert "interrupted" in s.get(Job, stuck.id).message


def test_worker_enforces_the_memory_limit(web_app, shared_dir):
    """A video analysis (pose model, OpenCV) given far too little memory fails cleanly, and the web app
    that queued it is unaffected."""
    from hipcheck.services import jobs
    from hipcheck.store import get_database
    from hipcheck.store.web_models import Job

    ann = sign_up(web_app, "ann@example.org", "Ann")
    r = ann.client.post(ann.home + "/gait/upload", data={"csrf_token": ann.csrf(), "consent": "yes", "view": "side"},
                        files={"video": ("run.mp4", VIDEO.read_bytes())}, follow_redirects=False)
    assert r.status_code == 303, r.text
    jobs.Worker(jobs.JobLimits(timeout_s=120, memory_mb=300)).run_once()
    with get_database().session() as s:
        job = s.scalars(select(Job)).one()
    assert job.status == "failed" and "ran out of memory (the limit is 300 MB" in job.message, job.message
    assert ann.client.get(ann.home + "/gait").status_code == 200


def test_without_ffmpeg_videos_are_re_encoded_frame_by_frame(tmp_path, monkeypatch):
    import cv2
    import numpy as np

    from hipcheck.errors import InputError
    from hipcheck.services import files

    src = tmp_path / "src.mp4"
    writer = cv2.VideoWriter(str(src), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (64, 48))
    for i in range(12):
        writer.write(np.full((48, 64, 3), i * 20, np.uint8))
    writer.release()
    monkeypatch.setattr(files.shutil, "which", lambda name: None)  # as on a machine without ffmpeg
    clean = tmp_path / "clean.mp4"
    assert files.strip_video_metadata(src, clean) == "opencv"
    cap = cv2.VideoCapture(str(clean))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 12 and int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)) == 64
    cap.release()
    path, media_type = files.web_playable_video(src, tmp_path / "web")
    assert media_type == "video/webm" and path.suffix == ".webm" and path.stat().st_size > 0
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all")
    with pytest.raises(InputError, match="could not be read"):
        files.strip_video_metadata(junk, tmp_path / "junk-clean.mp4")
    with pytest.raises(InputError, match="could not be converted"):
        files.web_playable_video(junk, tmp_path / "junk-web")


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg (scripts/sysdeps.sh installs it)")
def test_video_metadata_is_stripped(tmp_path, shared_dir):
    from hipcheck.services import files

    tagged = tmp_path / "tagged.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(VIDEO), "-t", "1", "-c", "copy",
                    "-metadata", "location=+52.3731+004.8922/", "-metadata", "com.apple.quicktime.make=Apple",
                    "-metadata", "com.apple.quicktime.model=iPhone 15", "-metadata", "creation_time=2025-05-01T07:30:00Z",
                    "-movflags", "use_metadata_tags", str(tagged)], check=True)

    def tags(path: Path) -> str:
        out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format_tags:stream_tags", "-of", "json",
                              str(path)], capture_output=True, check=True, text=True).stdout
        return json.dumps(json.loads(out))

    assert "52.3731" in tags(tagged) and "iPhone" in tags(tagged)
    clean = tmp_path / "clean.mp4"
    assert files.strip_video_metadata(tagged, clean) == "ffmpeg"
    after = tags(clean)
    for secret in ("52.3731", "004.8922", "iPhone", "Apple", "2025-05-01"):
        assert secret not in after
    import cv2

    frames = lambda p: int(cv2.VideoCapture(str(p)).get(cv2.CAP_PROP_FRAME_COUNT))
    assert frames(clean) == frames(tagged) > 0


def test_old_footage_is_purged_while_the_analysis_stays(web_app, tmp_path, monkeypatch):
    from hipcheck.services import files
    from hipcheck.store import GaitAnalysis, get_database

    ann = sign_up(web_app, "ann@example.org", "Ann")
    now = dt.datetime.now(dt.UTC)
    with get_database().session() as s:
        rows = []
        for age, media in ((31, "video/mp4"), (31, "application/json"), (5, "video/mp4")):
            name = files.new_stored_name(".mp4" if media.startswith("video") else ".json")
            files.path_of(name).write_bytes(b"data")
            rows.append(files.register(s, ann.athlete_id, "video" if age else "derived", "clip", name, media, 4,
                                       "0" * 64))
            rows[-1].created_at = now - dt.timedelta(days=age)
        s.add(GaitAnalysis(athlete_id=ann.athlete_id, kind="gait", view="side", document={"cadence_spm": 170}))
    with get_database().session() as s:
        assert files.purge_expired_videos(s).deleted == 1
    with get_database().session() as s:
        old_video, keypoints, new_video = (s.get(type(r), r.id) for r in rows)
        assert old_video.deleted_at is not None and "30 days" in old_video.note
        assert not files.path_of(old_video.stored_name).exists()
        assert keypoints.deleted_at is None and files.path_of(keypoints.stored_name).exists()
        assert new_video.deleted_at is None
        assert s.scalars(select(GaitAnalysis)).one().document["cadence_spm"] == 170
    monkeypatch.setenv("HIPCHECK_VIDEO_RETENTION_DAYS", "2")
    with get_database().session() as s:
        assert files.purge_expired_videos(s).deleted == 1  # the 5-day-old video, under a 2-day policy
    r = ann.client.get(f"/files/{rows[0].id}")
    assert r.status_code == 410


def test_download_my_data_and_delete_my_account(web_app_any, tmp_path, shared_dir):
    from hipcheck.services import jobs
    from hipcheck.store import Athlete, DiaryEntry, get_database
    from hipcheck.store.web_models import AuditEvent, StoredFile, User

    ann = sign_up(web_app_any, "ann@example.org", "Ann")
    ann.post(ann.home + "/diary", {"date": "2025-02-01", "pain_after": "3", "note": "tempo run"})
    ann.client.post(ann.home + "/activities/upload", data={"csrf_token": ann.csrf()},
                    files={"files": ("morning.fit", (FIT / "garmin-fenix-5-run.fit").read_bytes())})
    jobs.Worker().run_once()
    r = ann.post("/account/export")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.content))
    names = set(z.namelist())
    assert {"account.json", "athlete.json", "diary.csv", "activities.csv", "access_log.csv"} <= names
    assert "tempo run" in z.read("diary.csv").decode()
    original = [n for n in names if n.startswith("files/") and n.endswith("morning.fit")]
    assert original and z.read(original[0]) == (FIT / "garmin-fenix-5-run.fit").read_bytes()
    assert json.loads(z.read("account.json"))["email"] == "ann@example.org"
    bad = ann.post("/account/delete", {"password": "wrong password", "confirm": "DELETE"})
    assert bad.status_code == 400 and "nothing was deleted" in bad.text
    assert _stored(tmp_path)
    r = ann.post("/account/delete", {"password": "correct horse battery", "confirm": "DELETE"})
    assert r.status_code == 303
    assert _stored(tmp_path) == []
    with get_database().session() as s:
        for model in (User, Athlete, DiaryEntry, StoredFile):
            assert s.scalar(select(func.count()).select_from(model)) == 0, model
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "account_deleted")).one()
    assert ann.client.get(ann.home, follow_redirects=False).status_code == 303  # signed out
