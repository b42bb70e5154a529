"""A runner's own log (stored activities and diary) as the model's 10 daily values.

Per day, in data.DAY_FEATURES order:
- sessions: activities that day (any sport), capped at 2 as in the cohort;
- km: running distance;
- km Z3-4 / km Z5-T1-T2: running km by the session's average heart rate as a share of the highest heart
  rate seen in the log (needs `min_hr_sessions` runs with heart rate), else by pace against the runner's
  own median running pace; unknown (NaN) when a run has neither heart rate nor a usable pace;
- km sprinting: sprints are too short to show in session averages, so it is 0 whenever the zones are
  known and unknown otherwise;
- strength training: strength sessions, unknown on every day if the log holds none at all;
- hours alternative: hours of other non-running sessions;
- perceived exertion: RPE (0-10) / 10 where logged, unknown on a session day without it;
- perceived training success and recovery: only from an activity's `extra` (`training_success`,
  `recovery`, 0-10) where an importer stored them; unknown otherwise.
No session that day: the perceived scores take the cohort's "no session" code, -0.01.
Days before the first logged activity or diary entry are unknown; from then on a day with nothing
logged is a rest day. The zone cut-offs are our approximation of the team's zones (see
docs/risk-model.md); the cohort's own zones came from its coaches (source lovdal_2021).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import numpy as np

from .baseline import Series
from .data import NO_SESSION

STRENGTH_WORDS = ("strength", "weight", "gym", "crossfit", "hiit", "core", "pilates", "yoga")


def activity_day(activity: Any) -> date:
    """The runner's calendar day: the activity's own `day` when it has one (the load capability's
    TrainingActivity), else from start_time and the file's UTC offset, else this machine's local time."""
    day = getattr(activity, "day", None)
    if isinstance(day, date):
        return day
    start_time: datetime = activity.start_time
    offset = (getattr(activity, "extra", None) or {}).get("utc_offset_s")
    start = start_time if start_time.tzinfo else start_time.replace(tzinfo=timezone.utc)
    if offset is not None:
        return (start.astimezone(timezone.utc) + timedelta(seconds=float(offset))).date()
    return start.astimezone().date()


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


@dataclass
class DailyLog:
    """The result: values[i] are the 10 daily values of day first_day + i (NaN = unknown)."""

    first_day: date
    values: np.ndarray  # (n_days, 10)
    unknown_inputs: list[str]  # inputs that were never available, in words

    def day_index(self, day: date) -> int:
        return (day - self.first_day).days

    def as_series(self) -> Series:
        n = len(self.values)
        return Series(np.zeros(n, dtype=int), np.arange(n), self.values)


class HistoryMapper:
    """Turns activities and diary entries into a DailyLog.

    Parameters: HR share of max HR for Z3-4 and Z5 (`z34_hr_share`, `z5_hr_share`), pace cut-offs as
    speed relative to the runner's median running speed (`z34_speed_ratio`, `z5_speed_ratio`), and the
    number of runs with heart rate needed before HR zones are trusted (`min_hr_sessions`).
    Call `map(activities, diary_entries, until)`; the result is on `log_`.
    """

    def __init__(
        self,
        z34_hr_share: float = 0.80,
        z5_hr_share: float = 0.90,
        z34_speed_ratio: float = 1.08,
        z5_speed_ratio: float = 1.18,
        min_hr_sessions: int = 5,
        min_pace_runs: int = 10,
    ):
        self.z34_hr_share, self.z5_hr_share = z34_hr_share, z5_hr_share
        self.z34_speed_ratio, self.z5_speed_ratio = z34_speed_ratio, z5_speed_ratio
        self.min_hr_sessions, self.min_pace_runs = min_hr_sessions, min_pace_runs

    def map(self, activities: Iterable[Any], diary_entries: Iterable[Any], until: date) -> HistoryMapper:
        acts = [a for a in activities if activity_day(a) <= until]
        days_logged = [activity_day(a) for a in acts]
        days_logged += [d.date for d in diary_entries if d.date <= until]
        if not days_logged:
            self.log_ = DailyLog(until, np.full((0, 10), np.nan), ["training history"])
            return self
        first = min(days_logged)
        n = (until - first).days + 1
        v = np.zeros((n, 10))
        v[:, 7:] = NO_SESSION
        runs = [a for a in acts if a.is_run and (a.distance_m or 0) > 0]
        # highest plausible heart rate in the log stands in for max HR (optical glitches above 220 dropped)
        hr_vals = [
            x
            for a in acts
            for x in (_num(getattr(a, "max_hr", None)), _num(getattr(a, "avg_hr", None)))
            if x is not None and 100 <= x <= 220
        ]
        n_hr_runs = sum(1 for a in runs if _num(getattr(a, "avg_hr", None)) is not None)
        hr_max = max(hr_vals) if hr_vals and n_hr_runs >= self.min_hr_sessions else None
        speeds = [a.distance_m / a.duration_s for a in runs if (a.duration_s or 0) > 0]
        median_speed = float(np.median(speeds)) if len(speeds) >= self.min_pace_runs else None
        per_day: dict[int, list[Any]] = {}
        for a, d in zip(acts, days_logged):
            per_day.setdefault((d - first).days, []).append(a)
        unknown = {"training success": True, "recovery": True, "perceived exertion": True, "intensity": True}
        for i, day_acts in per_day.items():
            row = v[i]
            row[0] = min(len(day_acts), 2)
            exertion, success, recovery = [], [], []
            zones_known = True
            for a in day_acts:
                extra = getattr(a, "extra", None) or {}
                sport = f"{getattr(a, 'sport', '')} {extra.get('sub_sport') or ''}".lower()
                if a.is_run:
                    km = (a.distance_m or 0.0) / 1000.0
                    row[1] += km
                    zone = self._zone(a, hr_max, median_speed)
                    if zone is None:
                        zones_known = zones_known and km == 0
                    elif zone == "z34":
                        row[2] += km
                    elif zone == "z5":
                        row[3] += km
                elif any(w in sport for w in STRENGTH_WORDS):
                    row[5] += 1
                else:
                    row[6] += (a.duration_s or 0.0) / 3600.0
                for key, bucket in (("rpe", exertion), ("training_success", success), ("recovery", recovery)):
                    raw = _num(getattr(a, "rpe", None)) if key == "rpe" else _num(extra.get(key))
                    if raw is not None and 0 <= raw <= 10:
                        bucket.append(raw / 10.0)
            if not zones_known:
                row[2:5] = np.nan
            elif row[1] > 0:
                unknown["intensity"] = False
            for col, bucket, name in (
                (7, exertion, "perceived exertion"),
                (8, success, "training success"),
                (9, recovery, "recovery"),
            ):
                row[col] = float(np.mean(bucket)) if bucket else np.nan
                if bucket:
                    unknown[name] = False
        if not v[:, 5].any():  # no strength session ever logged: "none done" or "none recorded"
            v[:, 5] = np.nan
            unknown["strength training"] = True
        self.log_ = DailyLog(first, v, [k for k, missing in unknown.items() if missing])
        return self

    def _zone(self, a: Any, hr_max: float | None, median_speed: float | None) -> str | None:
        hr = _num(getattr(a, "avg_hr", None))
        if hr_max is not None and hr is not None:
            share = hr / hr_max
            return "z5" if share >= self.z5_hr_share else "z34" if share >= self.z34_hr_share else "easy"
        if median_speed is not None and (a.duration_s or 0) > 0 and a.distance_m > 0:
            ratio = (a.distance_m / a.duration_s) / median_speed
            return (
                "z5" if ratio >= self.z5_speed_ratio else "z34" if ratio >= self.z34_speed_ratio else "easy"
            )
        return None


def window_and_history(log: DailyLog, as_of: date) -> tuple[np.ndarray, int, Series]:
    """The 7-day window ending on `as_of` (inclusive), the event day index, and the full daily history.

    The model scores the day after the window, exactly as the cohort's rows score the event day.
    Days of the window before the log starts are unknown (NaN)."""
    event = log.day_index(as_of) + 1
    window = np.full((7, 10), np.nan)
    for j in range(7):
        i = event - 7 + j
        if 0 <= i < len(log.values):
            window[j] = log.values[i]
    return window, event, log.as_series()
