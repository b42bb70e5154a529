"""The load report document: metrics, flags, pain and which flags came before pain rises."""
from __future__ import annotations

from datetime import date

from ..diary.analysis import PainRiseFinder
from ..diary.models import PainEntry
from .flags import TrainingErrorFlags
from .metrics import TrainingHistory, week_start
from .models import TrainingActivity
from .thresholds import LoadThresholds

SCHEMA = "hipcheck.load-report/1"

CAVEATS = [
    "Acute:chronic ratio is shown as context only, uncoupled (this week against the mean of the three "
    "weeks before). The coupled ratio creates spurious correlation (Lolli 2019), the chronic part adds "
    "little beyond the acute load (Impellizzeri 2021), and in 5,205 runners a higher ratio was not "
    "linked to more injury (Frandsen 2025).",
    "The 10% rule is what the articles advise; a randomised trial found it made no difference to injury "
    "rates (Buist 2008).",
    "Fitness, fatigue and form are 42- and 7-day exponential averages of daily running distance "
    "(weight 1 - exp(-1/tau) per day, seeded with the opening mean). Their constants differ between "
    "people, so read them as trends (Hellard 2006).",
    "Flags describe your training, not a diagnosis. A flag that came before a pain rise shows timing, "
    "not proof that it caused the pain.",
]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


class LoadAnalysis:
    """Parameters: thresholds, `today`, `since` (first day shown; analysis still uses earlier history).
    Results: `history_`, `flags_`, `rises_`, `document_`."""

    def __init__(self, thresholds: LoadThresholds, today: date, since: date | None = None):
        self.th = thresholds
        self.today = today
        self.since = since

    def run(self, activities: list[TrainingActivity], pain: list[PainEntry], athlete: str) -> LoadAnalysis:
        self.history_ = TrainingHistory(self.th, until=self.today).run(activities)
        self.flags_ = TrainingErrorFlags(self.th).run(self.history_, self.today)
        self.rises_ = PainRiseFinder(self.th).run(pain, self.flags_.findings_).rises_
        self.document_ = self._document(activities, pain, athlete)
        return self

    def _shown(self, day: date) -> bool:
        return self.since is None or day >= self.since

    def _document(self, activities, pain: list[PainEntry], athlete: str) -> dict:
        h = self.history_
        runs_by_day: dict[str, list] = {}
        for r in h.runs_:
            runs_by_day.setdefault(r.day.isoformat(), []).append(r.activity_id)
        weeks = [w for w in h.weeks_ if self._shown(w.week_start) or self._shown(week_start(w.week_start))]
        last_day = max(h.days_) if h.days_ else None
        findings = [f for f in self.flags_.findings_ if self._shown(date.fromisoformat(f.data["date"]))]
        return {
            "schema": SCHEMA,
            "athlete": athlete,
            "today": self.today.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "totals": {
                "runs": sum(1 for r in h.runs_ if self._shown(r.day)),
                "run_km": round(sum(r.distance_km for r in h.runs_ if self._shown(r.day)), 1),
                "cross_training_sessions": sum(1 for a in activities if not a.is_run and self._shown(a.day)),
                "first_day": _iso(min((a.day for a in activities), default=None)),
                "last_day": _iso(max((a.day for a in activities), default=None)),
            },
            "weeks": [{
                "week_start": w.week_start.isoformat(), "run_km": round(w.run_km, 2), "runs": w.runs,
                "longest_run_km": round(w.longest_run_km, 2), "run_min": round(w.run_min, 1),
                "cross_training_min": round(w.cross_min, 1), "climb_m": round(w.climb_m),
                "hard_runs": w.hard_runs, "hilly_runs": w.hilly_runs,
                "change_pct": None if w.change_pct is None else round(w.change_pct, 1),
                "acwr_uncoupled_context": None if w.acwr_uncoupled is None else round(w.acwr_uncoupled, 2),
                "monotony": None if w.monotony is None else round(w.monotony, 2),
                "strain": None if w.strain is None else round(w.strain, 1), "load_unit": w.load_unit,
            } for w in weeks],
            "runs": [{
                "activity_id": r.activity_id, "date": r.day.isoformat(),
                "distance_km": round(r.distance_km, 2),
                "moving_time_min": round(r.moving_time_min, 1),
                "pace_min_per_km": None if r.pace_min_per_km is None else round(r.pace_min_per_km, 2),
                "elevation_gain_m": None if r.elevation_gain_m is None else round(r.elevation_gain_m),
                "avg_hr": r.avg_hr, "max_hr": r.max_hr, "rpe": r.rpe,
                "session_load_au": None if r.session_load_au is None else round(r.session_load_au),
                "intensity": r.intensity, "intensity_basis": r.intensity_basis, "hilly": r.hilly,
            } for r in h.runs_ if self._shown(r.day)],
            "spikes": [s for s in self.flags_.spikes_ if self._shown(date.fromisoformat(s["date"]))],
            "fitness_fatigue_form": None if last_day is None else {
                "date": last_day.isoformat(), "unit": "km/day",
                "fitness_42d": round(h.fitness_[last_day], 2), "fatigue_7d": round(h.fatigue_[last_day], 2),
                "form": round(h.form_[last_day], 2),
                "weight_per_day": "1 - exp(-1/tau), tau 42 and 7 days",
            },
            "easy_share_28d": None if self.flags_.easy_share_ is None else round(self.flags_.easy_share_, 3),
            "hr_max_seen_bpm": h.hr_max_bpm_,
            "findings": [f.to_dict() for f in findings],
            "pain": [{**e.model_dump(mode="json"), "worst": e.worst,
                      "runs_that_day": runs_by_day.get(e.date.isoformat(), [])}
                     for e in sorted(pain, key=lambda e: e.date) if self._shown(e.date)],
            "pain_flag_lookback_days": int(self.th.value("pain_flag_lookback_days")),
            "pain_during_max": self.th.value("pain_during_max"),
            "pain_rises": [{
                "date": r.day.isoformat(), "from": r.from_score, "to": r.to_score,
                "flags_before": [{"id": f.id, "kind": f.data["kind"], "date": f.data["date"],
                                  "source": f.source} for f in r.flags_before],
            } for r in self.rises_ if self._shown(r.day)],
            "caveats": CAVEATS,
        }
