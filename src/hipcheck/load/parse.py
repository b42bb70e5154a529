"""The per-item import step: read one item, decode it, enrich it. Pure and picklable, so the batch
executor can run it in worker processes. It never raises: a broken item comes back with a reason."""
from __future__ import annotations

from dataclasses import dataclass

from .csvfile import TrainingCsvParser
from .discover import content_hash, read_item_bytes
from .fit import FitDecoder
from .gpx import GpxParser
from .models import ActivityFileError, ImportItem, ParsedFile, canonical_sport
from .strava import activity_from_meta
from .tcx import TcxParser


@dataclass
class ParseOutcome:
    item: ImportItem
    parsed: ParsedFile | None = None
    error: str | None = None
    decoder: str = ""


def decode_bytes(data: bytes, source_format: str, name: str, use_fast_path: bool = True) -> ParsedFile:
    """Decode one file's bytes; raises ActivityFileError (and nothing else) when it cannot."""
    try:
        if source_format == "fit":
            return FitDecoder(use_fast_path=use_fast_path).decode(data, name)
        if source_format == "gpx":
            return GpxParser().parse(data, name)
        if source_format == "tcx":
            return TcxParser().parse(data, name)
        if source_format == "csv":
            return TrainingCsvParser().parse(data, name)
    except ActivityFileError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001 - a decoder bug must not escape as a traceback
        text = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
        raise ActivityFileError(f"{name}: could not decode ({type(exc).__name__}"
                                f"{': ' + text if text else ''})") from None
    raise ActivityFileError(f"{name}: unsupported format '{source_format}'")


def parse_item(item: ImportItem) -> ParseOutcome:
    """Read, decode and enrich one import item."""
    try:
        if item.source_format == "strava_row":
            missing = item.meta.get("missing_file")
            parsed = ParsedFile(name=item.name, source_format="strava",
                                activities=[activity_from_meta(item.meta, item.name)],
                                salvaged=bool(missing),
                                salvage_note=(f"file {missing} is not in the export; used the "
                                              "activities.csv summary") if missing else None)
            return ParseOutcome(item, parsed)
        data = read_item_bytes(item)
        try:
            parsed = decode_bytes(data, item.source_format, item.name)
        except ActivityFileError as exc:
            if not item.meta.get("row"):
                raise
            parsed = ParsedFile(name=item.name, source_format="strava",
                                activities=[activity_from_meta(item.meta, item.name)], salvaged=True,
                                salvage_note=f"{exc}; used the activities.csv summary instead")
        if item.source_format != "csv":
            for i, act in enumerate(parsed.activities):
                # the store keeps 64-character SHA-256 keys: hash the file hash and the index together
                act.content_hash = act.content_hash or (item.content_hash if i == 0 else
                                                        content_hash(f"{item.content_hash}:{i}".encode()))
        if item.meta:
            _enrich(parsed, item.meta)
        return ParseOutcome(item, parsed)
    except ActivityFileError as exc:
        return ParseOutcome(item, error=str(exc).removeprefix(item.name + ": "))


def _enrich(parsed: ParsedFile, meta: dict) -> None:
    """Strava's activities.csv knows the sport name the runner chose, the RPE, and full totals."""
    row = meta.get("row") or {}
    for act in parsed.activities:
        if meta.get("rpe") is not None:
            act.rpe = meta["rpe"]
        if meta.get("sport") and (act.sport in ("generic", "unknown", "other")
                                  or act.extra.get("sport_inferred")):
            act.sport = canonical_sport(meta["sport"])
            act.extra.pop("sport_inferred", None)
        if meta.get("strava_id"):
            act.extra["strava_id"] = meta["strava_id"]
        if parsed.salvaged and len(parsed.activities) == 1 and row.get("distance_m"):
            for key in ("distance_m", "moving_time_s", "duration_s", "elevation_gain_m"):
                if row.get(key) is not None:
                    setattr(act, key, row[key])
            act.extra["summary"] = "totals from Strava activities.csv (the file was cut short)"
