"""Recognise one activity arriving from two sources (watch and Strava, FIT and CSV) by time and distance."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .models import ParsedActivity, local_day


@dataclass
class IndexedActivity:
    """What the matcher needs to know about a stored activity."""
    id: int
    start_time: datetime
    end_time: datetime
    day: date
    distance_m: float
    is_run: bool
    time_known: bool
    salvaged: bool


class ActivityMatcher:
    """Same activity when the sport class agrees, the distances agree within `distance_tolerance`
    (relative) or `distance_slack_m`, and the times overlap by at least `min_overlap` of the shorter one
    (or, when either side has only a date, they fall on the same day).

    Two devices recording one run differ by a few per cent in distance; separate runs of a day never
    overlap in time.
    """

    def __init__(self, distance_tolerance: float = 0.10, distance_slack_m: float = 200.0,
                 min_overlap: float = 0.5):
        self.distance_tolerance = distance_tolerance
        self.distance_slack_m = distance_slack_m
        self.min_overlap = min_overlap
        self._by_day: dict[date, list[IndexedActivity]] = {}

    def add(self, item: IndexedActivity) -> None:
        self._by_day.setdefault(item.day, []).append(item)

    def find(self, act: ParsedActivity) -> IndexedActivity | None:
        day = local_day(act.start_time, act.extra.get("utc_offset_s"))
        time_known = act.extra.get("time_known", True)
        for d in (day - timedelta(days=1), day, day + timedelta(days=1)):
            for cand in self._by_day.get(d, []):
                if self._same(act, day, time_known, cand):
                    return cand
        return None

    def _same(self, act: ParsedActivity, day: date, time_known: bool, cand: IndexedActivity) -> bool:
        if act.is_run != cand.is_run:
            return False
        a, b = act.distance_m or 0.0, cand.distance_m or 0.0
        if abs(a - b) > max(self.distance_tolerance * max(a, b), self.distance_slack_m):
            return False
        if not (time_known and cand.time_known):
            return day == cand.day
        start, end = act.start_time, act.end_time
        overlap = (min(end, cand.end_time) - max(start, cand.start_time)).total_seconds()
        shorter = min((end - start).total_seconds(), (cand.end_time - cand.start_time).total_seconds())
        if shorter <= 0:
            return abs((start - cand.start_time).total_seconds()) <= 60
        return overlap >= self.min_overlap * shorter
