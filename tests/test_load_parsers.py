"""File decoders on the real sample files: fast path and fallback agree, truncated files are salvaged,
XML goes through defusedxml, and a bounded fuzz run shows only the importer's own error escapes."""
from __future__ import annotations

import gzip
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipcheck.load import fit as fitmod
from hipcheck.load.fit import FitDecoder
from hipcheck.load.models import ActivityFileError, ImportItem
from hipcheck.load.parse import decode_bytes, parse_item
from test_load_support import ACTIVITIES, fit_run


def _read(shared_dir, rel: str) -> bytes:
    return (shared_dir / ACTIVITIES / rel).read_bytes()


def test_fast_path_and_fitdecode_agree_on_a_real_run(shared_dir):
    data = _read(shared_dir, "fit/activity-small-fenix2-run.fit")
    slow_dec = FitDecoder(use_fast_path=False)
    slow = slow_dec.decode(data, "fenix").activities[0]
    assert slow_dec.decoder_ == "fitdecode"
    assert slow.distance_m == pytest.approx(9008.22) and slow.moving_time_s == pytest.approx(2832.0)
    assert slow.start_time == datetime(2015, 8, 15, 14, 45, 8, tzinfo=timezone.utc)
    if not fitmod.fast_path_available():
        pytest.skip("fitfast is not installed here; fitdecode alone is used")
    fast_dec = FitDecoder()
    fast = fast_dec.decode(data, "fenix").activities[0]
    assert fast_dec.decoder_ == "fitfast"
    assert (fast.start_time, fast.sport) == (slow.start_time, slow.sport)
    for attr in ("distance_m", "moving_time_s", "elevation_gain_m", "avg_hr", "max_hr"):
        assert getattr(fast, attr) == pytest.approx(getattr(slow, attr)), attr


def test_broken_files_fall_back_and_salvage(shared_dir):
    dec = FitDecoder()
    parsed = dec.decode(_read(shared_dir, "fit/strava-android-app-201.10-b1218918.fit"), "strava")
    assert dec.decoder_ == "fitdecode" and parsed.salvaged and "local message 11" in parsed.salvage_note
    assert parsed.activities[0].is_run and parsed.activities[0].distance_m == pytest.approx(11274.04)
    roam = dec.decode(_read(shared_dir, "fit/ELEMNT_ROAM_Unterminated.fit"), "roam")
    assert roam.salvaged and roam.activities[0].sport == "cycling"
    assert "rebuilt from records" in roam.activities[0].extra["summary"]
    crc = dec.decode(_read(shared_dir, "fit/activity-filecrc.fit"), "crc")  # bad CRC: data still read
    assert not crc.salvaged and crc.activities[0].distance_m == pytest.approx(5.73)


def test_multisport_keeps_each_sport_and_drops_transitions(shared_dir):
    parsed = FitDecoder().decode(_read(shared_dir, "fit/sample_mulitple_header.fit"), "tri")
    assert [a.sport for a in parsed.activities] == ["swimming", "cycling", "running"]
    assert [a.is_run for a in parsed.activities] == [False, False, True]


def test_relative_device_clock_is_dated_from_local_time(shared_dir):
    (act,) = FitDecoder().decode(_read(shared_dir, "fit/compressed-speed-distance.fit"), "fr70").activities
    assert act.start_time.year == 2012 and act.is_run and act.distance_m == pytest.approx(10248.67)


def test_tcx_and_gpx_values(shared_dir):
    tcx = decode_bytes(_read(shared_dir, "tcx/python-tcxparser-test.tcx"), "tcx", "t").activities[0]
    assert tcx.is_run and tcx.distance_m == pytest.approx(4689.24, abs=0.1) and 150 < tcx.avg_hr < 170
    ski = decode_bytes(_read(shared_dir, "tcx/tcxreader-cross-country-skiing_activity_1.tcx"), "tcx", "s")
    assert not ski.activities[0].is_run
    gpx = decode_bytes(_read(shared_dir, "gpx/gpxpy-garmin_gpxtpx.gpx"), "gpx", "g").activities[0]
    assert gpx.sport == "cycling" and gpx.max_hr == 113
    with pytest.raises(ActivityFileError, match="no timestamps|no track points"):
        decode_bytes(_read(shared_dir, "gpx/gpxpy-unicode_with_bom.gpx"), "gpx", "bom")


def test_external_entities_are_refused():
    xxe = (b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b"<gpx><trk><name>&x;</name></trk></gpx>")
    with pytest.raises(ActivityFileError, match="refused"):
        decode_bytes(xxe, "gpx", "xxe.gpx")


def test_gzip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.fit.gz"
    path.write_bytes(gzip.compress(b"\0" * (80 * 2**20)))
    out = parse_item(ImportItem(name=str(path), source_format="fit", path=str(path), gzipped=True))
    assert out.parsed is None and "refused" in out.error


SEEDS: dict[str, bytes] = {}


def _seed(kind: str, shared_dir) -> bytes:
    if kind not in SEEDS:
        SEEDS["fit"] = fit_run(datetime(2024, 1, 1, 7, tzinfo=timezone.utc), 0.4)
        SEEDS["gpx"] = _read(shared_dir, "gpx/gpxpy-garmin_gpxtpx.gpx")
        closing = b"</Track></Lap></Activity></Activities></TrainingCenterDatabase>"
        SEEDS["tcx"] = _read(shared_dir, "tcx/python-tcxparser-test.tcx")[:6000] + closing
    return SEEDS[kind]


mutation = st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
                    min_size=1, max_size=12)


@pytest.mark.parametrize("kind", ["fit", "gpx", "tcx"])
@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=mutation, cut=st.floats(0.05, 1.0))
def test_fuzzed_bytes_raise_only_the_importers_error(shared_dir, kind, edits, cut):
    data = bytearray(_seed(kind, shared_dir))
    for where, value in edits:
        data[int(where * len(data))] = value
    data = bytes(data[: max(1, int(len(data) * cut))])
    try:
        parsed = decode_bytes(data, kind, f"fuzz.{kind}")
    except ActivityFileError as exc:
        assert str(exc).startswith(f"fuzz.{kind}: ") and "\n" not in str(exc)
    else:
        assert parsed.activities
