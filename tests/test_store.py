"""The store on real databases: migrations, constraints, time zones, transactions, URL resolution."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, func, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError

from hipcheck import store
from hipcheck.errors import HipcheckError, InputError
from hipcheck.store import (
    Activity,
    Assessment,
    Athlete,
    Database,
    DiaryEntry,
    GaitAnalysis,
    Intake,
    Plan,
    PlanLog,
    get_database,
)

TABLES = {"athletes", "intakes", "assessments", "activities", "diary_entries", "gait_analyses", "plans",
          "plan_logs",
          # the web app's (migration web01)
          "users", "web_sessions", "clinician_links", "audit_log", "jobs", "stored_files"}
UTC = dt.timezone.utc


def _tables(db: Database) -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def _activity(athlete: Athlete, content_hash: str = "a" * 64, **kw) -> Activity:
    fields = dict(start_time=dt.datetime(2024, 5, 1, 7, 30, tzinfo=UTC), sport="running", is_run=True,
                  distance_m=10_000.0, duration_s=3_000.0, source_format="gpx", source_name="run.gpx",
                  content_hash=content_hash)
    fields.update(kw)
    return Activity(athlete=athlete, **fields)


def _count(db: Database, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


# -- migrations ------------------------------------------------------------------------------------
def test_migrations_upgrade_downgrade_and_upgrade_again(db_url):
    db = Database(db_url)
    assert _tables(db) == set()
    db.upgrade()
    assert _tables(db) == TABLES
    assert db.current_revision() == Database.head_revision() == "web01"
    db.downgrade("base")
    assert _tables(db) == set()
    assert db.current_revision() is None
    db.upgrade()
    assert _tables(db) == TABLES
    db.dispose()


def test_models_and_migrations_agree(database):
    with database.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(ctx, store.Base.metadata)
    assert diffs == []


def test_first_session_migrates_an_empty_database(db_url):
    db = get_database(db_url)
    with db.session() as s:
        assert store.list_athletes(s) == []
    assert db.current_revision() == Database.head_revision()


# -- SQLite settings ----------------------------------------------------------------------------------------
def test_sqlite_uses_wal_foreign_keys_and_busy_timeout(sqlite_url):
    db = get_database(sqlite_url)
    with db.session() as s:
        assert s.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert s.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert s.connection().exec_driver_sql("PRAGMA busy_timeout").scalar() > 0


def test_a_write_session_waits_for_another_writer_instead_of_failing(sqlite_url):
    """Read-then-write against a writer in another connection: a plain session fails when it upgrades
    (its snapshot is stale), a write session waits for the lock and then sees the other's row."""
    import threading
    import time

    db = store.get_database(sqlite_url)
    db.ensure_ready()

    def race(write: bool) -> int:
        holding = threading.Event()

        def other_writer() -> None:
            with db.session(write=True) as s:
                store.add_athlete(s, f"other-{write}")
                s.flush()
                holding.set()
                time.sleep(0.4)

        t = threading.Thread(target=other_writer)
        t.start()
        assert holding.wait(10), "the other writer did not start"
        try:
            with db.session(write=write) as s:
                seen = s.scalar(select(func.count()).select_from(Athlete))
                time.sleep(0.5)  # the other writer commits meanwhile
                store.add_athlete(s, f"mine-{write}")
            return seen
        finally:
            t.join()

    with pytest.raises(HipcheckError, match="is busy"):
        race(write=False)
    assert race(write=True) == 2  # waited: both "other" rows were committed before it read
    with db.session() as s:
        names = set(s.scalars(select(Athlete.name)))
    assert names == {"other-False", "other-True", "mine-True"}


def test_foreign_keys_are_enforced(database):
    with pytest.raises(IntegrityError):
        with database.session() as s:
            s.add(DiaryEntry(athlete_id=9999, date=dt.date(2024, 5, 1), pain_after=3))


