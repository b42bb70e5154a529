"""A small FIT encoder for activity files: file_id, records, one session and the activity message.

Used to build test fixtures and the import benchmark (real runs re-timed into a ten-year history).
Any FIT decoder reads its output; the tests check that with fitdecode.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime, timezone

FIT_EPOCH_S = 631065600  # 1989-12-31T00:00:00Z in Unix seconds
_CRC_TABLE = (0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
              0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400)
SPORTS = {"generic": 0, "running": 1, "cycling": 2, "transition": 3, "swimming": 5, "walking": 11}

# (field number, FIT base type, struct code, scale, offset)
_RECORD = (("timestamp", 253, 0x86, "I", 1, 0), ("position_lat", 0, 0x85, "i", 1, 0),
           ("position_long", 1, 0x85, "i", 1, 0), ("altitude", 2, 0x84, "H", 5, 500),
           ("heart_rate", 3, 0x02, "B", 1, 0), ("cadence", 4, 0x02, "B", 1, 0),
           ("distance", 5, 0x86, "I", 100, 0), ("speed", 6, 0x84, "H", 1000, 0))
_SESSION = (("timestamp", 253, 0x86, "I", 1, 0), ("start_time", 2, 0x86, "I", 1, 0),
            ("sport", 5, 0x00, "B", 1, 0), ("total_elapsed_time", 7, 0x86, "I", 1000, 0),
            ("total_timer_time", 8, 0x86, "I", 1000, 0), ("total_distance", 9, 0x86, "I", 100, 0),
            ("total_ascent", 22, 0x84, "H", 1, 0), ("avg_heart_rate", 16, 0x02, "B", 1, 0),
            ("max_heart_rate", 17, 0x02, "B", 1, 0))
_ACTIVITY = (("timestamp", 253, 0x86, "I", 1, 0), ("total_timer_time", 0, 0x86, "I", 1000, 0),
             ("num_sessions", 1, 0x84, "H", 1, 0), ("type", 2, 0x00, "B", 1, 0),
             ("event", 3, 0x00, "B", 1, 0), ("event_type", 4, 0x00, "B", 1, 0),
             ("local_timestamp", 5, 0x86, "I", 1, 0))
_FILE_ID = (("type", 0, 0x00, "B", 1, 0), ("manufacturer", 1, 0x84, "H", 1, 0),
            ("product", 2, 0x84, "H", 1, 0), ("time_created", 4, 0x86, "I", 1, 0))
_INVALID = {"B": 0xFF, "H": 0xFFFF, "I": 0xFFFFFFFF, "i": 0x7FFFFFFF}
_SEMICIRCLES_PER_DEG = 2**31 / 180.0


def crc16(data: bytes, crc: int = 0) -> int:
    for byte in data:
        tmp = _CRC_TABLE[crc & 0xF]
        crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_TABLE[byte & 0xF]
        tmp = _CRC_TABLE[crc & 0xF]
        crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_TABLE[(byte >> 4) & 0xF]
    return crc


def fit_time(dt: datetime) -> int:
    return int(dt.astimezone(timezone.utc).timestamp()) - FIT_EPOCH_S


@dataclass
class TrackPoint:
    """One record: seconds from the start, and whatever the device measured."""
    offset_s: float
    distance_m: float | None = None
    lat_deg: float | None = None
    lon_deg: float | None = None
    altitude_m: float | None = None
    heart_rate: int | None = None
    cadence: int | None = None
    speed_m_s: float | None = None


class FitWriter:
    """Encode one activity. Parameters: `sport`, `utc_offset_s` (for local_timestamp).
    `encode(start, points, ...)` returns the file's bytes."""

    def __init__(self, sport: str = "running", utc_offset_s: int = 0):
        self.sport = sport
        self.utc_offset_s = utc_offset_s

    def encode(self, start: datetime, points: list[TrackPoint],
               elevation_gain_m: float | None = None) -> bytes:
        t0 = fit_time(start)
        body = bytearray()
        body += self._definition(0, 0, _FILE_ID)
        body += self._data(0, _FILE_ID, {"type": 4, "manufacturer": 255, "product": 1, "time_created": t0})
        body += self._definition(1, 20, _RECORD)
        for p in points:
            body += self._data(1, _RECORD, {
                "timestamp": t0 + int(p.offset_s), "distance": p.distance_m, "altitude": p.altitude_m,
                "position_lat": None if p.lat_deg is None else int(p.lat_deg * _SEMICIRCLES_PER_DEG),
                "position_long": None if p.lon_deg is None else int(p.lon_deg * _SEMICIRCLES_PER_DEG),
                "heart_rate": p.heart_rate, "cadence": p.cadence, "speed": p.speed_m_s})
        elapsed = points[-1].offset_s if points else 0.0
        dists = [p.distance_m for p in points if p.distance_m is not None]
        hrs = [p.heart_rate for p in points if p.heart_rate]
        end = t0 + int(elapsed)
        body += self._definition(2, 18, _SESSION)
        body += self._data(2, _SESSION, {
            "timestamp": end, "start_time": t0, "sport": SPORTS.get(self.sport, 0),
            "total_elapsed_time": elapsed, "total_timer_time": elapsed,
            "total_distance": max(dists) if dists else None,
            "total_ascent": None if elevation_gain_m is None else round(elevation_gain_m),
            "avg_heart_rate": round(sum(hrs) / len(hrs)) if hrs else None,
            "max_heart_rate": max(hrs) if hrs else None})
        body += self._definition(3, 34, _ACTIVITY)
        body += self._data(3, _ACTIVITY, {"timestamp": end, "total_timer_time": elapsed, "num_sessions": 1,
                                          "type": 0, "event": 26, "event_type": 1,
                                          "local_timestamp": end + self.utc_offset_s})
        header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
        header += struct.pack("<H", crc16(header))
        data = header + bytes(body)
        return data + struct.pack("<H", crc16(data))

    @staticmethod
    def _definition(local: int, global_num: int, fields: tuple) -> bytes:
        out = struct.pack("<BBBHB", 0x40 | local, 0, 0, global_num, len(fields))
        for _name, num, base, code, _scale, _offset in fields:
            out += struct.pack("<BBB", num, struct.calcsize(code), base)
        return out

    @staticmethod
    def _data(local: int, fields: tuple, values: dict) -> bytes:
        out = bytearray([local])
        for name, _num, _base, code, scale, offset in fields:
            value = values.get(name)
            if value is None:
                raw = _INVALID[code]
            else:
                raw = int(round((value + offset) * scale))
                limit = _INVALID[code]
                raw = max(-limit if code == "i" else 0, min(raw, limit - 1))
            out += struct.pack("<" + code, raw)
        return bytes(out)
