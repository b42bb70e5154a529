"""Training-error flags: each check reads a TrainingHistory and produces Findings with honest wording.

Every finding's `data` carries `date` (ISO day the flag refers to) and `kind`, so the report can put
flags on the time axis and ask which ones came before a pain rise.
"""
from __future__ import annotations

from datetime import date, timedelta

from ..findings import Finding
from .metrics import TrainingHistory
from .thresholds import LoadThresholds


def strength_label(weight: float) -> str:
    """The shared Finding's strength word for a 0-1 weight from thresholds.yaml."""
    return "weak" if weight < 0.35 else "moderate" if weight < 0.65 else "strong"


def _finding(rid: str, evidence: str, weight: float, source: str, day: date, kind: str,
             **data) -> Finding:
    weight = round(min(1.0, max(0.0, weight)), 3)
    return Finding(id=rid, evidence=evidence, strength=strength_label(weight), source=source,
                   data={"date": day.isoformat(), "kind": kind, "weight": weight, **data})


class SpikeCheck:
    """Frandsen 2025: each session against the longest session of the previous 30 days (day excluded)."""

    def __init__(self, th: LoadThresholds):
        self.th = th
        self.spikes_: list[dict] = []  # one row per session with a ratio (for the chart and JSON)

    def run(self, h: TrainingHistory) -> list[Finding]:
        window = timedelta(days=self.th.value("spike_window_days"))
        small, moderate, large = (self.th.value(f"spike_{k}_ratio") for k in ("small", "moderate", "large"))
        thin_n = self.th.value("spike_thin_history_sessions")
        out: list[Finding] = []
        self.spikes_ = []
        sessions = h.sessions_
        for i, s in enumerate(sessions):
            prior = [p for p in sessions[:i] if s.day - window <= p.day < s.day]
            if not prior:
                continue  # no 30-day reference: handled by BreakCheck
            ref = max(p.distance_km for p in prior)
            ratio = s.distance_km / ref if ref > 0 else None
            if ratio is None:
                continue
            band = ("large" if ratio > large else "moderate" if ratio > moderate
                    else "small" if ratio > small else None)
            self.spikes_.append({"date": s.day.isoformat(), "distance_km": round(s.distance_km, 2),
                                 "longest_prev_30d_km": round(ref, 2), "ratio": round(ratio, 3),
                                 "band": band})
            if band is None:
                continue
            hrr = self.th.value(f"spike_{band}_hrr")
            strength = self.th.value(f"spike_{band}_strength")
            thin = len(prior) < thin_n
            if thin:
                strength *= 0.5
            pct = 100 * (ratio - 1)
            evidence = (f"{s.day.isoformat()}: a {s.distance_km:.1f} km run, {pct:.0f}% longer than your "
                        f"longest run of the previous 30 days ({ref:.1f} km) - a {band} spike. In a cohort "
                        f"of 5,205 runners, sessions in this band carried about {hrr:.2f} times the injury "
                        "rate of runs no more than 10% longer (any overuse injury, not only the hip).")
            if thin:
                evidence += f" Only {len(prior)} run(s) in those 30 days, so the comparison is rough."
            out.append(_finding("long_run_spike", evidence, strength, self.th.source(f"spike_{band}_hrr"),
                                s.day, f"spike_{band}", ratio=round(ratio, 3), hrr=hrr,
                                distance_km=round(s.distance_km, 2), reference_km=round(ref, 2),
                                thin_history=thin))
        return out


