"""Inputs a runner's own log may lack, and masking the cohort to look like such a log.

A typical import has distance and sessions but no training-success score, rarely recovery or RPE, and
intensity zones only when heart rate or pace is usable. The shipped model is trained on the cohort plus
one copy in which each athlete lacks a random set of these inputs, so it has learned what to do when
they are unknown instead of reading NaN as 0. The same masking measures how much the model loses with
distance and sessions only.
"""

from __future__ import annotations

import numpy as np

from .data import NO_SESSION, Cohort

# input family -> (daily columns, on which days it is unknown: "run" = km > 0, "session" = any session,
# "all" = every day: a log without any strength session cannot tell "none done" from "none recorded")
FAMILIES: dict[str, tuple[tuple[int, ...], str]] = {
    "intensity": ((2, 3, 4), "run"),
    "perceived exertion": ((7,), "session"),
    "training success": ((8,), "session"),
    "recovery": ((9,), "session"),
    "strength training": ((5,), "all"),
}
# chance that an athlete of the augmented copy lacks each family (a guess at typical imports)
MASK_PROBABILITY = {
    "intensity": 0.5,
    "perceived exertion": 0.6,
    "training success": 0.9,
    "recovery": 0.8,
    "strength training": 0.6,
}


def mask_daily(values: np.ndarray, families: list[str]) -> np.ndarray:
    """A copy of daily values (..., 10) with `families` unknown (NaN) on the days they would be logged."""
    out = values.astype(float).copy()
    run_day = out[..., 1] > 0
    session_day = (out[..., 0] > 0) | (out[..., 7] > NO_SESSION + 1e-9)
    for fam in families:
        cols, need = FAMILIES[fam]
        day = {"run": run_day, "session": session_day, "all": np.ones_like(run_day)}[need]
        for c in cols:
            out[..., c] = np.where(day, np.nan, out[..., c])
    return out


def masked_cohort(cohort: Cohort, families_by_athlete: dict[int, list[str]]) -> Cohort:
    windows = cohort.windows.copy()
    for a, fams in families_by_athlete.items():
        m = cohort.athlete == a
        if fams:
            windows[m] = mask_daily(windows[m], fams)
    return Cohort(cohort.approach, windows, cohort.athlete, cohort.date, cohort.injury, cohort.sha256)


def random_masks(athletes: np.ndarray, seed: int) -> dict[int, list[str]]:
    rng = np.random.RandomState(seed)
    out = {}
    for a in sorted(int(x) for x in np.unique(athletes)):
        out[a] = [f for f in FAMILIES if rng.rand() < MASK_PROBABILITY[f]]
    return out
