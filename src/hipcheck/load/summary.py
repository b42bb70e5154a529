"""Summarise a stream of track points (FIT records, GPX or TCX points) into one activity's totals."""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

FIT_EPOCH = datetime(1989, 12, 31, tzinfo=timezone.utc)


def _ts(value) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return FIT_EPOCH + timedelta(seconds=float(value))
    return None


def _num(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


class RecordSummary:
    """Totals from track points: each point a dict with any of `timestamp`, `distance` (cumulative m),
    `lat`/`lon` (degrees, used when there is no distance), `enhanced_altitude`/`altitude` (m),
    `heart_rate` (bpm).

    Parameters: `climb_hysteresis_m` ignores altitude wiggles smaller than this (GPS and barometer
    noise would otherwise add up to phantom climbing); `max_gap_s` is the longest pause between two
    points that still counts as moving time.
    """

    def __init__(self, climb_hysteresis_m: float = 2.0, max_gap_s: float = 10.0):
        self.climb_hysteresis_m = climb_hysteresis_m
        self.max_gap_s = max_gap_s
        self.start_time_: datetime | None = None
        self.elapsed_s_: float | None = None
        self.moving_time_s_: float | None = None
        self.distance_m_: float | None = None
        self.elevation_gain_m_: float | None = None
        self.avg_hr_: float | None = None
        self.max_hr_: float | None = None
        self.n_points_: int = 0

    def run(self, points: list[dict]) -> RecordSummary:
        times: list[datetime] = []
        dists: list[float | None] = []
        alts: list[float] = []
        hrs: list[float] = []
        last_pos = None
        track_m = 0.0
        has_track = False
        for p in points:
            ts = _ts(p.get("timestamp"))
            dist = _num(p.get("distance"))
            lat, lon = _num(p.get("lat")), _num(p.get("lon"))
            if dist is None and lat is not None and lon is not None:
                if last_pos is not None:
                    track_m += haversine_m(last_pos[0], last_pos[1], lat, lon)
                last_pos = (lat, lon)
                dist, has_track = track_m, True
            if ts is not None:
                times.append(ts)
                dists.append(dist)
            alt = _num(p.get("enhanced_altitude"))
            alt = alt if alt is not None else _num(p.get("altitude"))
            if alt is not None:
                alts.append(alt)
            hr = _num(p.get("heart_rate"))
            if hr is not None and 20 <= hr <= 250:
                hrs.append(hr)
        self.n_points_ = len(points)
        known = [d for d in dists if d is not None]
        if known:
            self.distance_m_ = max(known)
        elif has_track:
            self.distance_m_ = track_m
        if times:
            self.start_time_ = min(times)
            self.elapsed_s_ = (max(times) - self.start_time_).total_seconds()
            self.moving_time_s_ = self._moving(times, dists)
        if alts:
            self.elevation_gain_m_ = self._climb(alts)
        if hrs:
            self.avg_hr_ = sum(hrs) / len(hrs)
            self.max_hr_ = max(hrs)
        return self

    def _moving(self, times: list[datetime], dists: list[float | None]) -> float:
        total = 0.0
        for i in range(1, len(times)):
            gap = (times[i] - times[i - 1]).total_seconds()
            if not 0 < gap <= self.max_gap_s:
                continue
            d0, d1 = dists[i - 1], dists[i]
            if d0 is None or d1 is None or d1 > d0:
                total += gap
        return total

    def _climb(self, alts: list[float]) -> float:
        gain, ref = 0.0, alts[0]
        for a in alts[1:]:
            if a >= ref + self.climb_hysteresis_m:
                gain += a - ref
                ref = a
            elif a < ref:
                ref = a
        return gain
