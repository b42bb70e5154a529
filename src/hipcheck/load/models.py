"""Typed records passed between the importers, the store and the analysers."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from ..errors import InputError

_SPORT_WORDS = {
    "running": ("run", "running", "trail_run", "trail_running", "virtualrun", "virtual_run",
                "treadmill_running", "track_running", "street_running", "indoor_running", "jogging"),
    "cycling": ("ride", "biking", "cycling", "road_biking", "mountain_biking", "virtualride",
                "virtual_ride", "ebikeride", "e_bike_ride", "gravel_ride", "bike"),
    "swimming": ("swim", "swimming", "lap_swimming", "open_water"),
    "walking": ("walk", "walking"),
    "hiking": ("hike", "hiking"),
}
_CANONICAL = {word: sport for sport, words in _SPORT_WORDS.items() for word in words}


def canonical_sport(name: str | None) -> str:
    """One spelling per sport, whatever the device or service called it ("Trail Run" -> running)."""
    key = (name or "").strip().lower().replace(" ", "_").replace("-", "_")
    return _CANONICAL.get(key, key or "unknown")


def is_run_sport(sport: str | None, sub_sport: str | None = None) -> bool:
    return canonical_sport(sport) == "running"


def infer_sport(distance_m: float | None, moving_time_s: float | None) -> str:
    """A best guess from average speed when a file names no sport (GPX often does not)."""
    if not distance_m or not moving_time_s:
        return "unknown"
    speed = distance_m / moving_time_s
    if speed < 1.8:  # slower than about 9 min/km: walking pace
        return "walking"
    if speed <= 6.0:  # up to 2:47 min/km: every recreational running pace
        return "running"
    return "cycling"


class ActivityFileError(InputError):
    """A file that cannot be imported; the message is the one-line reason shown to the runner."""


@dataclass
class ParsedActivity:
    """One activity as decoded from a file or a CSV row, before it is stored."""
    start_time: datetime  # timezone-aware UTC
    sport: str
    distance_m: float | None = None
    duration_s: float | None = None  # elapsed, start to finish
    moving_time_s: float | None = None
    elevation_gain_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    rpe: float | None = None  # session RPE on the 0-10 scale
    content_hash: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def is_run(self) -> bool:
        return is_run_sport(self.sport, self.extra.get("sub_sport"))

    @property
    def end_time(self) -> datetime:
        return self.start_time + timedelta(seconds=self.duration_s or self.moving_time_s or 0.0)


@dataclass
class ParsedFile:
    """What one import item yielded: its activities, and whether part of the file was lost."""
    name: str
    source_format: str
    activities: list[ParsedActivity]
    salvaged: bool = False
    salvage_note: str | None = None


@dataclass
class ImportItem:
    """One unit of import work: a file on disk or bytes taken out of an archive."""
    name: str  # what the runner sees in messages
    source_format: str  # fit | gpx | tcx | csv | strava_csv
    path: str | None = None  # a file on disk
    archive: str | None = None  # or a member of this ZIP archive
    member: str | None = None
    content_hash: str = ""
    gzipped: bool = False
    meta: dict = field(default_factory=dict)  # e.g. the Strava activities.csv row for this file


def utc(dt: datetime) -> datetime:
    """A timezone-aware UTC datetime (naive values are taken as UTC)."""
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def local_day(start_time: datetime, utc_offset_s: float | None) -> date:
    """The runner's calendar day of an activity: the file's own offset when known, else this machine's."""
    start = utc(start_time)
    if utc_offset_s is not None:
        return (start + timedelta(seconds=utc_offset_s)).date()
    return start.astimezone().date()


@dataclass
class TrainingActivity:
    """A stored activity as the analysers see it: totals plus the runner's calendar day."""
    start_time: datetime
    day: date
    sport: str
    is_run: bool
    distance_m: float
    duration_s: float
    moving_time_s: float | None = None
    elevation_gain_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    rpe: float | None = None
    id: int | None = None

    @property
    def minutes(self) -> float:
        return (self.moving_time_s or self.duration_s or 0.0) / 60.0
