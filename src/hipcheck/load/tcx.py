"""Garmin Training Center (TCX) files, parsed through defusedxml.

Distance is the sum of the laps' own DistanceMeters (the device's summary); the largest trackpoint
distance is used only when the laps carry none. The two differ by a few metres on real files.
"""
from __future__ import annotations

from .gpx import _float, parse_time
from .models import ActivityFileError, ParsedActivity, ParsedFile, canonical_sport, infer_sport
from .summary import RecordSummary
from .xmlsafe import child, children, local, parse_xml, text


def _bpm(el, name: str) -> float | None:
    holder = child(el, name)
    return _float(text(holder, "Value")) if holder is not None else None


class TcxParser:
    """Turn one TCX document into activities, one per <Activity>."""

    def parse(self, data: bytes, name: str) -> ParsedFile:
        root = parse_xml(data, name)
        if local(root.tag) != "TrainingCenterDatabase":
            raise ActivityFileError(f"{name}: not a TCX file (root element <{local(root.tag)}>)")
        holder = child(root, "Activities")
        activities = []
        for act in children(holder, "Activity") if holder is not None else []:
            parsed = self._activity(act)
            if parsed is not None:
                activities.append(parsed)
        if not activities:
            raise ActivityFileError(f"{name}: no dated activity in this TCX file")
        return ParsedFile(name=name, source_format="tcx", activities=activities)

    def _activity(self, act) -> ParsedActivity | None:
        laps = children(act, "Lap")
        points, lap_dist, lap_time, hr_avg_weighted, hr_max = [], 0.0, 0.0, 0.0, None
        lap_dist_known = False
        for lap in laps:
            dist, secs = _float(text(lap, "DistanceMeters")), _float(text(lap, "TotalTimeSeconds"))
            if dist is not None:
                lap_dist, lap_dist_known = lap_dist + dist, True
            if secs is not None:
                lap_time += secs
                avg = _bpm(lap, "AverageHeartRateBpm")
                hr_avg_weighted += (avg or 0.0) * secs
            mx = _bpm(lap, "MaximumHeartRateBpm")
            if mx is not None:
                hr_max = mx if hr_max is None else max(hr_max, mx)
            for track in children(lap, "Track"):
                for tp in children(track, "Trackpoint"):
                    pos = child(tp, "Position")
                    points.append({
                        "timestamp": parse_time(text(tp, "Time")),
                        "distance": _float(text(tp, "DistanceMeters")),
                        "lat": _float(text(pos, "LatitudeDegrees")) if pos is not None else None,
                        "lon": _float(text(pos, "LongitudeDegrees")) if pos is not None else None,
                        "altitude": _float(text(tp, "AltitudeMeters")),
                        "heart_rate": _bpm(tp, "HeartRateBpm")})
        summary = RecordSummary().run(points)
        start = parse_time(text(act, "Id")) or (parse_time(laps[0].get("StartTime")) if laps else None)
        start = start or summary.start_time_
        if start is None:
            return None
        distance = lap_dist if lap_dist_known else summary.distance_m_
        moving = lap_time or summary.moving_time_s_
        avg_hr = (hr_avg_weighted / lap_time) if lap_time and hr_avg_weighted else summary.avg_hr_
        sport_name = act.get("Sport")
        sport = canonical_sport(sport_name) if sport_name and sport_name != "Other" else (
            "other" if sport_name == "Other" else infer_sport(distance, moving))
        return ParsedActivity(
            start_time=start, sport=sport, distance_m=distance,
            duration_s=summary.elapsed_s_ if summary.elapsed_s_ else moving, moving_time_s=moving,
            elevation_gain_m=summary.elevation_gain_m_, avg_hr=avg_hr,
            max_hr=hr_max if hr_max is not None else summary.max_hr_)
