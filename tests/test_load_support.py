"""Builders shared by the load tests: synthetic runs (FIT bytes, training CSV) and a Strava export."""
from __future__ import annotations

import csv
import gzip
import io
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from hipcheck.load.fit_encode import FitWriter, TrackPoint
from hipcheck.load.models import TrainingActivity

ACTIVITIES = "data/activities"


def run_points(km: float, pace_s_per_km: float = 330.0, hr: int | None = 140, climb_m: float = 0.0,
               step_s: float = 5.0) -> list[TrackPoint]:
    total_s = km * pace_s_per_km
    n = max(2, int(total_s / step_s) + 1)
    return [TrackPoint(offset_s=i * step_s, distance_m=min(km * 1000, i * step_s * 1000 / pace_s_per_km),
                       lat_deg=52.0 + i * 1e-5, lon_deg=4.0, altitude_m=10.0 + climb_m * i / n,
                       heart_rate=hr, cadence=85, speed_m_s=1000 / pace_s_per_km) for i in range(n)]


def fit_run(start: datetime, km: float, sport: str = "running", **kw) -> bytes:
    return FitWriter(sport=sport).encode(start, run_points(km, **kw))


def activity(day: date, km: float, *, hour: int = 7, minutes: float | None = None, run: bool = True,
             rpe: float | None = None, avg_hr: float | None = None, max_hr: float | None = None,
             climb_m: float | None = None, ident: int | None = None) -> TrainingActivity:
    minutes = minutes if minutes is not None else km * 5.5
    return TrainingActivity(
        start_time=datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc), day=day,
        sport="running" if run else "cycling", is_run=run, distance_m=km * 1000, duration_s=minutes * 60,
        moving_time_s=minutes * 60, elevation_gain_m=climb_m, avg_hr=avg_hr, max_hr=max_hr, rpe=rpe, id=ident)


def steady_weeks(first: date, weeks: int, km_per_run: float = 8.0,
                 days=(0, 2, 4, 6)) -> list[TrainingActivity]:
    return [activity(first + timedelta(days=7 * w + d), km_per_run) for w in range(weeks) for d in days]


STRAVA_HEADER = ["Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description",
                 "Elapsed Time", "Distance", "Max Heart Rate", "Relative Effort", "Commute",
                 "Activity Private Note", "Activity Gear", "Filename", "Athlete Weight", "Bike Weight",
                 "Elapsed Time", "Moving Time", "Distance", "Max Speed", "Average Speed", "Elevation Gain",
                 "Elevation Loss", "Elevation Low", "Elevation High", "Max Grade", "Average Grade",
                 "Average Positive Grade", "Average Negative Grade", "Max Cadence", "Average Cadence",
                 "Max Heart Rate", "Average Heart Rate", "Max Watts", "Average Watts", "Calories",
                 "Max Temperature", "Average Temperature", "Relative Effort", "Total Work", "Number of Runs",
                 "Uphill Time", "Downhill Time", "Other Time", "Perceived Exertion"]


def strava_row(ident: str, when: datetime, kind: str, shown_distance: str, metres: float, moving_s: int,
               filename: str, rpe: str = "") -> list[str]:
    row = [""] * len(STRAVA_HEADER)
    values = {0: ident, 1: when.strftime("%b %-d, %Y, %-I:%M:%S %p"), 2: "Morning " + kind, 3: kind,
              5: str(moving_s + 60), 6: shown_distance, 12: filename, 15: f"{moving_s + 60}.0",
              16: f"{moving_s}.0", 17: f"{metres}", 20: "42.0", 43: rpe}
    for i, v in values.items():
        row[i] = v
    return row


def write_strava_export(folder: Path) -> dict:
    """An unpacked export: a FIT run (gz), a GPX ride (gz), a manual run (no file). Returns expectations."""
    (folder / "activities").mkdir(parents=True)
    run_start = datetime(2024, 5, 4, 6, 30, tzinfo=timezone.utc)
    (folder / "activities" / "111.fit.gz").write_bytes(gzip.compress(fit_run(run_start, 10.0)))
    ride_start = datetime(2024, 5, 5, 9, 0, tzinfo=timezone.utc)
    gpx = ["<?xml version='1.0'?><gpx version='1.1' xmlns='http://www.topografix.com/GPX/1/1'><trk>"
           "<type>cycling</type><trkseg>"]
    for i in range(120):
        t = (ride_start + timedelta(seconds=10 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        gpx.append(f"<trkpt lat='{52 + i * 7e-4:.6f}' lon='4.0'><ele>5</ele><time>{t}</time></trkpt>")
    gpx.append("</trkseg></trk></gpx>")
    (folder / "activities" / "222.gpx.gz").write_bytes(gzip.compress("".join(gpx).encode()))
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(STRAVA_HEADER)
    writer.writerow(strava_row("111", run_start, "Run", "10.00", 10000.0, 3300, "activities/111.fit.gz", "4"))
    writer.writerow(strava_row("222", ride_start, "Ride", "9.34", 9340.0, 1190, "activities/222.gpx.gz"))
    writer.writerow(strava_row("333", datetime(2024, 5, 7, 17, 0, tzinfo=timezone.utc), "Run", "6.50",
                               6500.0, 2100, ""))
    (folder / "activities.csv").write_text(buf.getvalue(), encoding="utf-8")
    return {"runs_km": [6.5, 10.0], "rides": 1, "rpe": 4.0}
