"""`hipcheck diary`: validated 0-10 scores, ISO dates, one entry per date, linked to that day's runs."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from test_load_support import fit_run


@pytest.fixture
def athlete(run_cli):
    assert run_cli("athlete", "add", "Ann").code == 0


def test_add_links_runs_and_updates_in_place(run_cli, athlete, tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "run.fit").write_bytes(fit_run(datetime(2025, 3, 4, 7, 0, tzinfo=timezone.utc), 8.0))
    assert run_cli("load", "import", folder).code == 0
    r = run_cli("diary", "add", "--date", "2025-03-04", "--pain-during", "2", "--pain-after", "4",
                "--location", "outer_hip", "--format", "json")
    assert r.code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["created"] and doc["worst"] == 4
    assert [run["distance_km"] for run in doc["runs_that_day"]] == [8.0]
    r = run_cli("diary", "add", "--date", "2025-03-04", "--pain-next-morning", "1", "--format", "json")
    doc = json.loads(r.stdout)
    assert not doc["created"]
    e = doc["entry"]
    assert (e["pain_during"], e["pain_after"], e["pain_next_morning"]) == (2, 4, 1)
    listed = json.loads(run_cli("diary", "list", "--format", "json").stdout)
    assert len(listed["entries"]) == 1 and listed["entries"][0]["location"] == "outer_hip"
    text = run_cli("diary", "add", "--date", "2025-03-05", "--pain-during", "0")
    assert text.code == 0 and "no run imported for that day" in text.stdout


@pytest.mark.parametrize("args, message", [
    (["--date", "2025-13-01", "--pain-during", "2"], "--date '2025-13-01' is not a date"),
    (["--date", "2025-03-01", "--pain-during", "11"], "--pain-during"),
    (["--date", "2025-03-01", "--pain-after", "-1"], "--pain-after"),
    (["--date", "2025-03-01"], "at least one pain score"),
])
def test_bad_input_is_one_clear_line(run_cli, athlete, args, message):
    r = run_cli("diary", "add", *args)
    assert r.code == 2 and message in r.stderr and "Traceback" not in r.stderr
