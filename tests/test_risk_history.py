"""A runner's own activities and diary become the model's daily values, with unknowns kept unknown."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest

from hipcheck.risk.data import NO_SESSION
from hipcheck.risk.history import HistoryMapper, activity_day, window_and_history


@dataclass
class Act:
    """The attributes the store's Activity rows carry."""

    start_time: datetime
    is_run: bool
    distance_m: float
    duration_s: float
    avg_hr: float | None = None
    max_hr: float | None = None
    rpe: float | None = None
    sport: str = "running"
    extra: dict = field(default_factory=dict)


@dataclass
class Pain:
    date: date
    pain_during: int | None = None
    pain_after: int | None = None
    pain_next_morning: int | None = None


START = date(2024, 3, 1)


def _at(day: int, hour: int = 7) -> datetime:
    d = START + timedelta(days=day)
    return datetime(d.year, d.month, d.day, hour, tzinfo=timezone.utc)


def _runs_with_hr() -> list[Act]:
    acts = [Act(_at(i), True, 10_000, 3000, avg_hr=140, max_hr=190) for i in range(0, 20, 2)]
    acts.append(Act(_at(20), True, 8_000, 2200, avg_hr=160, max_hr=185, rpe=7))  # 160/190 = 0.84: Z3-4
    acts.append(Act(_at(20, 18), True, 2_000, 500, avg_hr=175, rpe=9))  # 175/190 = 0.92: Z5
    acts.append(Act(_at(21), False, 0, 5400, sport="cycling"))
    acts.append(Act(_at(22), False, 0, 3600, sport="training", extra={"sub_sport": "strength_training"}))
    return acts


def test_daily_values_from_runs_heart_rate_and_rpe():
    log = HistoryMapper().map(_runs_with_hr(), [], START + timedelta(days=23)).log_
    assert log.first_day == START
    day20 = log.values[20]
    assert day20[0] == 2 and day20[1] == pytest.approx(10.0)
    assert day20[2] == pytest.approx(8.0) and day20[3] == pytest.approx(2.0)  # Z3-4 and Z5 km
    assert day20[4] == 0.0  # sprint: 0 when zones are known
    assert day20[7] == pytest.approx(0.8)  # mean RPE 8 / 10
    assert np.isnan(day20[8]) and np.isnan(day20[9])  # success and recovery never logged
    assert log.values[0][2] == 0.0  # 140/190: easy
    assert np.isnan(log.values[0][7])  # a run without RPE: exertion unknown
    assert log.values[1][0] == 0 and log.values[1][1] == 0 and log.values[1][7] == NO_SESSION  # rest day
    assert log.values[21][6] == pytest.approx(1.5) and log.values[21][1] == 0  # cycling hours
    assert log.values[22][5] == 1  # strength session
    assert "training success" in log.unknown_inputs and "recovery" in log.unknown_inputs
    assert "intensity" not in log.unknown_inputs and "perceived exertion" not in log.unknown_inputs


def test_zones_unknown_without_heart_rate_or_enough_runs_and_strength_unknown_if_never_logged():
    acts = [Act(_at(i), True, 10_000, 3000) for i in range(0, 6, 2)]
    log = HistoryMapper().map(acts, [], START + timedelta(days=6)).log_
    assert np.isnan(log.values[0][2:5]).all()
    assert log.values[1][2] == 0  # a rest day has no fast running, known
    assert np.isnan(log.values[:, 5]).all()
    assert {"intensity", "strength training", "perceived exertion"} <= set(log.unknown_inputs)


def test_zones_from_pace_against_the_runners_own_median():
    acts = [Act(_at(i), True, 10_000, 3000) for i in range(12)]  # 3.33 m/s
    acts.append(Act(_at(12), True, 5_000, 1250))  # 4.0 m/s = 1.2 x median: Z5
    acts.append(Act(_at(13), True, 5_000, 1400))  # 3.57 m/s = 1.07 x median: easy
    log = HistoryMapper().map(acts, [], START + timedelta(days=13)).log_
    assert log.values[12][3] == pytest.approx(5.0)
    assert log.values[13][2] == 0 and log.values[13][3] == 0


def test_local_day_uses_the_files_offset():
    late = Act(
        datetime(2024, 3, 1, 23, 30, tzinfo=timezone.utc), True, 5000, 1500, extra={"utc_offset_s": 3600}
    )
    assert activity_day(late) == date(2024, 3, 2)


def test_diary_starts_the_log_and_later_activities_are_ignored():
    acts = [Act(_at(5), True, 6000, 2000), Act(_at(30), True, 9000, 3000)]
    log = HistoryMapper().map(acts, [Pain(START, pain_after=2)], START + timedelta(days=10)).log_
    assert log.first_day == START and len(log.values) == 11
    assert log.values[:, 1].sum() == pytest.approx(6.0)


def test_window_is_the_seven_days_ending_on_the_as_of_date():
    log = HistoryMapper().map(_runs_with_hr(), [], START + timedelta(days=23)).log_
    window, event, hist = window_and_history(log, START + timedelta(days=20))
    assert event == 21  # the scored day is the day after the window
    np.testing.assert_array_equal(window[-1], log.values[20])
    np.testing.assert_array_equal(window[0], log.values[14])
    early, _, _ = window_and_history(log, START + timedelta(days=2))
    assert np.isnan(early[:4]).all()  # before the log starts: unknown, not rest
