"""Scoring a runner's last 7 days with the shipped model, in honest words.

`risk_for_history(activities, diary_entries, as_of_date)` maps the log to the model's day features,
scores the 7 days ending on `as_of_date` (inclusive), places the score among the cohort's days, and
names the input groups that pushed it up or down. It is a pattern match against the days before
injuries in 74 competitive runners (any body site; source lovdal_2021), never a prediction for this
runner.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from .features import DayFeatureBuilder
from .history import HistoryMapper, window_and_history
from .shipped import ShippedRiskModel, load_shipped_model

SOURCE_ID = "lovdal_2021"
MIN_HISTORY_DAYS = 7 * 8  # below this the "your usual training" inputs are unknown to the model

# Input groups shown as drivers: first matching pattern wins (feature names from features.py).
DRIVER_GROUPS: list[tuple[str, str]] = [
    (r"^baseline_", "your usual training (before the last 4 weeks)"),
    (r"exertion", "perceived exertion"),
    (r"success", "perceived training success"),
    (r"recovery", "perceived recovery"),
    (r"z34|z5|sprint|hard_days|intensity", "faster running (zones 3-5, sprints)"),
    (r"max_day|spike|d1_vs_prev6|last3_vs_first4", "the biggest single day vs the rest"),
    (r"monotony|strain|streak", "sameness of the week and days without rest"),
    (r"strength", "strength training"),
    (r"alt_hours", "cross-training hours"),
    (r"^km|sessions|run_days|rest_days", "running distance and sessions vs your usual"),
]


STRENGTH_GROUP = "strength training"
NOT_LOGGED = " (not logged)"


def driver_group(feature: str) -> str:
    for pattern, label in DRIVER_GROUPS:
        if re.search(pattern, feature):
            return label
    return feature


# input family the log lacked (history.py / missing.py) -> the driver group it feeds, read off one
# feature of that family so the labels cannot drift from DRIVER_GROUPS
FAMILY_GROUP = {
    family: driver_group(feature)
    for family, feature in (("intensity", "km_z5_7d"), ("perceived exertion", "exertion_mean_7d"),
                            ("training success", "success_mean_7d"), ("recovery", "recovery_mean_7d"),
                            ("strength training", "strength_7d"))
}


@dataclass
class RiskResult:
    """The last-7-days risk pattern. `probability` is the model's calibrated chance, among the cohort's
    days, that the next day was an injury day; `percentile_vs_cohort` is the share (0-100) of the
    cohort's days that scored lower. `drivers`: (input group, contribution to the score in log-odds),
    largest first; positive raised the score."""

    as_of_date: date
    window_start: date
    percentile_vs_cohort: float | None
    probability: float | None
    drivers: list[tuple[str, float]]
    wording: str
    unknown_inputs: list[str] = field(default_factory=list)
    history_days: int = 0
    pain_days_in_window: int = 0
    source: str = SOURCE_ID
    model_auc_grouped_cv: float | None = None
    cohort_injury_rate: float | None = None

    def to_json(self) -> dict:
        return {
            "schema": "hipcheck.risk/v1",
            "as_of_date": self.as_of_date.isoformat(),
            "window_start": self.window_start.isoformat(),
            "percentile_vs_cohort": self.percentile_vs_cohort,
            "probability": self.probability,
            "drivers": [{"input": k, "contribution": round(v, 4)} for k, v in self.drivers],
            "wording": self.wording,
            "unknown_inputs": self.unknown_inputs,
            "history_days": self.history_days,
            "pain_days_in_window": self.pain_days_in_window,
            "source": self.source,
            "model_auc_grouped_cv": self.model_auc_grouped_cv,
            "cohort_injury_rate": self.cohort_injury_rate,
        }


def risk_for_history(
    activities: Iterable[Any],
    diary_entries: Iterable[Any],
    as_of_date: date,
    model: ShippedRiskModel | None = None,
) -> RiskResult:
    """Score the 7 days ending on `as_of_date` (the store's Activity and DiaryEntry rows, or any objects
    with the same attributes)."""
    model = model or load_shipped_model()
    diary = list(diary_entries)
    log = HistoryMapper().map(list(activities), diary, as_of_date).log_
    start = as_of_date - timedelta(days=6)
    pain_days = sum(
        1
        for d in diary
        if start <= d.date <= as_of_date
        and any((getattr(d, k, None) or 0) > 0 for k in ("pain_during", "pain_after", "pain_next_morning"))
    )
    auc = model.meta.get("auc_grouped_cv")

    def result(pct, prob, drivers, text) -> RiskResult:
        return RiskResult(as_of_date, start, pct, prob, drivers, _with_pain(text, pain_days),
                          log.unknown_inputs, len(log.values), pain_days, model_auc_grouped_cv=auc,
                          cohort_injury_rate=model.meta.get("cohort_injury_rate"))

    recent = log.values[-7:] if len(log.values) else log.values  # the log ends on as_of_date
    if not np.nansum(recent[:, 0]) > 0:
        return result(None, None, [], f"No training is logged in the 7 days to {as_of_date.isoformat()}, so "
                      "there is no load pattern to compare with the cohort.")
    window, event, hist = window_and_history(log, as_of_date)
    fm = DayFeatureBuilder().build(np.array([0]), np.array([event]), window[None], hist).features_
    X = fm.columns(model.names)
    raw = model.raw_scores(X)
    pct = float(model.percentile(raw)[0])
    prob = float(model.probability(raw)[0])
    drivers = _drivers(model.names, model.contributions(X)[0, :-1], log.unknown_inputs)
    text = _wording(pct, prob, drivers, log.unknown_inputs, len(log.values), auc, as_of_date)
    return result(pct, round(prob, 5), drivers, text)


def _drivers(names: list[str], contrib: np.ndarray, unknown_inputs: list[str]) -> list[tuple[str, float]]:
    """Contributions summed per input group, largest first. An unknown input still moves the score (the
    model learned what its absence meant in the cohort); its group is named "(not logged)" so no one
    reads it as something they did."""
    not_logged = {FAMILY_GROUP[u] for u in unknown_inputs if u in FAMILY_GROUP}
    grouped: dict[str, float] = {}
    for name, c in zip(names, contrib):
        g = driver_group(name)
        g += NOT_LOGGED if g in not_logged else ""
        grouped[g] = grouped.get(g, 0.0) + float(c)
    return sorted(grouped.items(), key=lambda kv: -kv[1])


def _wording(
    pct: float,
    prob: float,
    drivers: list[tuple[str, float]],
    unknown: list[str],
    days: int,
    auc: float | None,
    as_of: date,
) -> str:
    parts = [
        f"Your training in the 7 days to {as_of.isoformat()} scored higher than {pct:.0f}% of the "
        "days in the logs of 74 competitive runners (Lövdal 2021). A high score means the pattern "
        "resembled the days before injuries in those runners (an injury anywhere in the body, not "
        "only the hip); it is not a prediction for you."
    ]
    if auc is not None:
        parts.append(
            f"Even within that cohort the model only ranks days modestly better than chance "
            f"(AUC {auc:.2f}, where 0.5 is chance and 1 is perfect)."
        )
    up = [g for g, c in drivers if c > 0.02][:3]
    down = [g for g, c in drivers if c < -0.02][-2:]
    if up:
        parts.append("What raised the score most: " + "; ".join(up) + ".")
    if down:
        parts.append("What lowered it: " + "; ".join(reversed(down)) + ".")
    if STRENGTH_GROUP in up:
        parts.append(
            "In this cohort, weeks with more strength sessions came before more injuries. That is "
            "an association in one team's logs, not a reason to stop strength work, which hip "
            "rehabilitation relies on."
        )
    if unknown:
        parts.append("Not in your log, so treated as unknown: " + ", ".join(unknown) + ".")
    if days < MIN_HISTORY_DAYS:
        parts.append(
            f"Your log covers only {days} days; with less than {MIN_HISTORY_DAYS // 7} weeks the "
            "model cannot compare this week with your usual training."
        )
    return " ".join(parts)


def _with_pain(text: str, pain_days: int) -> str:
    if pain_days:
        text += (
            f" Your diary records pain on {pain_days} of these 7 days. The model does not read pain; "
            "pain that keeps coming back or gets worse matters more than this score."
        )
    return text
