"""Causal features: a row depends only on its window and the athlete's log before the last 4 weeks."""

from __future__ import annotations

import numpy as np
import pytest

from hipcheck.risk.baseline import ExpandingBaseline, Series, daily_history
from hipcheck.risk.data import NO_SESSION, Cohort
from hipcheck.risk.features import DayFeatureBuilder, WeekFeatureBuilder, _monotony
from hipcheck.risk.missing import mask_daily


def _daily_log(n_days: int, seed: int) -> np.ndarray:
    """A plausible daily log: sessions, km, zones, sprint, strength, alt hours, 3 perceived scores."""
    rng = np.random.RandomState(seed)
    v = np.zeros((n_days, 10))
    session = rng.rand(n_days) < 0.8
    v[:, 0] = session * rng.choice([1, 2], n_days, p=[0.8, 0.2])
    v[:, 1] = session * np.round(rng.gamma(3, 4, n_days), 1)
    v[:, 2] = np.round(v[:, 1] * rng.rand(n_days) * 0.3, 1)
    v[:, 3] = np.round(v[:, 1] * rng.rand(n_days) * 0.1, 1)
    v[:, 4] = np.round(v[:, 1] * rng.rand(n_days) * 0.02, 1)
    v[:, 5] = session * (rng.rand(n_days) < 0.15)
    v[:, 6] = np.round(session * (rng.rand(n_days) < 0.1) * rng.rand(n_days), 2)
    for c in (7, 8, 9):
        v[:, c] = np.where(session, np.round(rng.rand(n_days), 2), NO_SESSION)
    return v


def _cohort(
    logs: dict[int, np.ndarray], event_days: dict[int, list[int]], injuries: set[tuple[int, int]]
) -> Cohort:
    """Day-approach rows cut from daily logs the way the Lövdal file is laid out (slot 0 = oldest day)."""
    windows, athletes, dates, labels = [], [], [], []
    for a, days in event_days.items():
        for t in days:
            windows.append(logs[a][t - 7 : t])
            athletes.append(a)
            dates.append(t)
            labels.append(int((a, t) in injuries))
    return Cohort(
        "day", np.array(windows), np.array(athletes), np.array(dates), np.array(labels), "synthetic"
    )


@pytest.fixture
def cohort() -> Cohort:
    logs = {0: _daily_log(200, 1), 1: _daily_log(200, 2)}
    # athlete 0: daily rows with an injury on day 150 and the 21-day gaps around it, as in the data set
    days0 = [t for t in range(7, 200) if not (129 <= t <= 171) or t == 150]
    days1 = list(range(7, 200))
    return _cohort(logs, {0: days0, 1: days1}, {(0, 150)})


def _features(c: Cohort) -> tuple[np.ndarray, list[str]]:
    fm = DayFeatureBuilder().build_cohort(c)
    return fm.X, fm.names


def _row(c: Cohort, athlete: int, day: int) -> int:
    return int(np.flatnonzero((c.athlete == athlete) & (c.date == day))[0])


def test_window_features_read_the_window_in_time_order(cohort):
    X, names = _features(cohort)
    i = _row(cohort, 1, 120)
    km = cohort.windows[i, :, 1]
    assert X[i, names.index("km_d1")] == km[-1]  # d1 = the day before the event
    assert X[i, names.index("km_d7")] == km[0]
    assert X[i, names.index("km_7d")] == pytest.approx(km.sum())
    assert X[i, names.index("km_last3")] == pytest.approx(km[-3:].sum())
    assert X[i, names.index("rest_days_7d")] == (cohort.windows[i, :, 0] == 0).sum()


def test_features_do_not_change_when_later_rows_or_labels_change(cohort):
    X, names = _features(cohort)
    i = _row(cohort, 0, 150)
    later = (cohort.athlete == 0) & (cohort.date > 150)
    changed = cohort.windows.copy()
    changed[later] = changed[later] * 3 + 1  # rewrite every later row of the same athlete
    flipped = cohort.injury.copy()
    flipped[:] = 1 - flipped
    X2, _ = _features(Cohort("day", changed, cohort.athlete, cohort.date, flipped, "x"))
    np.testing.assert_array_equal(X[i], X2[i])
    # and dropping the later rows altogether
    keep = ~later
    X3, _ = _features(cohort.subset(keep))
    np.testing.assert_array_equal(X[i], X3[int(np.flatnonzero(keep)[: i + 1].size - 1)])