# -- cascades --------------------------------------------------------------------------------------
def test_deleting_an_athlete_removes_everything_recorded_for_them(database):
    with database.session() as s:
        sam = store.add_athlete(s, "Sam")
        kim = store.add_athlete(s, "Kim")
        intake = store.save_intake(s, sam, {"schema": "intake-v1"})
        assessment = store.save_assessment(s, sam, intake, {"triage": {"level": "routine"}}, "routine",
                                           "gtps")
        s.add_all([_activity(sam), _activity(kim),
                   DiaryEntry(athlete=sam, date=dt.date(2024, 5, 1), pain_after=4),
                   GaitAnalysis(athlete=sam, kind="gait", view="rear", document={"schema": "gait-v1"})])
        plan = Plan(athlete=sam, assessment=assessment, document={"schema": "plan-v1"})
        s.add(plan)
        s.flush()
        s.add(PlanLog(plan_id=plan.id, date=dt.date(2024, 5, 2), exercise_id="clamshell", sets=3))
    with database.session() as s:
        # A plain SQL delete: the database itself must cascade, not the ORM.
        s.execute(delete(Athlete).where(Athlete.name == "Sam"))
    for model in (Intake, Assessment, DiaryEntry, GaitAnalysis, Plan, PlanLog):
        assert _count(database, model) == 0, model.__tablename__
    assert _count(database, Activity) == 1  # Kim's
    with database.session() as s:
        assert [a.name for a in store.list_athletes(s)] == ["Kim"]


def test_orm_delete_of_an_athlete_cascades_too(database):
    with database.session() as s:
        sam = store.add_athlete(s, "Sam")
        s.add(_activity(sam))
    with database.session() as s:
        s.delete(store.require_athlete(s, "Sam"))
    assert _count(database, Activity) == 0


def test_deleting_an_intake_keeps_its_assessment(database):
    with database.session() as s:
        sam = store.add_athlete(s, "Sam")
        intake = store.save_intake(s, sam, {"schema": "intake-v1"})
        store.save_assessment(s, sam, intake, {"x": 1}, "self_care", None)
    with database.session() as s:
        s.execute(delete(Intake))
    with database.session() as s:
        kept = store.latest_assessment(s, store.require_athlete(s, "Sam"))
        assert kept is not None and kept.intake_id is None and kept.triage_level == "self_care"


# -- constraints -----------------------------------------------------------------------------------
def test_the_same_file_cannot_be_imported_twice_for_one_athlete(database):
    with database.session() as s:
        sam, kim = store.add_athlete(s, "Sam"), store.add_athlete(s, "Kim")
        s.add_all([_activity(sam), _activity(kim)])  # same file, different athletes: fine
    with pytest.raises(IntegrityError):
        with database.session() as s:
            s.add(_activity(store.require_athlete(s, "Sam"), source_name="copy.gpx"))
    assert _count(database, Activity) == 2


def test_one_diary_entry_per_athlete_and_day(database):
    with database.session() as s:
        s.add(DiaryEntry(athlete=store.add_athlete(s, "Sam"), date=dt.date(2024, 5, 1), pain_after=2))
    with pytest.raises(IntegrityError):
        with database.session() as s:
            s.add(DiaryEntry(athlete=store.require_athlete(s, "Sam"), date=dt.date(2024, 5, 1), pain_after=5))


def test_gait_analysis_kind_is_checked(database):
    with pytest.raises(IntegrityError):
        with database.session() as s:
            s.add(GaitAnalysis(athlete=store.add_athlete(s, "Sam"), kind="video", document={}))


def test_duplicate_athlete_name_is_an_input_error_and_keeps_the_rest_of_the_transaction(database):
    with database.session() as s:
        store.add_athlete(s, "Sam")
        with pytest.raises(InputError, match="athlete 'Sam' already exists"):
            store.add_athlete(s, "Sam")
        store.add_athlete(s, "Kim")  # the session is still usable after the failed insert
    with database.session() as s:
        assert [a.name for a in store.list_athletes(s)] == ["Kim", "Sam"]


