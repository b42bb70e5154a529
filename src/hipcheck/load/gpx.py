"""GPX tracks (GPX 1.0/1.1, Garmin TrackPointExtension heart rate), parsed through defusedxml."""
from __future__ import annotations

from datetime import datetime

from .models import ActivityFileError, ParsedActivity, ParsedFile, canonical_sport, infer_sport, utc
from .summary import RecordSummary
from .xmlsafe import children, local, parse_xml, text


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return utc(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _hr(point) -> float | None:
    for el in point.iter():
        if local(el.tag) in ("hr", "heartrate") and el.text:
            return _float(el.text.strip())
    return None


class GpxParser:
    """Turn one GPX document into activities, one per track (routes and waypoints are not activities)."""

    def parse(self, data: bytes, name: str) -> ParsedFile:
        root = parse_xml(data, name)
        if local(root.tag) != "gpx":
            raise ActivityFileError(f"{name}: not a GPX file (root element <{local(root.tag)}>)")
        activities, undated = [], 0
        for trk in children(root, "trk"):
            points = []
            for seg in children(trk, "trkseg"):
                for pt in children(seg, "trkpt"):
                    points.append({"timestamp": parse_time(text(pt, "time")),
                                   "lat": _float(pt.get("lat")), "lon": _float(pt.get("lon")),
                                   "altitude": _float(text(pt, "ele")), "heart_rate": _hr(pt)})
            if not points:
                continue
            summary = RecordSummary().run(points)
            if summary.start_time_ is None:
                undated += 1
                continue
            sport_name = text(trk, "type")
            sport = canonical_sport(sport_name) if sport_name else infer_sport(
                summary.distance_m_, summary.moving_time_s_ or summary.elapsed_s_)
            extra = {} if sport_name else {"sport_inferred": "from average speed (the file names no sport)"}
            activities.append(ParsedActivity(
                start_time=summary.start_time_, sport=sport, distance_m=summary.distance_m_,
                duration_s=summary.elapsed_s_, moving_time_s=summary.moving_time_s_,
                elevation_gain_m=summary.elevation_gain_m_, avg_hr=summary.avg_hr_,
                max_hr=summary.max_hr_, extra=extra))
        if not activities:
            why = ("its track points have no timestamps, so the activity cannot be dated" if undated
                   else "it holds no track points")
            raise ActivityFileError(f"{name}: no activity to import, {why}")
        return ParsedFile(name=name, source_format="gpx", activities=activities)
