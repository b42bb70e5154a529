"""`hipcheck load import` end to end on the real sample files and a real SQLite database."""
from __future__ import annotations

import json
import shutil
import zipfile
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from hipcheck.store import Activity, get_database
from test_load_support import ACTIVITIES, fit_run, write_strava_export

TRUNCATED = {"activity-unexpected-eof.fit", "activity-settings-corruptheader.fit",
             "activity-settings-nodata.fit", "ELEMNT_ROAM_Unterminated.fit",
             "strava-android-app-201.10-b1218918.fit"}


@pytest.fixture
def athlete(run_cli):
    assert run_cli("athlete", "add", "Ann").code == 0
    return "Ann"


@pytest.fixture
def files(tmp_path):
    """A folder for input files (tmp_path itself also holds the test's HIPCHECK_HOME)."""
    folder = tmp_path / "files"
    folder.mkdir()
    return folder


def _import(run_cli, *args) -> dict:
    r = run_cli("load", "import", *map(str, args), "--format", "json")
    assert r.code == 0, r.stderr
    return json.loads(r.stdout)


def _activities() -> list[Activity]:
    with get_database().session() as s:
        return list(s.scalars(select(Activity).order_by(Activity.start_time)))


def test_every_sample_file_imports_or_is_reported_with_a_reason(run_cli, athlete, shared_dir, tmp_path):
    src = shared_dir / ACTIVITIES
    doc = _import(run_cli, src)
    assert set(doc) == {"imported", "salvaged", "skipped", "merged", "failed"}
    files = [p for p in src.rglob("*") if p.is_file()]
    listed = doc["imported"] + doc["salvaged"] + doc["skipped"] + doc["merged"] + len(doc["failed"])
    assert listed == len(files)
    for f in doc["failed"]:
        assert f["reason"] and "\n" not in f["reason"]
    failed = {f["file"].rsplit("/", 1)[-1] for f in doc["failed"]}
    assert failed == {"garmin-fenix-5-run-records.csv", "gpxpy-unicode_with_bom.gpx"}
    assert doc["salvaged"] == len(TRUNCATED)

    rows = _activities()
    by_name = {r.source_name.rsplit("/", 1)[-1]: r for r in rows}
    fenix = by_name["activity-small-fenix2-run.fit"]
    assert fenix.is_run and fenix.distance_m == pytest.approx(9008.22) and fenix.avg_hr > 100
    # a truncated real device file keeps the 7,225 records decoded before the break (a ride)
    roam = by_name["ELEMNT_ROAM_Unterminated.fit"]
    assert roam.salvaged and not roam.is_run and roam.distance_m > 40_000
    # swims and rides are kept as cross-training
    assert {r.sport for r in rows if not r.is_run} >= {"cycling", "swimming"}
    # the same 2012 SDK run exists in six files: stored once, the others merged into it
    sdk = [r for r in rows if r.start_time == datetime(2012, 4, 9, 21, 22, 26, tzinfo=timezone.utc)]
    assert len(sdk) == 1 and len(sdk[0].merged_from) == 5

    again = _import(run_cli, src)
    assert again["imported"] == again["salvaged"] == again["merged"] == 0
    assert len(_activities()) == len(rows)


def test_same_run_from_two_sources_is_merged_and_reimport_skips(run_cli, athlete, files):
    tmp_path = files
    start = datetime(2024, 6, 1, 6, 0, tzinfo=timezone.utc)
    (tmp_path / "watch.fit").write_bytes(fit_run(start, 10.0))
    (tmp_path / "phone.fit").write_bytes(fit_run(start.replace(minute=1), 10.3, hr=None))
    (tmp_path / "other.fit").write_bytes(fit_run(start.replace(hour=18), 5.0))
    doc = _import(run_cli, tmp_path / "watch.fit")
    assert doc["imported"] == 1
    doc = _import(run_cli, tmp_path)
    assert (doc["imported"], doc["merged"], doc["skipped"]) == (1, 1, 1)
    rows = _activities()
    assert len(rows) == 2
    assert rows[0].merged_from[0]["source_name"].endswith("phone.fit")
    doc = _import(run_cli, tmp_path)
    assert doc["skipped"] == 3 and doc["imported"] == doc["merged"] == 0


def test_truncated_fit_keeps_records_before_the_break(run_cli, athlete, tmp_path):
    data = fit_run(datetime(2024, 6, 2, 6, 0, tzinfo=timezone.utc), 12.0)
    (tmp_path / "cut.fit").write_bytes(data[: int(len(data) * 0.6)])
    doc = _import(run_cli, tmp_path / "cut.fit")
    assert doc["salvaged"] == 1 and doc["failed"] == []
    (row,) = _activities()
    assert row.salvaged and row.is_run and 5000 < row.distance_m < 8000


