"""Access control on every route: a second athlete (or an unlinked clinician) gets 404 or 403 for the first
athlete's pages, files and API by URL, while the owner gets 200 at the very same URLs."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from web_support import all_routes, answer_intake, new_client, sign_up, web_app_any  # noqa: F401 (fixture)

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
ACTIVITIES = SHARED / "data" / "activities"
POSE = SHARED / "data" / "running-video" / "male_side.pose.json"
PUBLIC = {"/", "/login", "/signup", "/invite/{code}", "/illustrations/{exercise_id}.svg", "/static"}


@pytest.fixture
def owner_data(web_app_any, shared_dir):
    """Athlete A with one of everything: an assessment, diary, an import job and its files, a gait
    analysis and a plan; plus athlete B and a clinician who is not linked to A."""
    from hipcheck.services import gait, jobs
    from hipcheck.store import Assessment, GaitAnalysis, get_database
    from hipcheck.store.web_models import Job, StoredFile

    a = sign_up(web_app_any, "a@example.org", "Ann")
    b = sign_up(web_app_any, "b@example.org", "Ben")
    clin = sign_up(web_app_any, "c@example.org", "Dr Cole", role="clinician")
    answer_intake(a, {"runner.age_years": 40, "pain.locations": ["outer_hip"]})
    a.post(a.home + "/diary", {"date": "2025-01-03", "pain_after": "3"})
    files = [("files", (p.name, p.read_bytes())) for p in (ACTIVITIES / "fit" / "garmin-fenix-5-run.fit",
                                                            ACTIVITIES / "fit" / "activity-small-fenix2-run.fit")]
    r = a.client.post(a.home + "/activities/upload", files=files, data={"csrf_token": a.csrf()},
                      follow_redirects=False)
    assert r.status_code == 303, r.text
    jobs.Worker(poll_s=0.1).run_once()
    with get_database().session() as s:
        job = s.scalars(select(Job)).one()
        assert job.status == "done" and job.result["imported"] == 2, job.message
    gait.analyze_gait([], keypoints=str(POSE), athlete="Ann", store=True)
    assert a.post(a.home + "/plan/create").status_code == 303
    with get_database().session() as s:
        ids = {
            "athlete_id": a.athlete_id,
            "assessment_id": s.scalars(select(Assessment.id).where(Assessment.athlete_id == a.athlete_id)).first(),
            "job_id": s.scalars(select(Job.id).where(Job.athlete_id == a.athlete_id)).first(),
            "analysis_id": s.scalars(select(GaitAnalysis.id).where(GaitAnalysis.athlete_id == a.athlete_id)).first(),
            "file_id": s.scalars(select(StoredFile.id).where(StoredFile.athlete_id == a.athlete_id)).first(),
            "name": "handout.pdf", "link_id": 1,
        }
    assert all(v is not None for v in ids.values())
    return a, b, clin, ids


def _fill(path: str, ids: dict) -> str:
    return re.sub(r"\{([a-z_]+)\}", lambda m: str(ids[m.group(1)]), path)


def test_every_athlete_route_is_closed_to_other_users(owner_data, web_app_any):
    a, b, clin, ids = owner_data
    checked = []
    for route in all_routes(web_app_any):
        if "GET" not in getattr(route, "methods", set()) or route.path in PUBLIC:
            continue
        if not any(k in route.path for k in ("athlete_id", "file_id")):
            continue
        url = _fill(route.path, ids)
        own = a.client.get(url, follow_redirects=False)
        assert own.status_code == 200, (url, own.status_code, own.text[:300])
        for other in (b, clin):
            r = other.client.get(url, follow_redirects=False)
            assert r.status_code in (403, 404), (url, other.email, r.status_code)
            assert "Ann" not in r.text
        if "{athlete_id}" in route.path and route.path.count("{") > 1:  # B's own athlete id, A's object ids
            r = b.client.get(_fill(route.path, {**ids, "athlete_id": b.athlete_id}), follow_redirects=False)
            assert r.status_code in (403, 404), (route.path, "B's athlete id with A's object", r.status_code)
        anon = new_client(web_app_any).get(url, follow_redirects=False)
        assert anon.status_code in (303, 401), (url, anon.status_code)
        checked.append(route.path)
    assert len(checked) >= 18, checked


def test_every_athlete_write_is_closed_to_other_users(owner_data, web_app_any):
    """B posts, with B's own valid CSRF token, to A's write routes: refused, and nothing changes."""
    from hipcheck.services import diary

    a, b, _clin, ids = owner_data
    before = diary.list_entries("Ann")
    token = b.csrf()
    for route in all_routes(web_app_any):
        if "POST" not in getattr(route, "methods", set()) or "{athlete_id}" not in route.path:
            continue
        url = _fill(route.path, ids)
        r = b.client.post(url, data={"csrf_token": token, "date": "2025-01-04", "pain_after": "9",
                                     "exercise": "glute_bridge", "sets": "1"},
                          files={"files": ("x.gpx", b"<gpx></gpx>")} if route.path.endswith("upload") else None,
                          follow_redirects=False)
        assert r.status_code in (403, 404), (url, r.status_code)
    assert diary.list_entries("Ann") == before


def test_files_are_stored_under_random_names_outside_the_web_root(owner_data):
    from hipcheck.services import files
    from hipcheck.store import get_database
    from hipcheck.store.web_models import StoredFile

    a, _b, _c, ids = owner_data
    with get_database().session() as s:
        rows = s.scalars(select(StoredFile).where(StoredFile.athlete_id == a.athlete_id)).all()
    static = Path(__file__).resolve().parent.parent / "src" / "hipcheck" / "web"
    for row in rows:
        path = files.path_of(row.stored_name)
        assert path.is_file() and static not in path.parents
        assert Path(row.original_name).stem not in row.stored_name
        assert re.fullmatch(r"[0-9a-f]{32}\.[a-z.]+", row.stored_name)
    r = a.client.get(f"/files/{ids['file_id']}")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert r.headers["x-content-type-options"] == "nosniff"