class WeeklyChangeCheck:
    """Week-to-week distance change against the 10% rule, worded as weak evidence."""

    def __init__(self, th: LoadThresholds):
        self.th = th

    def run(self, h: TrainingHistory) -> list[Finding]:
        rule, big = self.th.value("weekly_increase_rule_pct"), self.th.value("weekly_increase_large_pct")
        out = []
        for prev, w in zip(h.weeks_, h.weeks_[1:]):
            if w.change_pct is None or w.change_pct <= rule:
                continue
            large = w.change_pct > big
            evidence = (f"week of {w.week_start.isoformat()}: {w.run_km:.1f} km, up {w.change_pct:.0f}% on "
                        f"the week before ({prev.run_km:.1f} km). The articles advise at most {rule:.0f}% a "
                        "week, but a randomised trial (Buist 2008) found a 10%-rule programme gave the same "
                        "injury rate, and the largest runner cohort saw no link with weekly change.")
            if large:
                evidence += (f" Over {big:.0f}% was weakly linked to distance-related injuries, which "
                             "include outer-hip problems (Nielsen 2014; not significant).")
            tid = "weekly_large_change_strength" if large else "weekly_change_strength"
            out.append(_finding("training_spike", evidence, self.th.value(tid),
                                self.th.source("weekly_increase_large_pct" if large
                                               else "weekly_increase_rule_pct"),
                                w.week_start + timedelta(days=6), "weekly_increase_large" if large
                                else "weekly_increase", change_pct=round(w.change_pct, 1),
                                week_km=round(w.run_km, 2), previous_week_km=round(prev.run_km, 2)))
        return out


class RecoveryCheck:
    """Foster monotony (rest days as zero) and weeks without a rest day."""

    def __init__(self, th: LoadThresholds):
        self.th = th

    def run(self, h: TrainingHistory) -> list[Finding]:
        limit = self.th.value("monotony_high")
        min_rest = self.th.value("rest_days_min_per_week")
        strength = self.th.value("monotony_strength")
        out = []
        for w in h.weeks_:
            full_week = all((w.week_start + timedelta(days=i)) in h.days_ for i in range(7))
            if not full_week or w.runs == 0:
                continue
            rest_days = 7 - w.run_days
            high = w.monotony is not None and w.monotony > limit
            if not high and rest_days >= min_rest:
                continue
            parts = []
            if high:
                parts.append(f"training monotony {w.monotony:.1f} (mean daily load / SD, rest days as zero; "
                             f"above {limit:.1f} means every day looks the same)")
            if rest_days < min_rest:
                parts.append("no run-free day")
            evidence = f"week of {w.week_start.isoformat()}: " + " and ".join(parts)
            if w.strain is not None:
                evidence += f"; strain {w.strain:.0f} {w.load_unit}"
            evidence += "."
            evidence += " Foster linked high strain to illness; the articles advise rest days."
            out.append(_finding("insufficient_recovery", evidence, strength,
                                self.th.source("monotony_high" if high else "rest_days_min_per_week"),
                                w.week_start + timedelta(days=6), "monotony" if high else "no_rest_day",
                                monotony=round(w.monotony, 2) if w.monotony else None,
                                strain=round(w.strain, 1) if w.strain else None, rest_days=rest_days))
        return out


class IntensityMixCheck:
    """Share of easy running in consecutive `intensity_window_days` blocks counted back from the latest run
    (or today, when the latest run is in the current block), against about 80%."""

    def __init__(self, th: LoadThresholds):
        self.th = th
        self.easy_share_: float | None = None  # the latest block's share
        self.basis_: list[str] = []

    def run(self, h: TrainingHistory, today: date) -> list[Finding]:
        window = timedelta(days=self.th.value("intensity_window_days"))
        classified = [r for r in h.runs_ if r.intensity != "unknown" and r.day <= today]
        if not classified:
            return []
        end = max(r.day for r in classified)
        end = today if today - end < window else end
        first = min(r.day for r in classified)
        out = []
        while end >= first:
            block = [r for r in classified if end - window < r.day <= end]
            finding = self._block(block, end, window.days)
            if finding is not None:
                out.append(finding)
            end -= window
        return out

    def _block(self, runs: list, end: date, days: int) -> Finding | None:
        if len(runs) < 4:
            return None
        easy = sum(r.intensity == "easy" for r in runs)
        share = easy / len(runs)
        basis = sorted({r.intensity_basis for r in runs})
        if self.easy_share_ is None:
            self.easy_share_, self.basis_ = share, basis
        floor = self.th.value("easy_share_min")
        if share >= floor:
            return None
        evidence = (f"{days} days to {end.isoformat()}: {easy} of {len(runs)} runs were easy "
                    f"({100 * share:.0f}%; judged by {', '.join(basis)}). Well-trained endurance athletes "
                    f"keep about {100 * floor:.0f}% of sessions easy, and the articles advise keeping most "
                    "runs easy; this describes training practice, not a proven injury risk.")
        return _finding("intensity_stacking", evidence, self.th.value("easy_share_strength"),
                        self.th.source("easy_share_min"), end, "easy_share",
                        easy_share=round(share, 3), runs=len(runs))


