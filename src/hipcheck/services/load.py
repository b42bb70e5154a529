"""Use cases of the training history: import files, build the load report, plan a safe progression."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..executor import BatchExecutor
from ..load.discover import ImportFinder, content_hash, read_item_bytes
from ..load.merge import ActivityMatcher, IndexedActivity
from ..load.models import ActivityFileError, ParsedActivity, TrainingActivity, local_day, utc
from ..load.parse import ParseOutcome, parse_item
from ..store import Activity, get_database, resolve_athlete

STATUSES = ("imported", "salvaged", "skipped", "merged", "failed")


@dataclass
class FileResult:
    file: str
    status: str  # one of STATUSES
    reason: str | None = None
    activities: int = 0


@dataclass
class ImportSummary:
    athlete: str
    files: list[FileResult] = field(default_factory=list)
    workers: int = 0

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    def to_json(self) -> dict:
        """The documented summary: counts of files per outcome and every failure with its reason."""
        return {"imported": self.count("imported"), "salvaged": self.count("salvaged"),
                "skipped": self.count("skipped"), "merged": self.count("merged"),
                "failed": [{"file": f.file, "reason": f.reason} for f in self.files if f.status == "failed"]}


def _index(row) -> IndexedActivity:
    extra = row.extra or {}
    length = row.duration_s or row.moving_time_s or 0.0
    return IndexedActivity(id=row.id, start_time=row.start_time,
                           end_time=row.start_time + timedelta(seconds=length),
                           day=local_day(row.start_time, extra.get("utc_offset_s")),
                           distance_m=row.distance_m, is_run=row.is_run,
                           time_known=extra.get("time_known", True), salvaged=row.salvaged)


def _quality(salvaged: bool, extra: dict | None) -> int:
    """Which record of a merged activity to keep: a whole file beats a date-only row beats a salvage."""
    if salvaged:
        return 0
    return 1 if not (extra or {}).get("time_known", True) else 2


class ActivityImporter:
    """Import paths for one athlete: find items, skip known content, parse in parallel, store each file
    in its own transaction, merging duplicates. Results: `summary_`."""

    def __init__(self, athlete: str | None = None, executor: BatchExecutor | None = None,
                 progress: Callable[[int, int], None] | None = None):
        self.athlete = athlete
        self.executor = executor or BatchExecutor()
        self.progress = progress
        self.db = get_database()
        self.known: set[str] = set()
        self.matcher = ActivityMatcher()
        self.summary_: ImportSummary | None = None

    def run(self, paths: list[str]) -> ImportSummary:
        with self.db.session() as s:
            athlete = resolve_athlete(s, self.athlete)
            self.athlete_id, name = athlete.id, athlete.name
            for row in s.execute(select(Activity).where(Activity.athlete_id == athlete.id)).scalars():
                self.known.add(row.content_hash)
                self.known.update(m.get("content_hash") for m in (row.merged_from or []))
                self.matcher.add(_index(row))
        summary = ImportSummary(athlete=name)
        found = ImportFinder().find(paths)
        summary.files += [FileResult(n, "failed", r) for n, r in found.failed]
        summary.files += [FileResult(n, "skipped", r) for n, r in found.ignored]
        todo, batch = [], set()
        for item in found.items:
            if item.source_format not in ("csv", "strava_row"):  # those carry one hash per row
                try:
                    item.content_hash = content_hash(read_item_bytes(item))
                except ActivityFileError as exc:
                    reason = str(exc).removeprefix(item.name + ": ")
                    summary.files.append(FileResult(item.name, "failed", reason))
                    continue
                if item.content_hash in self.known or item.content_hash in batch:
                    summary.files.append(FileResult(item.name, "skipped", "already imported"))
                    continue
                batch.add(item.content_hash)
            todo.append(item)
        for res in self.executor.map(parse_item, todo, self.progress):
            outcome = res.value if res.ok else ParseOutcome(res.item, error=f"internal error: {res.error}")
            summary.files.append(self._store(outcome))
        summary.workers = self.executor.used_processes_
        self.summary_ = summary
        return summary

    def _store(self, outcome: ParseOutcome) -> FileResult:
        name = outcome.item.name
        if outcome.error or outcome.parsed is None:
            return FileResult(name, "failed", outcome.error or "nothing decoded")
        parsed = outcome.parsed
        statuses, added, hashes = [], [], []
        try:
            with self.db.session(write=True) as s:
                for act in parsed.activities:
                    if act.content_hash in self.known or act.content_hash in hashes:
                        statuses.append("skipped")
                        continue
                    hashes.append(act.content_hash)
                    match = self.matcher.find(act)
                    if match is not None:
                        self._merge(s.get(Activity, match.id), act, parsed.salvaged, name,
                                    parsed.source_format)
                        statuses.append("merged")
                        continue
                    row = self._row(act, parsed.salvaged, name, parsed.source_format)
                    s.add(row)
                    s.flush()
                    added.append(_index(row))
                    statuses.append("new")
        except IntegrityError:  # another import stored the same content meanwhile
            return FileResult(name, "skipped", "already imported")
        self.known.update(hashes)
        for item in added:
            self.matcher.add(item)
        n = len(parsed.activities)
        if all(st == "skipped" for st in statuses):
            return FileResult(name, "skipped", "already imported", n)
        if parsed.salvaged:
            return FileResult(name, "salvaged", parsed.salvage_note, n)
        if "new" in statuses:
            return FileResult(name, "imported", None, n)
        return FileResult(name, "merged", "same activity already imported from another file", n)

    def _row(self, act: ParsedActivity, salvaged: bool, name: str, fmt: str) -> Activity:
        return Activity(
            athlete_id=self.athlete_id, start_time=utc(act.start_time), sport=act.sport[:30],
            is_run=act.is_run, distance_m=float(act.distance_m or 0.0),
            duration_s=float(act.duration_s or act.moving_time_s or 0.0), moving_time_s=act.moving_time_s,
            elevation_gain_m=act.elevation_gain_m, avg_hr=act.avg_hr, max_hr=act.max_hr, rpe=act.rpe,
            source_format=fmt[:10], source_name=name[-255:], content_hash=act.content_hash,
            salvaged=salvaged, merged_from=[], extra=json.loads(json.dumps(act.extra, default=str)))

    @staticmethod
    def _merge(row: Activity, act: ParsedActivity, salvaged: bool, name: str, fmt: str) -> None:
        source = {"source_name": name[-255:], "content_hash": act.content_hash, "source_format": fmt}
        row.merged_from = [*(row.merged_from or []), source]
        if _quality(salvaged, act.extra) > _quality(row.salvaged, row.extra):
            row.start_time, row.sport, row.salvaged = utc(act.start_time), act.sport[:30], salvaged
            row.distance_m = float(act.distance_m or row.distance_m)
            row.duration_s = float(act.duration_s or act.moving_time_s or row.duration_s)
            row.moving_time_s = act.moving_time_s or row.moving_time_s
            row.extra = {**(row.extra or {}), **json.loads(json.dumps(act.extra, default=str))}
        for attr in ("elevation_gain_m", "avg_hr", "max_hr", "rpe", "moving_time_s"):
            if getattr(row, attr) is None and getattr(act, attr) is not None:
                setattr(row, attr, getattr(act, attr))


def import_paths(paths: list[str], athlete: str | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 executor: BatchExecutor | None = None) -> ImportSummary:
    return ActivityImporter(athlete, executor, progress).run(paths)


def load_activities(session, athlete_id: int) -> list[TrainingActivity]:
    rows = session.execute(select(Activity).where(Activity.athlete_id == athlete_id)
                           .order_by(Activity.start_time)).scalars()
    return [TrainingActivity(
        id=r.id, start_time=r.start_time, day=local_day(r.start_time, (r.extra or {}).get("utc_offset_s")),
        sport=r.sport, is_run=r.is_run, distance_m=r.distance_m, duration_s=r.duration_s,
        moving_time_s=r.moving_time_s, elevation_gain_m=r.elevation_gain_m, avg_hr=r.avg_hr,
        max_hr=r.max_hr, rpe=r.rpe) for r in rows]


def today_local() -> date:
    return datetime.now().astimezone().date()


def _history(athlete: str | None) -> tuple[str, list[TrainingActivity], list]:
    """The athlete's name, runs and pain diary, read in one transaction."""
    from .diary import load_entries

    with get_database().session() as s:
        who = resolve_athlete(s, athlete)
        return who.name, load_activities(s, who.id), load_entries(s, who.id)


