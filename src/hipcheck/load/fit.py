"""FIT files: a Rust-backed fast path (fitfast) when it is installed, fitdecode otherwise and on any error.

fitfast decodes a sound file in a few milliseconds but is all-or-nothing; fitdecode streams, ignores a
bad CRC and keeps every record decoded before a break, which is how truncated files are salvaged.
"""
from __future__ import annotations

import io
import warnings
from datetime import datetime, timedelta, timezone

from .models import ActivityFileError, ParsedActivity, ParsedFile, infer_sport, utc
from .summary import RecordSummary

FIT_EPOCH = datetime(1989, 12, 31, tzinfo=timezone.utc)
# FIT date_time values below 0x10000000 count seconds since the device powered on, not a real date.
RELATIVE_CLOCK_LIMIT = FIT_EPOCH + timedelta(seconds=0x10000000)
SKIPPED_SPORTS = {"transition"}
WANTED = ("session", "record", "activity", "sport", "file_id")
SESSION_FIELDS = ("total_distance", "total_elapsed_time", "total_timer_time", "total_ascent",
                  "avg_heart_rate", "max_heart_rate")
RECORD_FIELDS = ("timestamp", "distance", "enhanced_altitude", "altitude", "heart_rate",
                 "enhanced_speed", "speed")

try:  # optional fast path
    import fitfast as _fitfast
except Exception:  # pragma: no cover - depends on the platform's wheels
    _fitfast = None


def fast_path_available() -> bool:
    return _fitfast is not None


