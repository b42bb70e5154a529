"""Causal per-athlete baselines: what this athlete's training usually looked like, from the past only.

A row's baseline uses only the athlete's log from before the last four weeks: for an event on day t,
days up to t - 29 (`BASELINE_END_OFFSET_DAYS`). Why the gap: in the Lövdal files every injury row has
no row of the same athlete in the 21 days before it (healthy rows had to be 3 weeks from any injury),
while healthy rows follow the previous day. Any statistic that reached into those days would differ for
injury rows simply because the days are missing, and would leak the label (data README; load.md
section 2.4). Ending the baseline four weeks back gives injury and healthy rows the same view of the
past, in both approaches. Labels are never read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BASELINE_END_OFFSET_DAYS = 29  # baseline = days <= event day - 29


@dataclass(frozen=True)
class Series:
    """One athlete-indexed history: values[i] was known at the end of day `day[i]` for `athlete[i]`."""

    athlete: np.ndarray  # (m,)
    day: np.ndarray  # (m,) last day the value covers
    values: np.ndarray  # (m, k); NaN = unknown


class ExpandingBaseline:
    """Mean and SD of each column of a history, over entries with day <= cutoff, per athlete.

    Parameters: `min_count` entries are needed for a stat (else NaN). Call `compute(series,
    query_athlete, query_cutoff)`; results land on `mean_` and `sd_` (n_queries, k).
    """

    def __init__(self, min_count: int = 28):
        self.min_count = min_count

    def compute(
        self, series: Series, query_athlete: np.ndarray, query_cutoff: np.ndarray
    ) -> ExpandingBaseline:
        k = series.values.shape[1]
        n = len(query_athlete)
        self.mean_ = np.full((n, k), np.nan)
        self.sd_ = np.full((n, k), np.nan)
        for a in np.unique(query_athlete):
            q = np.flatnonzero(query_athlete == a)
            s = np.flatnonzero(series.athlete == a)
            if len(s) == 0:
                continue
            order = s[np.argsort(series.day[s], kind="stable")]
            days = series.day[order]
            vals = series.values[order]
            known = ~np.isnan(vals)
            v0 = np.where(known, vals, 0.0)
            cnt = np.vstack([np.zeros((1, k)), np.cumsum(known, axis=0)])
            s1 = np.vstack([np.zeros((1, k)), np.cumsum(v0, axis=0)])
            s2 = np.vstack([np.zeros((1, k)), np.cumsum(v0 * v0, axis=0)])
            upto = np.searchsorted(days, query_cutoff[q], side="right")  # entries with day <= cutoff
            c, m1, m2 = cnt[upto], s1[upto], s2[upto]
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = m1 / c
                var = np.maximum(m2 / c - mean * mean, 0.0) * c / np.maximum(c - 1, 1)
            ok = c >= self.min_count
            self.mean_[q] = np.where(ok, mean, np.nan)
            self.sd_[q] = np.where(ok, np.sqrt(var), np.nan)
        return self


def daily_history(athlete: np.ndarray, date: np.ndarray, windows: np.ndarray) -> Series:
    """The day-by-day log recovered from overlapping 7-day windows (one entry per athlete-day).

    Slot j of the row for event day t holds day t - n_slots + j. Overlapping rows agree on shared days.
    """
    n, slots, k = windows.shape
    days = (date[:, None] - slots + np.arange(slots)[None, :]).ravel()
    ath = np.repeat(athlete, slots)
    vals = windows.reshape(n * slots, k)
    key = ath.astype(np.int64) * 1_000_000 + days
    _, first = np.unique(key, return_index=True)
    return Series(ath[first], days[first], vals[first])


def rolling_week_sums(hist: Series, columns: list[int]) -> Series:
    """7-day sums of `columns` ending on each day, only where all 7 days are known."""
    out_a, out_d, out_v = [], [], []
    for a in np.unique(hist.athlete):
        m = hist.athlete == a
        d, v = hist.day[m], hist.values[m][:, columns]
        start = d.min()
        grid = np.full((d.max() - start + 1, len(columns)), np.nan)
        grid[d - start] = v
        if len(grid) < 7:
            continue
        win = np.lib.stride_tricks.sliding_window_view(grid, 7, axis=0)  # (L-6, k, 7)
        sums = win.sum(axis=2)  # NaN wherever a day is unknown
        out_a.append(np.full(len(sums), a))
        out_d.append(np.arange(start + 6, start + len(grid)))
        out_v.append(sums)
    return Series(np.concatenate(out_a), np.concatenate(out_d), np.concatenate(out_v))