# -- values ----------------------------------------------------------------------------------------
def test_datetimes_round_trip_as_utc_aware(database):
    local = dt.datetime(2024, 3, 31, 8, 15, 30, 250_000, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with database.session() as s:
        s.add(_activity(store.add_athlete(s, "Sam"), start_time=local))
    with database.session() as s:
        act = s.scalars(select(Activity)).one()
        assert act.start_time == local
        assert act.start_time.utcoffset() == dt.timedelta(0)
        assert act.start_time.hour == 6
        assert act.created_at.tzinfo is not None
        assert dt.datetime.now(UTC) - act.created_at < dt.timedelta(minutes=5)
        # Ordering by time compares instants, not local wall-clock text.
        s.add(_activity(act.athlete, "b" * 64, start_time=dt.datetime(2024, 3, 31, 7, 0, tzinfo=UTC)))
        s.flush()
        times = s.scalars(select(Activity.start_time).order_by(Activity.start_time)).all()
        assert times == sorted(times) and times[0].hour == 6


def test_naive_datetimes_are_refused(database):
    with pytest.raises(StatementError, match="naive datetime"):
        with database.session() as s:
            s.add(_activity(store.add_athlete(s, "Sam"), start_time=dt.datetime(2024, 5, 1, 7, 30)))
    assert _count(database, Athlete) == 0


def test_documents_round_trip(database):
    doc = {"schema": "assessment-v1", "triage": {"level": "urgent", "red_flags": ["x"]}, "score": 0.75,
           "text": "Schmerz beim Laufen ✓", "none": None}
    with database.session() as s:
        sam = store.add_athlete(s, "Sam", sex="female", birth_year=1990)
        store.save_assessment(s, sam, None, doc, "urgent", "bone_stress_femoral_neck")
        s.add(_activity(sam, merged_from=[{"source_name": "b.fit", "content_hash": "c" * 64}], salvaged=True))
    with database.session() as s:
        sam = store.require_athlete(s, "Sam")
        assert (sam.sex, sam.birth_year) == ("female", 1990)
        assert store.latest_assessment(s, sam).document == doc
        act = s.scalars(select(Activity)).one()
        assert act.merged_from == [{"source_name": "b.fit", "content_hash": "c" * 64}]
        assert act.salvaged is True and act.extra is None


def test_latest_assessment_is_the_newest(database):
    with database.session() as s:
        sam = store.add_athlete(s, "Sam")
        assert store.latest_assessment(s, sam) is None
        old = store.save_assessment(s, sam, None, {"n": 1}, "routine", None)
        old.created_at = dt.datetime(2024, 1, 1, tzinfo=UTC)
        store.save_assessment(s, sam, None, {"n": 2}, "urgent", None)
    with database.session() as s:
        assert store.latest_assessment(s, store.require_athlete(s, "Sam")).document == {"n": 2}


# -- transactions ----------------------------------------------------------------------------------
def test_a_failed_transaction_leaves_nothing_half_written(database):
    with pytest.raises(IntegrityError):
        with database.session() as s:
            sam = store.add_athlete(s, "Sam")
            s.add(_activity(sam))
            s.flush()
            s.add(_activity(sam, source_name="again.gpx"))  # same content hash: refused
    assert _count(database, Athlete) == 0 and _count(database, Activity) == 0

    with pytest.raises(RuntimeError):
        with database.session() as s:
            store.add_athlete(s, "Kim")
            s.flush()
            raise RuntimeError("crash in the middle of an import")
    assert _count(database, Athlete) == 0


# -- athletes --------------------------------------------------------------------------------------
def test_require_and_resolve_athlete(database):
    with database.session() as s:
        with pytest.raises(InputError, match="no athletes yet"):
            store.resolve_athlete(s, None)
        with pytest.raises(InputError, match=r"no athlete 'Sam' \(no athletes yet\).*hipcheck athlete add"):
            store.require_athlete(s, "Sam")
        store.add_athlete(s, "Sam")
        assert store.resolve_athlete(s, None).name == "Sam"
        store.add_athlete(s, "Kim")
        with pytest.raises(InputError, match=r"2 athletes \(Kim, Sam\).*--athlete"):
            store.resolve_athlete(s, None)
        assert store.resolve_athlete(s, "Kim").name == "Kim"
        with pytest.raises(InputError, match="no athlete 'Lee' .*known athletes: Kim, Sam"):
            store.require_athlete(s, "Lee")


# -- where the database is -------------------------------------------------------------------------
def test_default_database_lives_in_hipcheck_home(hipcheck_home: Path):
    assert not hipcheck_home.exists()
    db = get_database()
    assert Path(db.url.database) == hipcheck_home / "hipcheck.db"
    with db.session() as s:
        store.add_athlete(s, "Sam")
    assert (hipcheck_home / "hipcheck.db").is_file()


def test_database_url_env_and_argument(tmp_path, monkeypatch, hipcheck_home):
    env_url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("HIPCHECK_DATABASE_URL", env_url)
    assert get_database().url.database == str(tmp_path / "env.db")
    assert get_database() is get_database(env_url)
    arg_url = f"sqlite:///{tmp_path / 'arg.db'}"
    assert get_database(arg_url).url.database == str(tmp_path / "arg.db")
    with get_database().session() as s:
        store.add_athlete(s, "Sam")
    assert (tmp_path / "env.db").is_file() and not (hipcheck_home / "hipcheck.db").exists()


@pytest.mark.parametrize("url", ["postgres://u:pw@db.example:5433/hip",
                                 "postgresql://u:pw@db.example:5433/hip",
                                 "postgresql+psycopg2://u:pw@db.example:5433/hip"])
def test_postgres_urls_use_psycopg3(url):
    resolved = store.resolve_url(url)
    assert resolved.drivername == "postgresql+psycopg"
    assert (resolved.host, resolved.port, resolved.database) == ("db.example", 5433, "hip")
    assert resolved.password == "pw"


@pytest.mark.parametrize("url, message", [("not a url", "is not a database URL"),
                                          ("mysql://u@h/db", "supports only SQLite")])
def test_unusable_urls_are_input_errors(url, message):
    with pytest.raises(InputError, match=message):
        get_database(url)


def test_unreachable_server_names_the_url_without_the_password():
    db = get_database("postgresql://hip:s3cret@127.0.0.1:1/hip")
    with pytest.raises(HipcheckError) as err:
        with db.session():
            pass
    msg = str(err.value)
    assert "127.0.0.1:1/hip" in msg and "s3cret" not in msg and "***" in msg
    assert "running and reachable" in msg and "\n" not in msg


def test_sqlite_file_in_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(HipcheckError, match=r"cannot open the database .*no-such-folder.*folder exists"):
        with get_database(f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}").session():
            pass


def test_a_database_from_a_newer_hipcheck_is_refused(db_url):
    Database(db_url).upgrade()
    with get_database(db_url).engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(HipcheckError, match="revision 9999_future, written by a newer hipcheck"):
        with Database(db_url).session():
            pass


def test_sql_mistakes_are_not_reported_as_connection_problems(database):
    with pytest.raises(DBAPIError) as err:
        with database.session() as s:
            s.execute(text("SELECT * FROM no_such_table"))
    assert not isinstance(err.value, HipcheckError)


def test_in_memory_sqlite_works_for_quick_use():
    db = get_database("sqlite://")
    with db.session() as s:
        store.add_athlete(s, "Sam")
    with db.session() as s:
        assert [a.name for a in store.list_athletes(s)] == ["Sam"]
