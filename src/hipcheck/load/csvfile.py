"""The generic training CSV: one row per activity (date, distance, duration, optional RPE and heart rate).

The format is documented in README.md, section "Training CSV format". A row that cannot be read fails
the whole file with the row number and column, so nothing is half-imported.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, datetime, time, timezone

from .models import ActivityFileError, ParsedActivity, ParsedFile, canonical_sport

_UNITS_M = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "mile": 1609.344, "miles": 1609.344}
_DIST_COLS = {"distance_km": 1000.0, "distance_m": 1.0, "distance_mi": 1609.344, "distance": None}
_DUR_COLS = {"duration_min": 60.0, "duration_s": 1.0, "duration": None, "moving_time": None}
_ALIASES = {"avg_hr": ("avg_hr", "average_hr", "heart_rate", "hr", "avg_heart_rate"),
            "max_hr": ("max_hr", "max_heart_rate"),
            "sport": ("sport", "type", "activity_type"),
            "rpe": ("rpe", "session_rpe"),
            "elevation_gain_m": ("elevation_gain_m", "elevation_gain", "climb_m"),
            "time": ("time", "start_time")}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower().lstrip("\ufeff")).strip("_")


def parse_duration_s(value: str, unit_s: float | None) -> float:
    """"45" (minutes unless the column says otherwise), "45:30" (mm:ss) or "1:05:30" (h:mm:ss)."""
    value = value.strip()
    if ":" in value:
        parts = [float(p) for p in value.split(":")]
        if len(parts) > 3 or any(p < 0 for p in parts):
            raise ValueError(value)
        secs = 0.0
        for p in parts:
            secs = secs * 60 + p
        return secs
    return float(value) * (unit_s or 60.0)


def parse_distance_m(value: str, unit_m: float | None) -> float:
    """"8.2" (km unless the column says otherwise) or "8.2 km", "5 mi", "8200 m"."""
    m = re.fullmatch(r"\s*([0-9]*[.,]?[0-9]+)\s*([a-zA-Z]*)\s*", value)
    if not m:
        raise ValueError(value)
    number = float(m.group(1).replace(",", "."))
    unit = m.group(2).lower()
    if unit:
        if unit not in _UNITS_M:
            raise ValueError(f"unknown unit '{unit}'")
        return number * _UNITS_M[unit]
    return number * (unit_m or 1000.0)


def _date(value: str) -> tuple[date, time | None]:
    value = value.strip()
    try:
        if len(value) > 10:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return dt.date(), dt.time().replace(tzinfo=None)
        return date.fromisoformat(value), None
    except ValueError:
        raise ValueError(f"'{value}' is not an ISO date (YYYY-MM-DD)") from None


class TrainingCsvParser:
    """Read the generic training CSV into activities."""

    def parse(self, data: bytes, name: str) -> ParsedFile:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ActivityFileError(f"{name}: not UTF-8 text; save the CSV as UTF-8") from None
        rows = list(csv.reader(io.StringIO(text)))
        if not rows:
            raise ActivityFileError(f"{name}: empty CSV file")
        header = [_key(h) for h in rows[0]]
        cols = {h: i for i, h in enumerate(header) if h}
        if "date" not in cols:
            raise ActivityFileError(f"{name}: not a training CSV, it has no 'date' column (columns: "
                                    f"{', '.join(rows[0][:6])}); see 'Training CSV format' in the README")
        dist_col = next(((c, u) for c, u in _DIST_COLS.items() if c in cols), None)
        dur_col = next(((c, u) for c, u in _DUR_COLS.items() if c in cols), None)
        if dist_col is None or dur_col is None:
            raise ActivityFileError(f"{name}: a training CSV needs a distance column (distance_km, "
                                    "distance_m, distance_mi or distance) and a duration column "
                                    "(duration_min, duration_s or duration)")
        alias = {k: next((cols[a] for a in names if a in cols), None) for k, names in _ALIASES.items()}
        activities = []
        for n, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            activities.append(self._row(row, n, name, cols, dist_col, dur_col, alias))
        if not activities:
            raise ActivityFileError(f"{name}: the CSV has a header but no rows")
        return ParsedFile(name=name, source_format="csv", activities=activities)

    def _row(self, row, n, name, cols, dist_col, dur_col, alias) -> ParsedActivity:
        def cell(idx):
            return row[idx].strip() if idx is not None and idx < len(row) else ""

        current = "date"
        try:
            day, clock = _date(cell(cols["date"]))
            if cell(alias["time"]):
                current = "time"
                clock = time.fromisoformat(cell(alias["time"]))
            current = dist_col[0]
            distance = parse_distance_m(cell(cols[dist_col[0]]), dist_col[1])
            current = dur_col[0]
            duration = parse_duration_s(cell(cols[dur_col[0]]), dur_col[1])
            if distance < 0 or duration <= 0:
                raise ValueError("must be positive")
            optional = {}
            for key, lo, hi in (("rpe", 0, 10), ("avg_hr", 25, 250), ("max_hr", 25, 250),
                                ("elevation_gain_m", 0, 20000)):
                current = key
                raw = cell(alias[key])
                if raw:
                    value = float(raw)
                    if not lo <= value <= hi:
                        raise ValueError(f"{value:g} is outside {lo}-{hi}")
                    optional[key] = value
        except ValueError as exc:
            raise ActivityFileError(f"{name}: row {n}, column '{current}': {exc}") from None
        sport = canonical_sport(cell(alias["sport"]) or "running")
        # Wall-clock time as written; with no time the activity is placed at noon of that day.
        start = datetime.combine(day, clock or time(12, 0)).replace(tzinfo=timezone.utc)
        row_id = hashlib.sha256(("csv|" + "|".join(c.strip() for c in row)).encode()).hexdigest()
        return ParsedActivity(
            start_time=start, sport=sport, distance_m=distance, duration_s=duration,
            moving_time_s=duration, content_hash=row_id, **optional,
            extra={"utc_offset_s": 0.0, "time_known": clock is not None})
