"""Strava bulk export: `activities.csv` plus `activities/<id>.fit.gz|.gpx.gz|.tcx.gz` (zip or unpacked).

activities.csv repeats column names (Elapsed Time, Distance, Max Heart Rate, Relative Effort,
Commute): the first Distance is in display units (km, or m for swims), the second in metres, so
columns are read by position of occurrence, never by name alone. Dates are UTC.
"""
from __future__ import annotations

import csv
import hashlib
import io
from datetime import datetime, timezone

from .models import ActivityFileError, ParsedActivity, canonical_sport

DATE_FORMATS = ("%b %d, %Y, %I:%M:%S %p", "%d %b %Y, %H:%M:%S", "%Y-%m-%d %H:%M:%S")


def is_strava_header(header: list[str]) -> bool:
    names = {h.strip().lstrip("\ufeff") for h in header}
    return {"Activity ID", "Activity Date", "Activity Type"} <= names


class StravaRow:
    """One row of activities.csv with its duplicated columns told apart."""

    def __init__(self, header: list[str], row: list[str]):
        self.cells: dict[str, list[str]] = {}
        for i, h in enumerate(header):
            cell = row[i].strip() if i < len(row) else ""
            self.cells.setdefault(h.strip().lstrip("\ufeff"), []).append(cell)

    def get(self, name: str, occurrence: int = 0) -> str:
        values = self.cells.get(name, [])
        return values[occurrence] if occurrence < len(values) else ""

    def number(self, name: str, occurrence: int = 0) -> float | None:
        raw = self.get(name, occurrence).replace(",", "")
        try:
            return float(raw) if raw else None
        except ValueError:
            return None

    @property
    def activity_id(self) -> str:
        return self.get("Activity ID")

    @property
    def filename(self) -> str:
        return self.get("Filename")

    def start_time(self) -> datetime | None:
        raw = self.get("Activity Date")
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(raw, fmt).replace(tzinfo=timezone.utc)
            except ValueError:
                continue
        return None

    def distance_m(self) -> float | None:
        metres = self.number("Distance", 1)  # the second Distance column is always metres
        if metres is not None:
            return metres
        shown = self.number("Distance", 0)
        if shown is None:
            return None
        return shown if canonical_sport(self.get("Activity Type")) == "swimming" else shown * 1000.0

    def meta(self) -> dict:
        """What a file from the export is enriched with: sport name, RPE, Strava's own totals."""
        rpe = self.number("Perceived Exertion")
        return {"strava_id": self.activity_id, "sport": self.get("Activity Type"),
                "rpe": rpe if rpe is not None and 0 <= rpe <= 10 else None,
                "row": self.to_activity_fields()}

    def to_activity_fields(self) -> dict:
        start = self.start_time()
        return {"start_time": start.isoformat() if start else None,
                "distance_m": self.distance_m(),
                "duration_s": self.number("Elapsed Time", 1) or self.number("Elapsed Time", 0),
                "moving_time_s": self.number("Moving Time"),
                "elevation_gain_m": self.number("Elevation Gain"),
                "avg_hr": self.number("Average Heart Rate"),
                "max_hr": self.number("Max Heart Rate", 1) or self.number("Max Heart Rate", 0)}


def read_activities_csv(data: bytes, name: str) -> list[StravaRow]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ActivityFileError(f"{name}: activities.csv is not UTF-8 text") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not is_strava_header(rows[0]):
        raise ActivityFileError(f"{name}: not a Strava activities.csv (no Activity ID/Date/Type header)")
    return [StravaRow(rows[0], r) for r in rows[1:] if any(c.strip() for c in r)]


def activity_from_meta(meta: dict, name: str) -> ParsedActivity:
    """An activity from the activities.csv row alone (manual entries, or a file that would not decode)."""
    row = meta.get("row") or {}
    if not row.get("start_time"):
        raise ActivityFileError(f"{name}: the activities.csv row has no readable 'Activity Date'")
    sport = canonical_sport(meta.get("sport"))
    ident = meta.get("strava_id") or row["start_time"]
    return ParsedActivity(
        start_time=datetime.fromisoformat(row["start_time"]), sport=sport,
        distance_m=row.get("distance_m"), duration_s=row.get("duration_s"),
        moving_time_s=row.get("moving_time_s"), elevation_gain_m=row.get("elevation_gain_m"),
        avg_hr=row.get("avg_hr"), max_hr=row.get("max_hr"), rpe=meta.get("rpe"),
        content_hash=hashlib.sha256(f"strava|{ident}".encode()).hexdigest(),
        extra={"strava_id": meta.get("strava_id"), "summary": "from Strava activities.csv"})
