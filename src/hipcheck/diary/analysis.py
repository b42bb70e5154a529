"""Read the pain diary against training: pain rises, the flags that came before them, and the pain gate."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from ..findings import Finding
from ..load.thresholds import LoadThresholds
from .models import PainEntry


@dataclass
class PainRise:
    day: date
    from_score: int
    to_score: int
    flags_before: list[Finding] = field(default_factory=list)


class PainRiseFinder:
    """Days whose worst pain is `pain_rise_points` above the previous entry, and the flags dated up to
    `pain_flag_lookback_days` before each. Results: `rises_`."""

    def __init__(self, th: LoadThresholds):
        self.th = th
        self.rises_: list[PainRise] = []

    def run(self, entries: list[PainEntry], findings: list[Finding]) -> PainRiseFinder:
        step = self.th.value("pain_rise_points")
        look = timedelta(days=self.th.value("pain_flag_lookback_days"))
        ordered = sorted(entries, key=lambda e: e.date)
        self.rises_ = []
        for prev, cur in zip(ordered, ordered[1:]):
            if cur.date - prev.date > look or cur.worst - prev.worst < step:
                continue
            before = [f for f in findings
                      if cur.date - look <= date.fromisoformat(f.data["date"]) <= cur.date]
            self.rises_.append(PainRise(cur.date, prev.worst, cur.worst, before))
        return self


@dataclass
class PainGate:
    """Whether the latest diary entries allow the next step: pain during at most `pain_during_max`,
    settled by the next morning (at most `pain_next_morning_max` and no worse than after the run)."""
    passed: bool
    reasons: list[str]
    entry_date: date | None

    @classmethod
    def check(cls, entries: list[PainEntry], th: LoadThresholds, today: date) -> PainGate:
        recent_days = th.value("pain_recent_days")
        recent = [e for e in entries if 0 <= (today - e.date).days <= recent_days]
        if not recent:
            return cls(True, [], None)
        latest = max(recent, key=lambda e: e.date)
        during_max, morning_max = th.value("pain_during_max"), th.value("pain_next_morning_max")
        reasons = []
        if latest.pain_during is not None and latest.pain_during > during_max:
            reasons.append(f"pain during running was {latest.pain_during}/10 (limit {during_max:.0f}/10)")
        morning = latest.pain_next_morning
        if morning is not None and morning > morning_max:
            reasons.append(f"next-morning pain was {morning}/10 "
                           f"(should settle to {morning_max:.0f}/10 or less)")
        elif morning is not None and latest.pain_after is not None and morning > latest.pain_after:
            reasons.append(f"pain was worse the next morning ({morning}/10) than after running "
                           f"({latest.pain_after}/10)")
        return cls(not reasons, reasons, latest.date)
