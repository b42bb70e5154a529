"""Use cases of the pain diary: record a day (one entry per date, updated in place) and read entries back."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from ..diary.models import PainEntry
from ..load.models import local_day
from ..store import Activity, DiaryEntry, get_database, resolve_athlete


def add_entry(entry: PainEntry, athlete: str | None = None) -> dict:
    """Store the entry for its date (replacing that date's scores); returns it with that day's runs."""
    db = get_database()
    with db.session(write=True) as s:
        who = resolve_athlete(s, athlete)
        row = s.execute(select(DiaryEntry).where(DiaryEntry.athlete_id == who.id,
                                                 DiaryEntry.date == entry.date)).scalar_one_or_none()
        created = row is None
        if created:
            row = DiaryEntry(athlete_id=who.id, date=entry.date)
            s.add(row)
        for field in ("pain_during", "pain_after", "pain_next_morning", "location", "note"):
            value = getattr(entry, field)
            if value is not None or created:
                setattr(row, field, value)
        s.flush()
        stored = _entry(row)
        runs = runs_on(s, who.id, [entry.date]).get(entry.date, [])
        return {"athlete": who.name, "created": created, "entry": stored.model_dump(mode="json"),
                "worst": stored.worst, "runs_that_day": runs}


def _entry(row: DiaryEntry) -> PainEntry:
    return PainEntry(date=row.date, pain_during=row.pain_during, pain_after=row.pain_after,
                     pain_next_morning=row.pain_next_morning, location=row.location, note=row.note)


def load_entries(session, athlete_id: int) -> list[PainEntry]:
    rows = session.execute(select(DiaryEntry).where(DiaryEntry.athlete_id == athlete_id)
                           .order_by(DiaryEntry.date)).scalars()
    return [_entry(r) for r in rows]


def runs_on(session, athlete_id: int, days: list[date]) -> dict[date, list[dict]]:
    """The runs of each given calendar day (the diary's link to training)."""
    if not days:
        return {}
    lo, hi = min(days), max(days)
    start = datetime.combine(lo - timedelta(days=1), time(), tzinfo=timezone.utc)
    end = datetime.combine(hi + timedelta(days=2), time(), tzinfo=timezone.utc)
    rows = session.execute(select(Activity).where(
        Activity.athlete_id == athlete_id, Activity.is_run.is_(True),
        Activity.start_time >= start, Activity.start_time < end).order_by(Activity.start_time)).scalars()
    wanted, out = set(days), {}
    for r in rows:
        day = local_day(r.start_time, (r.extra or {}).get("utc_offset_s"))
        if day in wanted:
            minutes = (r.moving_time_s or r.duration_s) / 60
            out.setdefault(day, []).append({"activity_id": r.id, "distance_km": round(r.distance_m / 1000, 2),
                                            "moving_time_min": round(minutes, 1), "source": r.source_name})
    return out


def list_entries(athlete: str | None = None, since: date | None = None) -> dict:
    db = get_database()
    with db.session() as s:
        who = resolve_athlete(s, athlete)
        entries = [e for e in load_entries(s, who.id) if since is None or e.date >= since]
        runs = runs_on(s, who.id, [e.date for e in entries])
        return {"athlete": who.name, "entries": [
            {**e.model_dump(mode="json"), "worst": e.worst, "runs_that_day": runs.get(e.date, [])}
            for e in entries]}
