"""`hipcheck athlete add|list` on SQLite and PostgreSQL, and its errors."""
from __future__ import annotations

import datetime as dt
import json

import pytest


@pytest.fixture
def cli_db(db_url, monkeypatch) -> str:
    """Point the CLI at a fresh database on each backend."""
    monkeypatch.setenv("HIPCHECK_DATABASE_URL", db_url)
    return db_url


def _one_line_error(result, *needles: str) -> None:
    assert result.code == 2, result
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_add_then_list_in_text_and_json(run_cli, cli_db):
    r = run_cli("athlete", "add", "Sam Runner", "--sex", "female", "--birth-year", "1990")
    assert r.code == 0, r.stderr
    assert "added athlete Sam Runner" in r.stdout
    assert run_cli("athlete", "add", "Kim").code == 0

    text = run_cli("athlete", "list")
    assert text.code == 0, text.stderr
    assert "Sam Runner" in text.stdout and "female" in text.stdout and "1990" in text.stdout
    assert text.stdout.index("Kim") < text.stdout.index("Sam Runner")

    js = run_cli("athlete", "list", "--format", "json")
    assert js.code == 0, js.stderr
    rows = json.loads(js.stdout)
    assert [(a["name"], a["sex"], a["birth_year"]) for a in rows] == [("Kim", None, None),
                                                                     ("Sam Runner", "female", 1990)]
    created = dt.datetime.fromisoformat(rows[1]["created_at"])
    assert created.utcoffset() == dt.timedelta(0)


def test_add_in_json(run_cli, cli_db):
    r = run_cli("athlete", "add", "  Sam Runner ", "--format", "json")
    assert r.code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["name"] == "Sam Runner" and isinstance(doc["id"], int)


def test_list_with_no_athletes_says_how_to_add_one(run_cli, cli_db):
    r = run_cli("athlete", "list")
    assert r.code == 0 and "hipcheck athlete add" in r.stdout
    assert json.loads(run_cli("athlete", "list", "--format", "json").stdout) == []


def test_duplicate_athlete_is_one_line_exit_2(run_cli, cli_db):
    assert run_cli("athlete", "add", "Sam").code == 0
    _one_line_error(run_cli("athlete", "add", "Sam"), "athlete 'Sam' already exists")
    assert len(json.loads(run_cli("athlete", "list", "--format", "json").stdout)) == 1


@pytest.mark.parametrize("year", ["1850", "3000", str(dt.date.today().year)])
def test_birth_year_out_of_range_is_refused(run_cli, sqlite_url, monkeypatch, year):
    monkeypatch.setenv("HIPCHECK_DATABASE_URL", sqlite_url)
    _one_line_error(run_cli("athlete", "add", "Sam", "--birth-year", year),
                    f"birth year {year}", "ages 8 to 100")
    assert json.loads(run_cli("athlete", "list", "--format", "json").stdout) == []


def test_birth_year_not_a_number_is_a_usage_error(run_cli):
    r = run_cli("athlete", "add", "Sam", "--birth-year", "nineteen-ninety")
    assert r.code == 2 and "Traceback" not in r.stderr and "--birth-year" in r.stderr


def test_unknown_sex_is_a_usage_error(run_cli):
    r = run_cli("athlete", "add", "Sam", "--sex", "x")
    assert r.code == 2 and "Traceback" not in r.stderr and "--sex" in r.stderr


@pytest.mark.parametrize("name, needle", [("   ", "athlete name is empty"),
                                          ("x" * 101, "athlete name is 101 characters long")])
def test_bad_names_are_refused(run_cli, name, needle):
    _one_line_error(run_cli("athlete", "add", name), needle)


def test_a_100_character_name_is_fine(run_cli):
    name = "y" * 100
    assert run_cli("athlete", "add", name).code == 0
    assert json.loads(run_cli("athlete", "list", "--format", "json").stdout)[0]["name"] == name


def test_default_database_is_created_in_hipcheck_home(run_cli, hipcheck_home):
    assert run_cli("athlete", "add", "Sam").code == 0
    assert (hipcheck_home / "hipcheck.db").is_file()


def test_unreachable_database_is_one_line_naming_the_host(run_cli, monkeypatch):
    monkeypatch.setenv("HIPCHECK_DATABASE_URL", "postgresql://hip:s3cret@127.0.0.1:1/clinic")
    r = run_cli("athlete", "list")
    _one_line_error(r, "cannot connect to the database", "127.0.0.1:1/clinic")
    assert "s3cret" not in r.stderr


def test_bad_database_url_is_one_line(run_cli, monkeypatch):
    monkeypatch.setenv("HIPCHECK_DATABASE_URL", "mysql://root@localhost/hip")
    _one_line_error(run_cli("athlete", "list"), "HIPCHECK_DATABASE_URL", "supports only SQLite")


def test_several_processes_starting_on_a_fresh_database_at_once(db_url, tmp_path):
    """The first use migrates; processes starting together must not trip over each other."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "HIPCHECK_DATABASE_URL": db_url}
    cmd = [sys.executable, "-c", "from hipcheck.cli import main; main()", "athlete", "add"]
    procs = [subprocess.Popen([*cmd, f"runner-{i}"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for i in range(3)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close(), p.stderr.close()
    assert [code for code, _ in results] == [0, 0, 0], results
    from hipcheck.services.athletes import list_athletes
    from hipcheck.store import get_database
    assert [a.name for a in list_athletes(get_database(db_url))] == ["runner-0", "runner-1", "runner-2"]