def build_load_report(athlete: str | None = None, since: date | None = None,
                      today: date | None = None) -> dict:
    """The load report document for one athlete (see hipcheck.load.analysis)."""
    from ..load.analysis import LoadAnalysis
    from ..load.thresholds import load_thresholds

    name, activities, pain = _history(athlete)
    today = today or today_local()
    analysis = LoadAnalysis(load_thresholds(), today, since).run(activities, pain, name)
    doc = analysis.document_
    doc["risk"] = _risk_pattern(activities, pain, today)
    return doc


def _risk_pattern(activities, pain, today: date) -> dict:
    """The last 7 days against the Lövdal 2021 cohort (context, not a prediction); never breaks the report."""
    from ..errors import HipcheckError
    from ..risk import risk_for_history

    try:
        return risk_for_history(activities, pain, today).to_json()
    except HipcheckError as exc:
        return {"schema": "hipcheck.risk/v1", "percentile_vs_cohort": None,
                "wording": f"Risk pattern not available: {exc}", "drivers": [], "source": "lovdal_2021"}


def build_progression_plan(athlete: str | None = None, weeks: int = 6, today: date | None = None) -> dict:
    """Weekly distance and longest-run caps, or a walk-run ladder while pain says so."""
    from dataclasses import asdict

    from ..diary.analysis import PainGate
    from ..errors import InputError
    from ..load.metrics import TrainingHistory
    from ..load.progression import ProgressionPlanner
    from ..load.thresholds import load_thresholds

    if not 4 <= weeks <= 8:
        raise InputError(f"--weeks must be between 4 and 8 (got {weeks})")
    th = load_thresholds()
    today = today or today_local()
    name, activities, pain = _history(athlete)
    history = TrainingHistory(th, until=today).run(activities)
    gate = PainGate.check(pain, th, today)
    plan = ProgressionPlanner(th, weeks, today).run(history, gate)
    doc = asdict(plan)
    for w in doc["weeks"]:
        w["week_start"] = w["week_start"].isoformat()
    return {"schema": "hipcheck.load-plan/1", "athlete": name, "today": today.isoformat(),
            "pain_gate": {"passed": gate.passed, "reasons": gate.reasons,
                          "latest_entry": gate.entry_date.isoformat() if gate.entry_date else None},
            **doc}
