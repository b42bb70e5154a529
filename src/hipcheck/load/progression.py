"""A safe progression for the next 4-8 weeks: weekly and longest-run caps, or a walk-run ladder when the
pain gate fails or there is no recent running. Every rule in the plan names its source."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from ..diary.analysis import PainGate
from .metrics import TrainingHistory, week_start
from .thresholds import LoadThresholds


@dataclass
class PlanRule:
    text: str
    sources: list[str]


@dataclass
class PlanWeek:
    week: int
    week_start: date
    max_week_km: float | None = None
    max_run_km: float | None = None
    ladder_step: int | None = None
    run_min: float | None = None
    walk_min: float | None = None
    sessions: int | None = None
    note: str = ""


@dataclass
class ProgressionPlan:
    mode: str  # "progression" | "return_to_run"
    reason: str
    weeks: list[PlanWeek] = field(default_factory=list)
    rules: list[PlanRule] = field(default_factory=list)
    base_week_km: float | None = None
    longest_recent_run_km: float | None = None


class ProgressionPlanner:
    """Parameters: thresholds, `weeks` (4-8), `today`. `run(history, gate)` returns the plan."""

    def __init__(self, thresholds: LoadThresholds, weeks: int, today: date):
        self.th = thresholds
        self.weeks = weeks
        self.today = today

    def run(self, h: TrainingHistory, gate: PainGate) -> ProgressionPlan:
        start = week_start(self.today) + timedelta(days=7)
        window = timedelta(days=self.th.value("spike_window_days"))
        recent_runs = [r for r in h.runs_ if self.today - window <= r.day <= self.today]
        longest = max((s.distance_km for s in h.sessions_ if self.today - window <= s.day <= self.today),
                      default=None)
        gate_rule = self._gate_rule()
        if not gate.passed:
            return self._ladder(start, "pain: " + "; ".join(gate.reasons), gate_rule)
        if not recent_runs:
            return self._ladder(start, f"no runs in the last {window.days} days", gate_rule)
        base = self._base_week_km(h)
        inc = self.th.value("plan_weekly_increase_pct") / 100.0
        long_inc = self.th.value("plan_long_run_increase_pct") / 100.0
        plan = ProgressionPlan(mode="progression",
                               reason="pain is within the limits (or not recorded) and you are running",
                               base_week_km=round(base, 1), longest_recent_run_km=round(longest or 0, 1))
        for i in range(1, self.weeks + 1):
            week_cap = base * (1 + inc) ** i
            run_cap = min((longest or 0) * (1 + long_inc) ** i, week_cap)
            plan.weeks.append(PlanWeek(i, start + timedelta(weeks=i - 1), round(week_cap, 1),
                                       round(run_cap, 1), note="only if last week passed the pain gate"))
        plan.rules = [
            PlanRule(f"Weekly distance: start from {base:.1f} km (the mean of your last "
                     f"{self.th.value('plan_base_weeks'):.0f} weeks) and raise the cap by at most "
                     f"{100 * inc:.0f}% a week. The articles give this rule; a trial found it did not by "
                     "itself prevent injuries, so treat it as a ceiling, not a target.",
                     self.th.sources("plan_weekly_increase_pct")),
            PlanRule(f"Longest run: never more than {100 * long_inc:.0f}% longer than your longest run of "
                     f"the previous {window.days} days (now {longest or 0:.1f} km). Bigger single-run "
                     "jumps carried 1.5-2.3 times the injury rate in a large runner cohort.",
                     self.th.sources("plan_long_run_increase_pct")),
            gate_rule,
            PlanRule("If a week fails the pain gate, step back to the previous week's caps; if pain keeps "
                     "rising, switch to the walk-run ladder (`hipcheck load plan` does this once the diary "
                     "shows it).", self.th.sources("pain_during_max")),
        ]
        return plan

    def _base_week_km(self, h: TrainingHistory) -> float:
        n = int(self.th.value("plan_base_weeks"))
        this_week = week_start(self.today)
        done = [w for w in h.weeks_ if w.week_start < this_week][-n:]
        if not done:
            return sum(w.run_km for w in h.weeks_ if w.week_start == this_week)
        return sum(w.run_km for w in done) / n

    def _gate_rule(self) -> PlanRule:
        return PlanRule(
            f"Pain gate before every step up: pain during running at most "
            f"{self.th.value('pain_during_max'):.0f}/10, and settled by the next morning (at most "
            f"{self.th.value('pain_next_morning_max'):.0f}/10 and no worse than after the run). "
            "Record it with `hipcheck diary add`.", self.th.sources("pain_during_max"))

    def _ladder(self, start: date, reason: str, gate_rule: PlanRule) -> ProgressionPlan:
        steps = self.th.ladder()
        session_min = self.th.value("rtr_session_min")
        per_step = int(self.th.value("rtr_sessions_per_step"))
        plan = ProgressionPlan(mode="return_to_run", reason=reason)
        # Sessions every other day: 3-4 a week, so a step of `per_step` sessions fits in one week.
        for i in range(1, self.weeks + 1):
            n = min(i, len(steps))
            run_min, walk_min = steps[n - 1]
            plan.weeks.append(PlanWeek(i, start + timedelta(weeks=i - 1), ladder_step=n, run_min=run_min,
                                       walk_min=walk_min, sessions=per_step + 1,
                                       note=("continuous easy running" if walk_min == 0 else
                                             f"repeat run {run_min:g} min / walk {walk_min:g} min for "
                                             f"{session_min:g} min")))
        plan.rules = [
            PlanRule(f"Walk-run ladder: {session_min:g}-minute sessions on alternate days; move up one step "
                     f"only after {per_step} sessions at the current step pass the pain gate.",
                     self.th.sources("rtr_session_min")),
            gate_rule,
            PlanRule("If a session fails the pain gate, go back one step and stay there until two sessions "
                     "pass. Pain that keeps worsening, pain at rest or at night, or pain that stops you "
                     "walking normally needs a clinician, not a plan.", self.th.sources("pain_during_max")),
        ]
        return plan