class StackingCheck:
    """Hills or hard runs added in the biggest week of the last 8 weeks."""

    def __init__(self, th: LoadThresholds):
        self.th = th

    def run(self, h: TrainingHistory) -> list[Finding]:
        look = int(self.th.value("stacking_lookback_weeks"))
        out = []
        weeks = h.weeks_
        for i, w in enumerate(weeks):
            if i < 4 or w.run_km <= 0:
                continue
            window = weeks[max(0, i - look + 1): i + 1]
            if w.run_km < max(x.run_km for x in window):
                continue
            before = weeks[i - 4:i]
            for attr, rid, word in (("hilly_runs", "hills_added", "hill"),
                                    ("hard_runs", "speed_added", "hard")):
                now = getattr(w, attr)
                usual = sum(getattr(x, attr) for x in before) / 4
                if now >= 1 and now >= usual + 1:
                    evidence = (f"week of {w.week_start.isoformat()} was your biggest in {len(window)} weeks "
                                f"({w.run_km:.1f} km) and held {now} {word} run(s), against "
                                f"{usual:.1f} a week before it. The articles warn against stacking hills "
                                "or speed onto a big week; there is no measured effect size for this.")
                    out.append(_finding(rid, evidence, self.th.value("stacking_strength"),
                                        self.th.source("stacking_strength"),
                                        w.week_start + timedelta(days=6), f"stacked_{word}",
                                        week_km=round(w.run_km, 2), runs=now, usual_per_week=round(usual, 2)))
        return out


class BreakCheck:
    """The first run after `break_days` or more without running."""

    def __init__(self, th: LoadThresholds):
        self.th = th

    def run(self, h: TrainingHistory) -> list[Finding]:
        gap_days = self.th.value("break_days")
        out = []
        sessions = h.sessions_
        for prev, s in zip(sessions, sessions[1:]):
            gap = (s.day - prev.day).days - 1  # run-free days in between
            if gap < gap_days:
                continue
            first_week = sum(x.distance_km for x in sessions if s.day <= x.day < s.day + timedelta(days=7))
            evidence = (f"{s.day.isoformat()}: back running after {gap} days off; {first_week:.1f} km in the "
                        "first 7 days back. After a break there is little or no 30-day history, so the "
                        "spike rule cannot guard these runs; tissues lose some of their conditioning.")
            out.append(_finding("back_after_break", evidence, self.th.value("back_after_break_strength"),
                                self.th.source("back_after_break_strength"), s.day, "back_after_break",
                                days_off=gap, first_week_km=round(first_week, 2)))
        return out


class TrainingErrorFlags:
    """Run every check. Results: `findings_` (sorted by date), `spikes_`, `easy_share_`."""

    def __init__(self, thresholds: LoadThresholds):
        self.th = thresholds
        self.findings_: list[Finding] = []
        self.spikes_: list[dict] = []
        self.easy_share_: float | None = None

    def run(self, h: TrainingHistory, today: date) -> TrainingErrorFlags:
        spike = SpikeCheck(self.th)
        mix = IntensityMixCheck(self.th)
        found = (spike.run(h) + WeeklyChangeCheck(self.th).run(h) + RecoveryCheck(self.th).run(h)
                 + mix.run(h, today) + StackingCheck(self.th).run(h) + BreakCheck(self.th).run(h))
        self.findings_ = sorted(found, key=lambda f: (f.data["date"], f.id))
        self.spikes_ = spike.spikes_
        self.easy_share_ = mix.easy_share_
        return self

