"""Following the plan, as pure logic: progression by pain, adherence per week, escalation, the phase check."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from hipcheck.diary.models import PainEntry
from hipcheck.knowledge import get_knowledge
from hipcheck.plan import Adherence, Escalation, PainProgression, PhaseCheck, PlanRules, SessionLog
from hipcheck.plan.exercises import card

D0 = date(2025, 3, 3)  # a Monday


@pytest.fixture(scope="module")
def kb():
    return get_knowledge()


@pytest.fixture(scope="module")
def rules(kb):
    return PlanRules(kb)


@pytest.fixture(scope="module")
def bridge(kb):
    return card(kb, kb.exercises["glute_bridge"], ["settle"], [])


def _diary(*rows) -> dict:
    return {d: PainEntry(date=d, pain_after=a, pain_next_morning=m) for d, a, m in rows}


def _advise(kb, rules, c, logs, diary):
    return PainProgression(kb, rules).advise(c, logs, diary)


def test_two_sessions_within_limits_and_settled_by_morning_progress(kb, rules, bridge):
    logs = [SessionLog(D0, "glute_bridge", 3, 2), SessionLog(D0 + timedelta(2), "glute_bridge", 3, 3)]
    diary = _diary((D0, 2, 1), (D0 + timedelta(2), 3, 2))
    a = _advise(kb, rules, bridge, logs, diary)
    assert a["action"] == "progress"
    assert a["to"] == {"id": "single_leg_glute_bridge", "name": kb.exercises["single_leg_glute_bridge"].name}


@pytest.mark.parametrize("pain, morning, after, sets, expect", [
    (4, 1, 2, 3, "hold"),       # above 3/10 during it
    (2, None, 2, 3, "hold"),    # next morning not recorded yet
    (2, 3, 3, 3, "hold"),       # not settled by the next morning
    (2, 2, 1, 3, "hold"),       # worse next morning than after
    (2, 1, 1, 2, "hold"),       # not the full dosage
    (None, 1, 1, 3, "hold"),    # no pain score
    (6, 1, 2, 3, "regress"),    # above 5/10 during it
    (2, 6, 2, 3, "regress"),    # above 5/10 the next morning
])
def test_hold_or_regress_when_the_pain_rule_fails(kb, rules, bridge, pain, morning, after, sets, expect):
    logs = [SessionLog(D0, "glute_bridge", 3, 1), SessionLog(D0 + timedelta(2), "glute_bridge", sets, pain)]
    diary = _diary((D0, 1, 0), (D0 + timedelta(2), after, morning))
    a = _advise(kb, rules, bridge, logs, diary)
    assert a["action"] == expect, a["reason"]


def test_regress_names_the_easier_exercise_or_fewer_sets(kb, rules):
    lateral = card(kb, kb.exercises["lateral_step_down"], ["return"], [])
    a = _advise(kb, rules, lateral, [SessionLog(D0, "lateral_step_down", 3, 7)], {})
    assert a["action"] == "regress" and a["to"]["id"] == "step_up"
    bridge = card(kb, kb.exercises["glute_bridge"], ["settle"], [])  # no easier version
    a = _advise(kb, rules, bridge, [SessionLog(D0, "glute_bridge", 3, 7)], {})
    assert a["to"] is None and "2 sets" in a["reason"]


def test_one_session_is_not_enough_and_unlogged_exercises_start(kb, rules, bridge):
    a = _advise(kb, rules, bridge, [SessionLog(D0, "glute_bridge", 3, 1)], _diary((D0, 1, 0)))
    assert a["action"] == "hold" and "1 of 2 sessions" in a["reason"]
    assert _advise(kb, rules, bridge, [], {})["action"] == "start"


def _plan(kb, created=D0):
    iso = card(kb, kb.exercises["isometric_hip_abduction"], ["settle"], [])  # 5 sets, 7 days a week
    br = card(kb, kb.exercises["glute_bridge"], ["settle"], [])  # 3 sets, Mon/Wed/Fri
    return {"created": created.isoformat(), "current_phase": "settle",
            "phase_history": [{"phase": "settle", "since": created.isoformat()}],
            "phases": [{"id": "settle", "exercises": ["isometric_hip_abduction", "glute_bridge"],
                        "exit": ["calm"]}],
            "exercises": [iso, br]}


def test_adherence_is_sets_done_over_sets_prescribed_per_week(kb, rules):
    plan = _plan(kb)
    logs = [SessionLog(D0 + timedelta(i), "isometric_hip_abduction", 5, 1) for i in range(7)]
    logs += [SessionLog(D0, "glute_bridge", 3, 1), SessionLog(D0 + timedelta(2), "glute_bridge", 6, 1)]
    weeks = Adherence(rules).run(plan, logs, D0 + timedelta(days=6))
    assert len(weeks) == 1
    w = weeks[0]
    assert w["prescribed_sets"] == 7 * 5 + 3 * 3
    assert w["done_sets"] == 35 + 9  # 9 bridge sets logged, capped at the 9 prescribed
    assert w["pct"] == 100
    logs2 = logs[:3]
    w2 = Adherence(rules).run(plan, logs2, D0 + timedelta(days=6))[0]
    assert w2["done_sets"] == 15 and w2["pct"] == round(100 * 15 / 44)


def test_adherence_counts_only_days_of_the_plan_and_caps_each_exercise(kb, rules):
    plan = _plan(kb, created=D0 + timedelta(days=3))  # plan starts on Thursday
    logs = [SessionLog(D0 + timedelta(days=3), "isometric_hip_abduction", 20, 0)]  # overdoing one exercise
    w = Adherence(rules).run(plan, logs, D0 + timedelta(days=6))[0]
    assert w["prescribed_sets"] == 4 * 5 + 1 * 3  # Thu-Sun holds, Friday's bridges
    assert w["done_sets"] == 20 and w["pct"] == round(100 * 20 / 23)
    several = Adherence(rules).run(plan, [], D0 + timedelta(days=20))
    assert [x["week_start"] for x in several] == ["2025-03-03", "2025-03-10", "2025-03-17"]
    assert all(x["pct"] == 0 for x in several)


def _entries(scores: dict[int, int]) -> list[PainEntry]:
    return [PainEntry(date=D0 + timedelta(days=k), pain_after=v) for k, v in scores.items()]


def test_escalation_when_pain_rises_over_the_window(rules):
    today = D0 + timedelta(days=13)
    rising = _entries({0: 2, 2: 2, 4: 3, 8: 4, 10: 5, 12: 5})
    esc = Escalation(rules).check(rising, [], today)
    assert esc["escalate"] and "getting worse" in esc["reasons"][0]
    assert esc["earlier_avg"] == pytest.approx(7 / 3, abs=0.05) and esc["recent_avg"] == pytest.approx(14 / 3, abs=0.05)
    steady = _entries({0: 3, 2: 3, 4: 3, 8: 3, 10: 4, 12: 3})
    assert not Escalation(rules).check(steady, [], today)["escalate"]
    improving = _entries({0: 5, 2: 5, 8: 2, 12: 1})
    assert not Escalation(rules).check(improving, [], today)["escalate"]
    thin = _entries({0: 1, 12: 6})  # one score on each side is not a trend
    assert not Escalation(rules).check(thin, [], today)["escalate"]


def test_escalation_counts_exercise_pain_severe_pain_and_new_warning_signs(rules):
    today = D0 + timedelta(days=13)
    logs = [SessionLog(D0 + timedelta(days=k), "glute_bridge", 3, p) for k, p in {1: 1, 3: 1, 9: 4, 11: 4}.items()]
    assert Escalation(rules).check([], logs, today)["escalate"]
    severe = Escalation(rules).check(_entries({12: 8}), [], today)
    assert severe["escalate"] and "severe pain" in severe["reasons"][0]
    flag = {"id": "unrelenting_night_pain", "name": "Unrelenting pain at night or at rest", "level": "urgent"}
    esc = Escalation(rules).check([], [], today, [flag])
    assert esc["escalate"] and "new warning sign" in esc["reasons"][0]
    # after an escalation has been handled, only newer pain counts
    assert not Escalation(rules).check(_entries({12: 8}), [], today, since=D0 + timedelta(days=13))["escalate"]


def test_phase_check_needs_a_calm_week_of_data(kb, rules):
    plan = _plan(kb)
    today = D0 + timedelta(days=7)
    calm = [PainEntry(date=D0 + timedelta(days=k), pain_next_morning=1) for k in range(1, 8)]
    logs = [SessionLog(D0 + timedelta(days=k), "glute_bridge", 3, 2) for k in (2, 4, 6)]
    ok = PhaseCheck(rules).check(plan, calm, logs, today)
    assert ok["ready"] and ok["next"] == "rebuild", ok["reasons"]
    sore = calm[:-1] + [PainEntry(date=today, pain_next_morning=4)]
    bad = PhaseCheck(rules).check(plan, sore, logs, today)
    assert not bad["ready"] and any("above 2/10" in r for r in bad["reasons"])
    early = PhaseCheck(rules).check(plan, calm, logs, D0 + timedelta(days=2))
    assert not early["ready"] and any("days in this phase" in r for r in early["reasons"])