def test_broken_file_is_listed_and_does_not_stop_the_rest(run_cli, athlete, files):
    tmp_path = files
    (tmp_path / "junk.fit").write_bytes(b"this is not a FIT file at all, just text")
    (tmp_path / "empty.gpx").write_bytes(b"")
    (tmp_path / "good.fit").write_bytes(fit_run(datetime(2024, 6, 3, 6, 0, tzinfo=timezone.utc), 8.0))
    doc = _import(run_cli, tmp_path)
    assert doc["imported"] == 1
    assert {f["file"].rsplit("/", 1)[-1] for f in doc["failed"]} == {"junk.fit", "empty.gpx"}


def test_strava_export_folder_and_zip(run_cli, athlete, tmp_path):
    export = tmp_path / "export"
    expect = write_strava_export(export)
    doc = _import(run_cli, export)
    assert doc["imported"] == 3 and doc["failed"] == []
    rows = _activities()
    runs = [r for r in rows if r.is_run]
    assert sorted(round(r.distance_m / 1000, 1) for r in runs) == expect["runs_km"]
    assert [r.rpe for r in runs if r.source_format == "fit"] == [expect["rpe"]]
    ride = next(r for r in rows if not r.is_run)
    assert ride.sport == "cycling" and ride.distance_m > 9000  # km column not taken as metres
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in export.rglob("*"):
            if p.is_file():
                zf.write(p, p.relative_to(export))
    doc = _import(run_cli, archive)
    assert doc["skipped"] == 3 and doc["imported"] == 0


def test_training_csv_rows(run_cli, athlete, tmp_path):
    (tmp_path / "log.csv").write_text("date,distance_km,duration_min,rpe,avg_hr\n"
                                      "2024-07-01,8.2,45,4,142\n2024-07-03,5 mi,40:30,,\n")
    doc = _import(run_cli, tmp_path / "log.csv")
    assert doc["imported"] == 1
    rows = _activities()
    assert [round(r.distance_m) for r in rows] == [8200, 8047]
    assert rows[0].rpe == 4 and rows[1].duration_s == 2430
    (tmp_path / "bad.csv").write_text("date,distance_km,duration_min,rpe\n2024-07-05,8,40,14\n")
    doc = _import(run_cli, tmp_path / "bad.csv")
    assert "row 2, column 'rpe'" in doc["failed"][0]["reason"]


def test_zip_bomb_is_refused(run_cli, athlete, tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("huge.gpx", b"\0" * (80 * 2**20))
    assert bomb.stat().st_size < 2**20
    doc = _import(run_cli, bomb)
    assert doc["imported"] == 0 and "refused" in doc["failed"][0]["reason"]


def test_billion_laughs_gpx_is_refused(run_cli, athlete, tmp_path):
    lol = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10}">' for i in range(1, 10))
    (tmp_path / "lol.gpx").write_text(f'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY l0 "lol">{lol}]>'
                                      "<gpx><trk><name>&l9;</name></trk></gpx>")
    doc = _import(run_cli, tmp_path / "lol.gpx")
    assert doc["imported"] == 0 and "refused" in doc["failed"][0]["reason"]


def test_text_output_and_unknown_athlete(run_cli, athlete, shared_dir, tmp_path):
    src = tmp_path / "one"
    src.mkdir()
    shutil.copy(shared_dir / ACTIVITIES / "fit" / "activity-unexpected-eof.fit", src)
    r = run_cli("load", "import", src)
    assert r.code == 0 and "salvaged" in r.stdout and "kept what was decoded" in r.stdout
    r = run_cli("load", "import", src, "--athlete", "Nobody")
    assert r.code == 2 and "no athlete 'Nobody'" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.postgres
def test_sample_files_import_on_postgresql_too(run_cli, pg_url, monkeypatch, shared_dir):
    """Multi-activity files get their own 64-character keys, which PostgreSQL enforces strictly."""
    monkeypatch.setenv("HIPCHECK_DATABASE_URL", pg_url)
    assert run_cli("athlete", "add", "Ann").code == 0
    doc = _import(run_cli, shared_dir / ACTIVITIES)
    failed = {f["file"].rsplit("/", 1)[-1] for f in doc["failed"]}
    assert failed == {"garmin-fenix-5-run-records.csv", "gpxpy-unicode_with_bom.gpx"}
    rows = _activities()
    assert rows and all(len(r.content_hash) == 64 for r in rows)
    assert len({r.content_hash for r in rows}) == len(rows)
