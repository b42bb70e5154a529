"""Metrics and training-error flags on constructed histories (thresholds from the real knowledge base)."""
from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from hipcheck.load.flags import (BreakCheck, IntensityMixCheck, RecoveryCheck, SpikeCheck, StackingCheck,
                                 TrainingErrorFlags, WeeklyChangeCheck)
from hipcheck.load.metrics import TrainingHistory
from hipcheck.load.thresholds import load_thresholds
from test_load_support import activity, steady_weeks

MON = date(2025, 3, 3)  # a Monday


@pytest.fixture(scope="module")
def th():
    return load_thresholds()


def history(th, acts, until=None):
    return TrainingHistory(th, until=until).run(acts)


@pytest.mark.parametrize("km, band, hrr", [(8.8, None, None), (8.9, "small", 1.64), (10.4, "small", 1.64),
                                           (10.5, "moderate", 1.52), (16.0, "moderate", 1.52),
                                           (16.1, "large", 2.28)])
def test_spike_bins_follow_frandsen(th, km, band, hrr):
    acts = steady_weeks(MON, 4, km_per_run=8.0) + [activity(MON + timedelta(days=28), km)]
    found = SpikeCheck(th).run(history(th, acts))
    if band is None:
        assert found == []
    else:
        (f,) = found
        assert f.id == "long_run_spike" and f.data["kind"] == f"spike_{band}" and f.data["hrr"] == hrr
        assert f.source == "frandsen_2025" and f"{hrr:.2f}" in f.evidence
        assert not f.data["thin_history"]


def test_spike_compares_with_previous_30_days_only_and_excludes_today(th):
    acts = [activity(MON, 20.0)] + [activity(MON + timedelta(days=31 + d), 8.0) for d in (0, 2)]
    day = MON + timedelta(days=40)
    acts += [activity(day, 10.0, hour=6, minutes=50), activity(day, 10.0, hour=18, minutes=50)]
    spikes = SpikeCheck(th).run(history(th, acts))
    # the 20 km run is 31+ days back, so 10 km against 8 km is a small spike (not a regression);
    # the evening run is compared with earlier days only, not with the morning run of the same day
    assert [f.data["kind"] for f in spikes] == ["spike_small", "spike_small"]
    assert spikes[0].data["reference_km"] == 8.0 and spikes[0].data["thin_history"]


def test_empty_history_gives_no_ratio_and_runs_split_by_a_pause_are_one_session(th):
    first = activity(MON, 10.0, hour=6, minutes=30)
    assert SpikeCheck(th).run(history(th, [first])) == []
    acts = steady_weeks(MON, 4, km_per_run=8.0)
    day = MON + timedelta(days=28)
    acts += [activity(day, 5.0, hour=6, minutes=30), activity(day, 5.0, hour=7, minutes=30)]
    h = history(th, acts)
    assert h.sessions_[-1].distance_km == pytest.approx(10.0)  # 30 min gap: one 10 km session
    (f,) = SpikeCheck(th).run(h)
    assert f.data["kind"] == "spike_small"
    acts[-1] = activity(day, 5.0, hour=18, minutes=30)  # an evening run is its own session
    assert SpikeCheck(th).run(history(th, acts)) == []


def test_weekly_change_uses_10_percent_rule_with_buist_caveat(th):
    acts = steady_weeks(MON, 3, km_per_run=5.0) + steady_weeks(MON + timedelta(weeks=3), 1, km_per_run=5.6)
    acts += steady_weeks(MON + timedelta(weeks=4), 1, km_per_run=7.5)
    h = history(th, acts)
    assert [round(w.change_pct or 0) for w in h.weeks_] == [0, 0, 0, 12, 34]
    found = WeeklyChangeCheck(th).run(h)
    assert [f.data["kind"] for f in found] == ["weekly_increase", "weekly_increase_large"]
    assert "Buist 2008" in found[0].evidence and found[0].strength == "weak"
    assert found[1].source == "nielsen_2014"