def test_features_ignore_the_rows_an_injury_row_lacks(cohort):
    """Healthy rows have the 21 rows before them in the file, injury rows do not: nothing may read them."""
    X, names = _features(cohort)
    i = _row(cohort, 1, 150)
    recent = (cohort.athlete == 1) & (cohort.date >= 150 - 21) & (cohort.date < 150)
    X2, _ = _features(cohort.subset(~recent))
    j = _row(cohort.subset(~recent), 1, 150)
    np.testing.assert_array_equal(X[i], X2[j])


def test_other_athletes_do_not_change_a_row(cohort):
    X, _ = _features(cohort)
    i = _row(cohort, 0, 150)
    only0 = cohort.subset(cohort.athlete == 0)
    X2, _ = _features(only0)
    np.testing.assert_array_equal(X[i], X2[_row(only0, 0, 150)])


def test_baseline_uses_the_log_up_to_29_days_before_the_event(cohort):
    X, names = _features(cohort)
    i = _row(cohort, 1, 150)
    hist = daily_history(cohort.athlete, cohort.date, cohort.windows)
    past = (hist.athlete == 1) & (hist.day <= 150 - 29)
    km = hist.values[past, 1]
    z = X[i, names.index("km_d1_z")]
    expected = (cohort.windows[i, -1, 1] - km.mean()) / max(km.std(ddof=1), 2.0)
    assert z == pytest.approx(expected)


def test_expanding_baseline_needs_enough_days():
    s = Series(np.zeros(10, dtype=int), np.arange(10), np.arange(10, dtype=float)[:, None])
    b = ExpandingBaseline(min_count=5).compute(s, np.array([0, 0]), np.array([3, 6]))
    assert np.isnan(b.mean_[0, 0])  # only 4 days known by day 3
    assert b.mean_[1, 0] == pytest.approx(3.0)  # days 0..6


def test_perceived_no_session_code_is_not_averaged(cohort):
    X, names = _features(cohort)
    w = cohort.windows.copy()
    w[0, :, 7] = [0.5, NO_SESSION, NO_SESSION, 0.7, NO_SESSION, NO_SESSION, NO_SESSION]
    w[0, :, 0] = [1, 0, 0, 1, 0, 0, 0]
    X2, _ = _features(Cohort("day", w, cohort.athlete, cohort.date, cohort.injury, "x"))
    assert X2[0, names.index("exertion_mean_7d")] == pytest.approx(0.6)
    assert X2[0, names.index("exertion_d6")] == NO_SESSION  # the raw block keeps the file's code


def test_monotony_counts_rest_days_as_zero_load():
    week = np.array([[10.0, 0, 10, 0, 10, 0, 10]])
    assert _monotony(week)[0] == pytest.approx(week.mean() / week.std())
    assert _monotony(np.array([[8.0] * 7]))[0] == 10.0  # identical days: the cap
    assert _monotony(np.zeros((1, 7)))[0] == 0.0


def test_unknown_inputs_stay_unknown(cohort):
    masked = mask_daily(cohort.windows, ["intensity", "perceived exertion"])
    X, names = _features(Cohort("day", masked, cohort.athlete, cohort.date, cohort.injury, "x"))
    i = _row(cohort, 1, 120)
    for name in ("km_z5_7d", "hard_days_7d", "intensity_share_7d", "exertion_mean_7d", "exertion_km_load_7d"):
        assert np.isnan(X[i, names.index(name)]), name
    assert X[i, names.index("km_7d")] == pytest.approx(cohort.windows[i, :, 1].sum())


def test_week_features_recompute_distance_ratios_without_blowing_up():
    rng = np.random.RandomState(0)
    w = np.abs(rng.normal(40, 10, (60, 3, 22)))
    w[:, :, 2] = np.where(rng.rand(60, 3) < 0.2, 0.0, w[:, :, 2])  # weeks with 0 km
    c = Cohort("week", w, np.zeros(60, dtype=int), np.arange(21, 81), np.zeros(60, dtype=int), "x")
    fm = WeekFeatureBuilder(min_baseline_weeks=5).build_cohort(c)
    ratio = fm.columns(["km_w1_vs_w2"])[:, 0]
    assert np.isfinite(ratio).all() and ratio.max() < 100
    np.testing.assert_allclose(ratio, (w[:, -1, 2] + 5) / (w[:, -2, 2] + 5))
