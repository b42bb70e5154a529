"""Import speed: `hipcheck load import` against a plain single-process fitdecode loop, same files, same run.

Builds a realistic ten-year history (about 3,000 runs) by re-timing the real running files in
../shared/data/activities/fit (their GPS, heart-rate, altitude and cadence records, shifted to new
dates and cut to varied lengths) into a temporary folder, then times:

  1. a plain loop that decodes every file with fitdecode in one process, and
  2. `hipcheck load import FOLDER --format json` with a fresh HIPCHECK_HOME (the real command path:
     discovery, hashing, parallel parsing, one transaction per file, merging checks).

Usage: python bench/import_speed.py [--files 3000] [--shared ../shared] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fitdecode

from hipcheck.load.fit import fast_path_available
from hipcheck.load.fit_encode import FitWriter, TrackPoint

REPO = Path(__file__).resolve().parent.parent
RUN_FILES = ("activity-small-fenix2-run.fit", "developer-types-sample.fit", "compressed-speed-distance.fit",
             "sample_mulitple_header.fit", "activity-large-fenxi2-multisport.fit")


def _seconds(value) -> float | None:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    return None


def _first(a, b):
    return a if a is not None else b


def run_templates(fit_dir: Path) -> list[list[TrackPoint]]:
    """Every running session in the sample files, as track points relative to the session start."""
    templates = []
    for name in RUN_FILES:
        sessions, records = [], []
        with fitdecode.FitReader(str(fit_dir / name), check_crc=fitdecode.CrcCheck.DISABLED) as reader:
            for frame in reader:
                if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                    continue
                if frame.name == "session" and frame.get_value("sport", fallback=None) == "running":
                    start = _seconds(frame.get_value("start_time", fallback=None))
                    length = frame.get_value("total_elapsed_time", fallback=None)
                    if start is not None and length:
                        sessions.append((start, start + float(length)))
                elif frame.name == "record":
                    records.append({k: frame.get_value(k, fallback=None) for k in (
                        "timestamp", "distance", "position_lat", "position_long", "enhanced_altitude",
                        "altitude", "heart_rate", "cadence", "enhanced_speed", "speed")})
        for start, end in sessions:
            points, dist0 = [], None
            for r in records:
                ts = _seconds(r["timestamp"])
                if ts is None or not start <= ts <= end:
                    continue
                dist = r["distance"]
                dist0 = dist if dist0 is None and dist is not None else dist0
                lat, lon = r["position_lat"], r["position_long"]
                points.append(TrackPoint(
                    offset_s=ts - start, distance_m=None if dist is None else dist - (dist0 or 0.0),
                    lat_deg=None if lat is None else lat * 180 / 2**31,
                    lon_deg=None if lon is None else lon * 180 / 2**31,
                    altitude_m=_first(r["enhanced_altitude"], r["altitude"]), heart_rate=r["heart_rate"],
                    cadence=r["cadence"] if isinstance(r["cadence"], int) else None,
                    speed_m_s=_first(r["enhanced_speed"], r["speed"])))
            if len(points) > 50:
                templates.append(points)
    return templates


def _climb(points: list[TrackPoint]) -> float | None:
    """Total ascent as a device writes it into the session (2 m hysteresis)."""
    alts = [p.altitude_m for p in points if p.altitude_m is not None]
    if not alts:
        return None
    gain, ref = 0.0, alts[0]
    for a in alts[1:]:
        if a >= ref + 2.0:
            gain, ref = gain + a - ref, a
        elif a < ref:
            ref = a
    return gain


def build_history(out: Path, templates: list[list[TrackPoint]], n_files: int) -> int:
    """Ten years of runs, six days a week, each a real run re-timed and cut to 55-100% of its length."""
    day = datetime(2015, 1, 5, tzinfo=timezone.utc)
    written = 0
    while written < n_files:
        day += timedelta(days=1)
        if day.weekday() == 0:  # Monday rest
            continue
        tpl = templates[written % len(templates)]
        keep = max(50, int(len(tpl) * (0.55 + 0.45 * ((written * 37) % 100) / 100)))
        start = day + timedelta(hours=6 + (written * 7) % 12, minutes=(written * 13) % 60)
        folder = out / str(start.year)
        folder.mkdir(parents=True, exist_ok=True)
        points = tpl[:keep]
        data = FitWriter(utc_offset_s=3600).encode(start, points, elevation_gain_m=_climb(points))
        (folder / f"{start:%Y-%m-%d-%H%M}.fit").write_bytes(data)
        written += 1
    return written


def fitdecode_loop(files: list[Path]) -> tuple[float, int]:
    t0 = time.perf_counter()
    records = 0
    for path in files:
        with fitdecode.FitReader(str(path)) as reader:
            for frame in reader:
                if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "record":
                    records += 1
    return time.perf_counter() - t0, records


def hipcheck_cmd() -> list[str]:
    script = Path(sys.executable).parent / "hipcheck"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hipcheck.cli"]


def hipcheck_import(folder: Path, home: Path) -> tuple[float, dict]:
    env = {**os.environ, "HIPCHECK_HOME": str(home)}
    env.pop("HIPCHECK_DATABASE_URL", None)
    subprocess.run([*hipcheck_cmd(), "athlete", "add", "bench"], env=env, check=True, capture_output=True)
    t0 = time.perf_counter()
    done = subprocess.run([*hipcheck_cmd(), "load", "import", str(folder), "--format", "json"], env=env,
                          check=True, capture_output=True, text=True)
    return time.perf_counter() - t0, json.loads(done.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=3000)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--keep", type=Path, help="build the history here and keep it")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hipcheck-bench-"))
    history = args.keep or work / "history"
    try:
        t0 = time.perf_counter()
        templates = run_templates(args.shared / "data" / "activities" / "fit")
        n = build_history(history, templates, args.files)
        files = sorted(history.rglob("*.fit"))
        size_mb = sum(p.stat().st_size for p in files) / 2**20
        print(f"history: {n} FIT files from {len(templates)} real runs, {size_mb:.0f} MiB, "
              f"{files[0].stem[:10]} to {files[-1].stem[:10]} (built in {time.perf_counter() - t0:.1f} s)")
        print(f"cpus: {os.cpu_count()} (affinity {len(os.sched_getaffinity(0))}); "
              f"fast FIT path (fitfast): {'yes' if fast_path_available() else 'no'}")
        base_s, records = fitdecode_loop(files)
        print(f"fitdecode loop, 1 process : {base_s:8.1f} s  ({records} records, {n / base_s:.0f} files/s)")
        ours_s, summary = hipcheck_import(history, work / "home")
        print(f"hipcheck load import      : {ours_s:8.1f} s  ({n / ours_s:.0f} files/s; "
              f"imported {summary['imported']}, failed {len(summary['failed'])})")
        print(f"speed-up                  : {base_s / ours_s:8.1f} x  (target >= 3x and < 60 s)")
        if summary["imported"] != n:
            sys.exit(f"expected {n} imported files, got {summary}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