def test_acwr_is_uncoupled_and_context_only(th):
    acts = steady_weeks(MON, 3, km_per_run=5.0) + steady_weeks(MON + timedelta(weeks=3), 1, km_per_run=10.0)
    h = history(th, acts)
    assert h.weeks_[3].acwr_uncoupled == pytest.approx(40.0 / 20.0)  # this week / mean of 3 before
    flags = TrainingErrorFlags(th).run(h, MON + timedelta(weeks=4))
    assert all("acwr" not in f.data["kind"] for f in flags.findings_)


def test_monotony_counts_rest_days_as_zero(th):
    same = [activity(MON + timedelta(days=d), 8.0 + (d % 2) * 0.5) for d in range(7)]
    h = history(th, same)
    loads = [8.0, 8.5, 8.0, 8.5, 8.0, 8.5, 8.0]
    mean = sum(loads) / 7
    sd = math.sqrt(sum((x - mean) ** 2 for x in loads) / 7)
    assert h.weeks_[0].monotony == pytest.approx(mean / sd)
    assert h.weeks_[0].strain == pytest.approx(sum(loads) * mean / sd)
    kinds = {f.data["kind"] for f in RecoveryCheck(th).run(h)}
    assert kinds == {"monotony"}
    three = [activity(MON + timedelta(days=d), 8.0) for d in (0, 2, 4)]  # four rest days at zero
    w = history(th, three, until=MON + timedelta(days=6)).weeks_[0]
    assert w.monotony == pytest.approx((24 / 7) / math.sqrt(sum((x - 24 / 7) ** 2 for x in
                                                                [8, 0, 8, 0, 8, 0, 0]) / 7))
    assert RecoveryCheck(th).run(history(th, three, until=MON + timedelta(days=6))) == []


def test_monotony_uses_session_rpe_when_every_run_has_it(th):
    acts = [activity(MON + timedelta(days=d), 8.0, rpe=3, minutes=40) for d in (0, 2, 4, 6)]
    w = history(th, acts).weeks_[0]
    assert w.load_unit.startswith("AU") and w.strain == pytest.approx(480 * w.monotony)


def test_fitness_fatigue_constants_and_seed(th):
    acts = [activity(MON + timedelta(days=d), 10.0) for d in range(60)]
    h = history(th, acts)
    last = max(h.days_)
    assert h.fitness_[last] == pytest.approx(10.0) and h.form_[last] == pytest.approx(0.0)  # seeded, not 0
    acts.append(activity(MON + timedelta(days=60), 30.0))
    h = history(th, acts)
    last = max(h.days_)
    assert h.fatigue_[last] == pytest.approx(10 + (1 - math.exp(-1 / 7)) * 20)
    assert h.fitness_[last] == pytest.approx(10 + (1 - math.exp(-1 / 42)) * 20)


def test_intensity_mix_prefers_rpe_then_heart_rate(th):
    acts = [activity(MON + timedelta(days=2 * i), 8.0, rpe=6 if i % 2 else 2) for i in range(8)]
    mix = IntensityMixCheck(th)
    (f,) = mix.run(history(th, acts), MON + timedelta(days=15))
    assert f.id == "intensity_stacking" and mix.easy_share_ == 0.5 and "rpe" in f.evidence
    hr = [activity(MON + timedelta(days=2 * i), 8.0, avg_hr=130, max_hr=185) for i in range(8)]
    h = history(th, hr)
    assert {r.intensity for r in h.runs_} == {"easy"} and h.hr_max_bpm_ == 185
    assert IntensityMixCheck(th).run(h, MON + timedelta(days=15)) == []


def test_hills_stacked_onto_biggest_week(th):
    acts = steady_weeks(MON, 5, km_per_run=6.0)
    big = MON + timedelta(weeks=5)
    acts += [activity(big + timedelta(days=d), 7.0, climb_m=25 * 7 if d == 2 else 10) for d in (0, 2, 4, 6)]
    found = StackingCheck(th).run(history(th, acts))
    assert [f.id for f in found] == ["hills_added"] and found[0].source == "art002_prevention"


def test_return_after_break(th):
    acts = steady_weeks(MON, 2) + steady_weeks(MON + timedelta(weeks=6), 1)
    (f,) = BreakCheck(th).run(history(th, acts))
    assert f.id == "back_after_break" and f.data["days_off"] == 28
