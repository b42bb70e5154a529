"""Causal features for one row: its own window, plus the athlete's baseline from before the last 4 weeks.

Nothing here reads labels, later rows, or any day between the window and the baseline cut-off
(see baseline.py for why that gap matters). Every feature of a row is a function of (its window, the
athlete's history up to event day - 29), so it cannot change when later rows or any label change;
tests/test_risk_features.py checks exactly that.

Perceived scores use the files' -0.01 "no session" code; here they become NaN wherever a mean over
sessions is taken, and stay as logged in the raw block (the trees read "no session" from it).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from .baseline import BASELINE_END_OFFSET_DAYS, ExpandingBaseline, Series, daily_history, rolling_week_sums
from .data import DAY_SHORT, NO_SESSION, WEEK_SHORT, Cohort

# Day-feature indices (data.DAY_FEATURES order).
SES, KM, Z34, Z5, SPR, STR, ALT, EXE, SUC, REC = range(10)
WEEK_SUM_COLS = [SES, KM, Z34, Z5, SPR, STR, ALT]


@dataclass
class FeatureMatrix:
    """Features for a set of rows: X[i, j] is feature names[j] of row i (NaN = unknown)."""

    X: np.ndarray
    names: list[str]
    groups: dict[str, list[str]] = field(default_factory=dict)  # "raw", "window", "baseline_z", ...

    def columns(self, names: list[str]) -> np.ndarray:
        idx = [self.names.index(n) for n in names]
        return self.X[:, idx]


class _ColumnSet:
    """Feature columns in the order they are added, each filed under a group ("raw", "window", ...)."""

    def __init__(self) -> None:
        self.cols: dict[str, np.ndarray] = {}
        self.groups: dict[str, list[str]] = {"raw": [], "window": [], "baseline_z": [], "baseline_level": []}

    def add(self, group: str, name: str, values: np.ndarray) -> None:
        self.cols[name] = np.asarray(values, dtype=float)
        self.groups[group].append(name)

    def matrix(self) -> FeatureMatrix:
        names = list(self.cols)
        return FeatureMatrix(np.column_stack([self.cols[k] for k in names]), names, self.groups)


def _perceived_nan(w: np.ndarray, cols: tuple[int, ...]) -> np.ndarray:
    w = w.copy()
    for c in cols:
        w[..., c] = np.where(w[..., c] <= NO_SESSION + 1e-9, np.nan, w[..., c])
    return w


def _nanmean(a: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows give NaN, as intended
        return np.nanmean(a, axis=axis)


def _nanagg(fn, a: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(a, axis=axis)


def _z(x: np.ndarray, mean: np.ndarray, sd: np.ndarray, floor: np.ndarray | float) -> np.ndarray:
    return (x - mean) / np.maximum(sd, floor)


def _count(cond: np.ndarray, *inputs: np.ndarray) -> np.ndarray:
    """Days where `cond` holds; unknown (NaN) when any input day is unknown."""
    unknown = np.zeros(cond.shape[0], dtype=bool)
    for x in inputs:
        unknown |= np.isnan(x).any(axis=1)
    return np.where(unknown, np.nan, cond.sum(axis=1))


def _monotony(daily: np.ndarray) -> np.ndarray:
    """Foster's monotony (mean / SD of daily load, rest days counted as 0), capped at 10.

    Source foster_1998; a perfectly even week (SD 0) with any load counts as the cap."""
    mean, sd = daily.mean(axis=1), daily.std(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mono = np.where(sd > 1e-9, mean / sd, np.where(mean > 0, 10.0, 0.0))
    return np.where(np.isnan(mean), np.nan, np.minimum(mono, 10.0))


class DayFeatureBuilder:
    """Features for the day approach (7 days x 10 daily values).

    Parameters: `min_baseline_days`: logged days needed before a baseline stat is used (else NaN);
    `baseline_end_offset_days`: the baseline ends on day t - this (29: see baseline.py; smaller values
    leak the label and exist only for the reference experiments in scripts/risk_experiments.py).
    Call `build(athlete, date, windows, history)` where `history` is the athlete's day-by-day log
    (Series of 10 daily values; for the cohort it is recovered from the rows themselves). The result is
    on `features_` (a FeatureMatrix).
    """

    def __init__(self, min_baseline_days: int = 28, baseline_end_offset_days: int = BASELINE_END_OFFSET_DAYS):
        self.min_baseline_days = min_baseline_days
        self.baseline_end_offset_days = baseline_end_offset_days

    def build_cohort(self, cohort: Cohort) -> FeatureMatrix:
        hist = daily_history(cohort.athlete, cohort.date, cohort.windows)
        return self.build(cohort.athlete, cohort.date, cohort.windows, hist).features_

    def build(self, athlete: np.ndarray, date: np.ndarray, windows: np.ndarray, history: Series):
        n = len(date)
        w = windows.astype(float)
        wp = _perceived_nan(w, (EXE, SUC, REC))
        columns = _ColumnSet()
        cols, add = columns.cols, columns.add

        slots = w.shape[1]
        # raw block; name suffix d1 = the day before the event, d7 = the oldest day
        for j in range(slots):
            for f, short in enumerate(DAY_SHORT):
                add("raw", f"{short}_d{slots - j}", w[:, j, f])

        km = w[:, :, KM]
        hard = w[:, :, Z5] + w[:, :, SPR]
        for f in WEEK_SUM_COLS:
            add("window", f"{DAY_SHORT[f]}_7d", w[:, :, f].sum(axis=1))
        add("window", "rest_days_7d", _count(w[:, :, SES] == 0, w[:, :, SES]))
        add("window", "run_days_7d", _count(km > 0, km))
        add("window", "hard_days_7d", _count(hard > 0, hard))
        add("window", "km_last3", km[:, -3:].sum(axis=1))
        add("window", "km_max_day", km.max(axis=1))
        add("window", "km_max_day_share", km.max(axis=1) / np.maximum(km.sum(axis=1), 1.0))
        add("window", "km_d1_vs_prev6", km[:, -1] / (km[:, :-1].mean(axis=1) + 1.0))
        add("window", "km_last3_vs_first4", (km[:, -3:].mean(axis=1) + 1.0) / (km[:, :-3].mean(axis=1) + 1.0))
        others = (km.sum(axis=1, keepdims=True) - km) / (slots - 1)
        add("window", "km_spike_in_window", ((km + 1.0) / (others + 1.0)).max(axis=1))
        add("window", "km_monotony_7d", _monotony(km))
        add("window", "km_strain_7d", km.sum(axis=1) * _monotony(km))
        add(
            "window",
            "intensity_share_7d",
            (w[:, :, Z34] + hard).sum(axis=1) / np.maximum(km.sum(axis=1), 1.0),
        )
        trained = w[:, :, SES] > 0  # an unknown day ends the streak
        streak = np.zeros(n)
        alive = np.ones(n, dtype=bool)
        for j in range(slots - 1, -1, -1):
            alive &= trained[:, j]
            streak += alive
        add("window", "training_streak_days", streak)
        for f, short in ((EXE, "exertion"), (SUC, "success"), (REC, "recovery")):
            vals = wp[:, :, f]
            add("window", f"{short}_mean_7d", _nanmean(vals, 1))
            add("window", f"{short}_max_7d", _nanagg(np.nanmax, vals, 1))
            add("window", f"{short}_min_7d", _nanagg(np.nanmin, vals, 1))
            add(
                "window", f"{short}_last3_minus_first4", _nanmean(vals[:, -3:], 1) - _nanmean(vals[:, :-3], 1)
            )
        # exertion x km, and exertion monotony with non-session days at 0; unknown if any session lacks RPE
        session = w[:, :, SES] > 0
        exe_day = np.where(session, wp[:, :, EXE], np.where(np.isnan(w[:, :, SES]), np.nan, 0.0))
        add("window", "exertion_km_load_7d", (exe_day * km).sum(axis=1))
        add("window", "exertion_monotony_7d", _monotony(exe_day))

        # causal per-athlete baseline: the athlete's log before the last 4 weeks
        cutoff = date - self.baseline_end_offset_days
        hist_p = Series(history.athlete, history.day, _perceived_nan(history.values, (EXE, SUC, REC)))
        daily_b = ExpandingBaseline(self.min_baseline_days).compute(hist_p, athlete, cutoff)
        weekly = rolling_week_sums(history, WEEK_SUM_COLS)
        week_b = ExpandingBaseline(max(1, self.min_baseline_days // 7)).compute(weekly, athlete, cutoff)
        # SD floors keep the z-scores finite for athletes who never log a feature (e.g. no sprinting)
        floors = np.array([0.3, 2.0, 1.0, 1.0, 0.5, 0.3, 0.3, 0.05, 0.05, 0.05])
        for j in range(slots):
            for f, short in enumerate(DAY_SHORT):
                add(
                    "baseline_z",
                    f"{short}_d{slots - j}_z",
                    _z(wp[:, j, f], daily_b.mean_[:, f], daily_b.sd_[:, f], floors[f]),
                )
        wfloors = np.array([1.0, 10.0, 3.0, 3.0, 1.0, 0.5, 1.0])
        for i, f in enumerate(WEEK_SUM_COLS):
            add(
                "baseline_z",
                f"{DAY_SHORT[f]}_7d_z",
                _z(cols[f"{DAY_SHORT[f]}_7d"], week_b.mean_[:, i], week_b.sd_[:, i], wfloors[i]),
            )
        add("baseline_z", "km_7d_vs_baseline", (cols["km_7d"] + 5.0) / (week_b.mean_[:, 1] + 5.0))
        add(
            "baseline_z",
            "km_max_day_z",
            _z(cols["km_max_day"], daily_b.mean_[:, KM], daily_b.sd_[:, KM], 2.0),
        )
        for f, short in ((EXE, "exertion"), (SUC, "success"), (REC, "recovery")):
            add(
                "baseline_z",
                f"{short}_mean_7d_z",
                _z(cols[f"{short}_mean_7d"], daily_b.mean_[:, f], daily_b.sd_[:, f], 0.05),
            )
        add("baseline_level", "baseline_km_week", week_b.mean_[:, 1])
        add("baseline_level", "baseline_km_week_sd", week_b.sd_[:, 1])
        add("baseline_level", "baseline_hard_km_week", week_b.mean_[:, 3] + week_b.mean_[:, 4])
        for f, short in ((EXE, "exertion"), (SUC, "success"), (REC, "recovery")):
            add("baseline_level", f"baseline_{short}", daily_b.mean_[:, f])
        self.features_ = columns.matrix()
        return self


class WeekFeatureBuilder:
    """Features for the week approach (3 weeks x 22 weekly aggregates; slot -1 = the latest week).

    The baseline is the mean/SD of the athlete's weekly aggregates from rows whose latest week ended
    before the last 4 weeks (rows dated <= event day - 28, so their weeks end on day <= t - 29).
    """

    def __init__(self, min_baseline_weeks: int = 28):
        self.min_baseline_weeks = min_baseline_weeks

    def build_cohort(self, cohort: Cohort) -> FeatureMatrix:
        athlete, date, w = cohort.athlete, cohort.date, cohort.windows.astype(float)
        # perceived aggregates use -0.01 for a week without sessions, as the day file does
        perceived = list(range(13, 22))
        wp = _perceived_nan(w, tuple(perceived))
        columns = _ColumnSet()
        add = columns.add

        slots = w.shape[1]
        for j in range(slots):
            for f, short in enumerate(WEEK_SHORT):
                add("raw", f"{short}_w{slots - j}", w[:, j, f])
        km = w[:, :, 2]
        # the file's own `rel total kms` columns explode on 0-km weeks; recomputed with a 5-km offset
        add("window", "km_w1_vs_w2", (km[:, -1] + 5.0) / (km[:, -2] + 5.0))
        add("window", "km_w1_vs_w3", (km[:, -1] + 5.0) / (km[:, -3] + 5.0))
        add("window", "km_w2_vs_w3", (km[:, -2] + 5.0) / (km[:, -3] + 5.0))
        add("window", "km_w1_vs_prev2", (km[:, -1] + 5.0) / (km[:, :-1].mean(axis=1) + 5.0))
        add("window", "km_21d", km.sum(axis=1))
        add("window", "km_weekly_monotony", _monotony(km))
        add("window", "max_day_share_w1", w[:, -1, 3] / np.maximum(km[:, -1], 1.0))
        add("window", "max_day_vs_prev_max", (w[:, -1, 3] + 2.0) / (w[:, :-1, 3].max(axis=1) + 2.0))
        add("window", "tough_sessions_21d", w[:, :, 5].sum(axis=1))
        add("window", "rest_days_21d", w[:, :, 1].sum(axis=1))
        add("window", "km_z5_21d", w[:, :, 9].sum(axis=1))
        add("window", "exertion_avg_w1_minus_prev", wp[:, -1, 13] - _nanmean(wp[:, :-1, 13], 1))
        add("window", "recovery_avg_w1_minus_prev", wp[:, -1, 19] - _nanmean(wp[:, :-1, 19], 1))
        add("window", "exertion_km_load_w1", np.nan_to_num(wp[:, -1, 13]) * km[:, -1])

        # baseline: each row's latest-week block is one weekly observation ending on day date - 1
        hist = Series(athlete, date - 1, wp[:, -1, :])
        b = ExpandingBaseline(self.min_baseline_weeks).compute(hist, athlete, date - BASELINE_END_OFFSET_DAYS)
        floors = np.array([1.0, 0.5, 10.0, 3.0, 3.0, 0.5, 0.5, 3.0, 2.0, 3.0, 2.0, 1.0, 0.5] + [0.05] * 9)
        for j in range(slots):
            for f, short in enumerate(WEEK_SHORT):
                add(
                    "baseline_z",
                    f"{short}_w{slots - j}_z",
                    _z(wp[:, j, f], b.mean_[:, f], b.sd_[:, f], floors[f]),
                )
        add("baseline_z", "km_w1_vs_baseline", (km[:, -1] + 5.0) / (b.mean_[:, 2] + 5.0))
        add("baseline_z", "km_21d_vs_baseline", (km.sum(axis=1) / 3 + 5.0) / (b.mean_[:, 2] + 5.0))
        add("baseline_level", "baseline_km_week", b.mean_[:, 2])
        add("baseline_level", "baseline_km_week_sd", b.sd_[:, 2])
        add("baseline_level", "baseline_exertion", b.mean_[:, 13])
        add("baseline_level", "baseline_recovery", b.mean_[:, 19])
        return columns.matrix()


def build_features(cohort: Cohort) -> FeatureMatrix:
    if cohort.approach == "day":
        return DayFeatureBuilder().build_cohort(cohort)
    return WeekFeatureBuilder().build_cohort(cohort)
