"""Per-run, per-day and per-week training metrics, from a list of activities.

Daily load for the exponential averages and monotony is running distance in km (every file has it);
when every run of a week has an RPE, monotony and strain use session RPE x minutes instead (Foster).
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .models import TrainingActivity
from .thresholds import LoadThresholds


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class RunMetrics:
    activity_id: int | None
    day: date
    start_time: datetime
    distance_km: float
    moving_time_min: float
    pace_min_per_km: float | None
    elevation_gain_m: float | None
    climb_m_per_km: float | None
    avg_hr: float | None
    max_hr: float | None
    rpe: float | None
    session_load_au: float | None  # session RPE x minutes (Foster)
    intensity: str = "unknown"  # easy | moderate | hard | unknown
    intensity_basis: str = ""  # rpe | heart rate | pace (estimate)
    hilly: bool = False


@dataclass
class RunSession:
    """Runs on one day less than `session_merge_gap_min` apart, counted as one session."""
    day: date
    start_time: datetime
    distance_km: float
    activity_ids: list[int | None] = field(default_factory=list)


@dataclass
class DayTotals:
    day: date
    run_km: float = 0.0
    runs: int = 0
    run_min: float = 0.0
    cross_min: float = 0.0
    longest_run_km: float = 0.0
    srpe_au: float = 0.0
    runs_with_rpe: int = 0


@dataclass
class WeekTotals:
    week_start: date
    run_km: float = 0.0
    runs: int = 0
    run_days: int = 0
    run_min: float = 0.0
    cross_min: float = 0.0
    longest_run_km: float = 0.0
    climb_m: float = 0.0
    hard_runs: int = 0
    hilly_runs: int = 0
    easy_runs: int = 0
    classified_runs: int = 0
    monotony: float | None = None
    strain: float | None = None
    load_unit: str = "km"
    change_pct: float | None = None  # against the week before
    acwr_uncoupled: float | None = None  # context only


class IntensityClassifier:
    """Label each run easy / moderate / hard from RPE, else heart rate, else pace (an estimate)."""

    def __init__(self, th: LoadThresholds):
        self.th = th

    def run(self, runs: list[RunMetrics], hr_max_bpm: float | None) -> None:
        easy_rpe, hard_rpe = self.th.value("easy_rpe_max"), self.th.value("hard_rpe_min")
        easy_hr, hard_hr = self.th.value("easy_hr_fraction_max"), self.th.value("hard_hr_fraction_min")
        pace_ratio = self.th.value("hard_pace_ratio")
        speeds: list[tuple[date, float]] = []
        for r in sorted(runs, key=lambda r: r.start_time):
            speed = r.distance_km / r.moving_time_min if r.moving_time_min > 0 else None
            if r.rpe is not None:
                r.intensity_basis = "rpe"
                r.intensity = "easy" if r.rpe <= easy_rpe else "hard" if r.rpe >= hard_rpe else "moderate"
            elif r.avg_hr is not None and hr_max_bpm:
                share = r.avg_hr / hr_max_bpm
                r.intensity_basis = "heart rate"
                r.intensity = "easy" if share <= easy_hr else "hard" if share >= hard_hr else "moderate"
            elif speed is not None:
                recent = [s for d, s in speeds if (r.day - d).days <= 90]
                if len(recent) >= 5:
                    r.intensity_basis = "pace (estimate)"
                    r.intensity = "hard" if speed >= pace_ratio * statistics.median(recent) else "easy"
            if speed is not None:
                speeds.append((r.day, speed))


class TrainingHistory:
    """Build every metric from activities.

    Parameters: thresholds, and `until` (the last day to fill in; defaults to the last activity).
    Results: `runs_`, `sessions_`, `days_` (every calendar day, rest days included), `weeks_`,
    `fitness_` / `fatigue_` / `form_` (day -> km), `hr_max_bpm_`.
    """

    def __init__(self, thresholds: LoadThresholds, until: date | None = None):
        self.th = thresholds
        self.until = until
        self.runs_: list[RunMetrics] = []
        self.sessions_: list[RunSession] = []
        self.days_: dict[date, DayTotals] = {}
        self.weeks_: list[WeekTotals] = []
        self.fitness_: dict[date, float] = {}
        self.fatigue_: dict[date, float] = {}
        self.form_: dict[date, float] = {}
        self.hr_max_bpm_: float | None = None

    def run(self, activities: list[TrainingActivity]) -> TrainingHistory:
        acts = sorted(activities, key=lambda a: a.start_time)
        runs = [a for a in acts if a.is_run and (a.distance_m or 0) > 0]
        self.runs_ = [self._run_metrics(a) for a in runs]
        hrs = [a.max_hr for a in runs if a.max_hr]
        self.hr_max_bpm_ = max(hrs) if len(hrs) >= 3 else None
        IntensityClassifier(self.th).run(self.runs_, self.hr_max_bpm_)
        self.sessions_ = self._sessions(runs)
        if acts:
            self._days(acts)
            self._weeks()
            self._ewma()
        return self

    def _run_metrics(self, a: TrainingActivity) -> RunMetrics:
        km = a.distance_m / 1000.0
        minutes = a.minutes
        climb = (a.elevation_gain_m / km) if a.elevation_gain_m is not None and km >= 1 else None
        return RunMetrics(
            activity_id=a.id, day=a.day, start_time=a.start_time, distance_km=km,
            moving_time_min=minutes, pace_min_per_km=(minutes / km) if km > 0 and minutes > 0 else None,
            elevation_gain_m=a.elevation_gain_m, climb_m_per_km=climb, avg_hr=a.avg_hr,
            max_hr=a.max_hr, rpe=a.rpe, session_load_au=(a.rpe * minutes) if a.rpe is not None else None,
            hilly=climb is not None and climb >= self.th.value("hilly_climb_m_per_km"))

    def _sessions(self, runs: list[TrainingActivity]) -> list[RunSession]:
        gap = timedelta(minutes=self.th.value("session_merge_gap_min"))
        out: list[RunSession] = []
        last_end: datetime | None = None
        for a in runs:
            if out and out[-1].day == a.day and last_end is not None and a.start_time - last_end <= gap:
                out[-1].distance_km += a.distance_m / 1000.0
                out[-1].activity_ids.append(a.id)
            else:
                out.append(RunSession(a.day, a.start_time, a.distance_m / 1000.0, [a.id]))
            end = a.start_time + timedelta(seconds=a.duration_s or a.moving_time_s or 0)
            last_end = end if last_end is None or out[-1].day != a.day else max(last_end, end)
        return out

    def _days(self, acts: list[TrainingActivity]) -> None:
        first = acts[0].day
        last = max(self.until or acts[-1].day, acts[-1].day)
        self.days_ = {first + timedelta(days=i): DayTotals(first + timedelta(days=i))
                      for i in range((last - first).days + 1)}
        run_iter = iter(self.runs_)
        for a in acts:
            d = self.days_[a.day]
            if a.is_run and (a.distance_m or 0) > 0:
                r = next(run_iter)
                d.run_km += r.distance_km
                d.runs += 1
                d.run_min += r.moving_time_min
                d.longest_run_km = max(d.longest_run_km, r.distance_km)
                if r.session_load_au is not None:
                    d.srpe_au += r.session_load_au
                    d.runs_with_rpe += 1
            elif not a.is_run:
                d.cross_min += a.minutes

    def _weeks(self) -> None:
        weeks: dict[date, WeekTotals] = {}
        days_by_week: dict[date, list[DayTotals]] = {}
        for d in self.days_.values():
            ws = week_start(d.day)
            w = weeks.setdefault(ws, WeekTotals(ws))
            days_by_week.setdefault(ws, []).append(d)
            w.run_km += d.run_km
            w.runs += d.runs
            w.run_days += 1 if d.runs else 0
            w.run_min += d.run_min
            w.cross_min += d.cross_min
            w.longest_run_km = max(w.longest_run_km, d.longest_run_km)
        for r in self.runs_:
            w = weeks[week_start(r.day)]
            w.climb_m += r.elevation_gain_m or 0.0
            w.hard_runs += r.intensity == "hard"
            w.hilly_runs += r.hilly
            w.easy_runs += r.intensity == "easy"
            w.classified_runs += r.intensity != "unknown"
        self.weeks_ = [weeks[k] for k in sorted(weeks)]
        chronic_n = int(self.th.value("acwr_chronic_weeks"))
        min_base = self.th.value("weekly_change_min_base_km")
        for i, w in enumerate(self.weeks_):
            self._monotony(w, days_by_week[w.week_start])
            if i and self.weeks_[i - 1].run_km >= min_base:
                w.change_pct = 100.0 * (w.run_km / self.weeks_[i - 1].run_km - 1.0)
            if i >= chronic_n:
                chronic = sum(x.run_km for x in self.weeks_[i - chronic_n:i]) / chronic_n
                w.acwr_uncoupled = w.run_km / chronic if chronic > 0 else None

    @staticmethod
    def _monotony(w: WeekTotals, days: list[DayTotals]) -> None:
        """Foster: mean / SD of the 7 daily loads, rest days as zero; strain = weekly load x monotony."""
        if len(days) < 7:
            return  # a partial first or last week
        use_rpe = w.runs > 0 and all(d.runs_with_rpe == d.runs for d in days)
        loads = [d.srpe_au if use_rpe else d.run_km for d in days]
        w.load_unit = "AU (session RPE x min)" if use_rpe else "km"
        sd = statistics.pstdev(loads)
        if sum(loads) > 0 and sd > 0:
            w.monotony = statistics.fmean(loads) / sd
            w.strain = sum(loads) * w.monotony

    def _ewma(self) -> None:
        """Exponential averages of daily km: weight 1 - exp(-1/tau), seeded with the opening mean."""
        days = sorted(self.days_)
        loads = [self.days_[d].run_km for d in days]
        for tau_id, out in (("ewma_fitness_days", self.fitness_), ("ewma_fatigue_days", self.fatigue_)):
            tau = self.th.value(tau_id)
            lam = 1.0 - math.exp(-1.0 / tau)
            seed = loads[: int(tau)]
            value = sum(seed) / len(seed)
            for d, load in zip(days, loads):
                value = value + lam * (load - value)
                out[d] = value
        self.form_ = {d: self.fitness_[d] - self.fatigue_[d] for d in days}