def _as_dt(value) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo is timezone.utc else utc(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return FIT_EPOCH + timedelta(seconds=float(value))
    return None


def _num(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if out == out else None  # NaN is missing


class FitMessages:
    """The few FIT messages an activity summary needs, however they were decoded."""

    def __init__(self) -> None:
        self.by_kind: dict[str, list[dict]] = {k: [] for k in WANTED}
        self.broken: str | None = None  # why decoding stopped early, when it did
        self.decoder = ""


class FitDecoder:
    """Decode FIT bytes into a `ParsedFile`.

    Parameters: `use_fast_path` tries fitfast first. Results: `decoder_` names the decoder that
    produced the activities ("fitfast" or "fitdecode").
    """

    def __init__(self, use_fast_path: bool = True):
        self.use_fast_path = use_fast_path
        self.decoder_: str = ""

    def decode(self, data: bytes, name: str) -> ParsedFile:
        if len(data) < 12:
            raise ActivityFileError(f"{name}: too short to be a FIT file ({len(data)} bytes)")
        msgs = None
        if self.use_fast_path and _fitfast is not None:
            msgs = _decode_fitfast(data)
        if msgs is None:
            msgs = _decode_fitdecode(data, name)
        self.decoder_ = msgs.decoder
        activities = _activities(msgs, name)
        if not activities:
            if msgs.broken:
                raise ActivityFileError(f"{name}: broken before any activity data ({msgs.broken})")
            kinds = msgs.by_kind["file_id"][:1]
            kind = kinds[0].get("type") if kinds else None
            what = f"a FIT '{kind}' file" if kind and kind != "activity" else "a FIT file"
            raise ActivityFileError(f"{name}: {what} with no activity in it")
        return ParsedFile(name=name, source_format="fit", activities=activities,
                          salvaged=msgs.broken is not None,
                          salvage_note=(f"kept what was decoded before the break: {msgs.broken}"
                                        if msgs.broken else None))


def _decode_fitfast(data: bytes) -> FitMessages | None:
    try:
        parsed = _fitfast.parse(data, enum_names=True, datetimes=True)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - any failure (even a Rust panic) falls back to fitdecode
        return None
    msgs = FitMessages()
    msgs.decoder = "fitfast"
    for kind in WANTED:  # records stay as decoded: they are only read when a session lacks a total
        msgs.by_kind[kind] = parsed.get(kind) or []
    return msgs


def _decode_fitdecode(data: bytes, name: str) -> FitMessages:
    msgs = FitMessages()
    msgs.decoder = "fitdecode"
    try:
        with warnings.catch_warnings():  # quirks such as COROS field sizes are tolerated, not printed
            warnings.simplefilter("ignore")
            _read_fitdecode(data, msgs)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001 - fitdecode raises many types, even a bare AssertionError
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        msgs.broken = f"{type(exc).__name__}{': ' + text[:120] if text else ''}"
    return msgs


def _read_fitdecode(data: bytes, msgs: FitMessages) -> None:
    """Collect the wanted messages; what was read before an exception stays in `msgs`."""
    import fitdecode

    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.DISABLED,
                             keep_raw_chunks=False) as reader:
        for frame in reader:
            if frame.frame_type != fitdecode.FIT_FRAME_DATA or frame.name not in msgs.by_kind:
                continue
            if frame.name == "record":
                row = {k: frame.get_value(k, fallback=None) for k in RECORD_FIELDS}
            else:
                row = {f.name: f.value for f in frame.fields}
            msgs.by_kind[frame.name].append(row)


def _utc_offset_s(msgs: FitMessages) -> tuple[float | None, timedelta | None]:
    """The file's UTC offset, and a shift that dates a relative-clock file from its local time."""
    for act in msgs.by_kind["activity"]:
        ts, local = _as_dt(act.get("timestamp")), _as_dt(act.get("local_timestamp"))
        if ts is None or local is None:
            continue
        if ts < RELATIVE_CLOCK_LIMIT <= local:
            return 0.0, local - ts  # the offset itself is unknown: local time is taken as UTC
        offset = round((local - ts).total_seconds() / 900.0) * 900.0
        if abs(offset) <= 14 * 3600:
            return offset, None
    return None, None


def _activities(msgs: FitMessages, name: str) -> list[ParsedActivity]:
    offset, shift = _utc_offset_s(msgs)
    records = msgs.by_kind["record"]
    sport_msgs = msgs.by_kind["sport"]
    default_sport = str(sport_msgs[0].get("sport") or "generic") if sport_msgs else "generic"
    out: list[ParsedActivity] = []
    seen: set[tuple] = set()
    sessions = msgs.by_kind["session"]
    for sess in sessions:
        sport = str(sess.get("sport") if sess.get("sport") is not None else default_sport)
        start = _as_dt(sess.get("start_time")) or _as_dt(sess.get("timestamp"))
        if sport in SKIPPED_SPORTS or start is None:
            continue
        elapsed = _num(sess.get("total_elapsed_time"))
        summary = RecordSummary()
        if any(sess.get(k) is None for k in SESSION_FIELDS):  # fill gaps from the session's records
            summary.run(_slice(records, start, elapsed))
        act = ParsedActivity(
            start_time=start, sport=sport,
            distance_m=_first(_num(sess.get("total_distance")), summary.distance_m_),
            duration_s=_first(elapsed, summary.elapsed_s_),
            moving_time_s=_first(_num(sess.get("total_timer_time")), summary.moving_time_s_),
            elevation_gain_m=_first(_num(sess.get("total_ascent")), summary.elevation_gain_m_),
            avg_hr=_first(_num(sess.get("avg_heart_rate")), summary.avg_hr_),
            max_hr=_first(_num(sess.get("max_heart_rate")), summary.max_hr_),
            extra={"sub_sport": str(sess["sub_sport"]) if sess.get("sub_sport") is not None else None},
        )
        key = (act.start_time, act.sport, round(act.distance_m or 0.0))
        if key not in seen:  # chained copies of one session count once
            seen.add(key)
            out.append(act)
    if not out and records:
        summary = RecordSummary().run(records)
        if summary.start_time_ is not None and (summary.elapsed_s_ or 0) > 0:
            sub = sport_msgs[0].get("sub_sport") if sport_msgs else None
            sport = default_sport if sport_msgs else infer_sport(
                summary.distance_m_, summary.moving_time_s_ or summary.elapsed_s_)
            out.append(ParsedActivity(
                start_time=summary.start_time_, sport=sport,
                distance_m=summary.distance_m_, duration_s=summary.elapsed_s_,
                moving_time_s=summary.moving_time_s_, elevation_gain_m=summary.elevation_gain_m_,
                avg_hr=summary.avg_hr_, max_hr=summary.max_hr_,
                extra={"sub_sport": str(sub) if sub is not None else None,
                       "summary": "rebuilt from records (the file has no session summary)",
                       "sport_inferred": None if sport_msgs
                       else "from average speed (no sport in the file)"}))
    for act in out:
        if shift is not None:
            act.start_time = act.start_time + shift
            act.extra["clock"] = "device clock was not set; dated from the file's local time"
        if offset is not None:
            act.extra["utc_offset_s"] = offset
        act.extra = {k: v for k, v in act.extra.items() if v is not None}
    return out


def _slice(records: list[dict], start: datetime, elapsed_s: float | None) -> list[dict]:
    if elapsed_s is None:
        return []
    end = start + timedelta(seconds=elapsed_s + 1)
    out = []
    for rec in records:
        ts = _as_dt(rec.get("timestamp"))
        if ts is not None and start <= ts <= end:
            out.append(rec)
    return out


def _first(*values):
    for v in values:
        if v is not None:
            return v
    return None
