"""The plan as an .ics calendar (icalendar): the current phase's exercise sessions and walk-run sessions
for the next weeks, a next-morning pain reminder after each session day, and a weekly check-in, each
with a reminder alarm. A red-flag plan has no sessions: one event, now, to see a clinician.

Times are floating local times (no time zone), so the sessions land at the same clock time wherever the
runner imports the file. UIDs are derived from the plan, so importing an updated file replaces events."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from .load_report import atomic_write

EXERCISE_AT = time(18, 0)
RUN_AT = time(7, 30)
MORNING_LOG_AT = time(8, 0)
CHECK_IN_AT = time(19, 0)
ALARM_BEFORE = timedelta(minutes=30)


def _event(cal, uid: str, summary: str, start: datetime, minutes: int, description: str,
           stamp: datetime, alarm: timedelta = ALARM_BEFORE) -> None:
    from icalendar import Alarm, Event

    ev = Event()
    ev.add("uid", uid)
    ev.add("dtstamp", stamp)
    ev.add("summary", summary)
    ev.add("dtstart", start)
    ev.add("dtend", start + timedelta(minutes=minutes))
    ev.add("description", description)
    ev.add("categories", ["hipcheck"])
    al = Alarm()
    al.add("action", "DISPLAY")
    al.add("description", summary)
    al.add("trigger", -alarm)
    ev.add_component(al)
    cal.add_component(ev)


def build_calendar(plan: dict, start: date, weeks: int = 4):
    """The icalendar Calendar for `weeks` weeks from `start`."""
    from icalendar import Calendar

    if not 1 <= weeks <= 12:
        from ..errors import InputError

        raise InputError(f"--weeks must be between 1 and 12 (got {weeks})")
    cal = Calendar()
    cal.add("prodid", "-//hipcheck//hip plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Hip plan{' - ' + plan['athlete'] if plan.get('athlete') else ''}")
    key = f"{plan.get('plan_id') or 'plan'}-{plan['created']}"
    stamp = datetime.combine(date.fromisoformat(plan["created"]), time(0, 0))
    t = plan.get("triage") or {}
    if plan.get("protect_only"):
        steps = "\n".join(f"- {p['title']}: {p['text']}" for p in plan.get("protect", []))
        _event(cal, f"{key}-clinician@hipcheck", f"See a clinician about your hip: {t.get('headline')}",
               datetime.combine(start, time(9, 0)), 30,
               f"{t.get('advice') or ''}\n\n{steps}", stamp, alarm=timedelta(0))
        return cal
    phase = next(p for p in plan["phases"] if p["id"] == plan["current_phase"])
    cards = {c["id"]: c for c in plan["exercises"]}
    ladder = plan["running"].get("return_to_run") or {}
    ladder_text = "\n".join(f"Step {s['step']}: {s['text']}" for s in ladder.get("steps", []))
    rule = (plan.get("progression") or {}).get("text", "")
    for i in range(weeks * 7):
        day = start + timedelta(days=i)
        slot = phase["week"][day.weekday()]
        if slot["exercises"]:
            lines = [f"- {cards[e]['name']}: {cards[e]['dosage_text']}" for e in slot["exercises"]]
            log = " ".join(f"hipcheck plan log --date {day.isoformat()} --exercise {e} --sets N --pain N"
                           for e in slot["exercises"][:1])
            _event(cal, f"{key}-ex-{day.isoformat()}@hipcheck",
                   f"Hip exercises ({len(slot['exercises'])}): {phase['title'].split(':')[0]}",
                   datetime.combine(day, EXERCISE_AT), 30,
                   "\n".join(lines) + f"\n\n{rule}\n\nLog each exercise, e.g.: {log}", stamp)
            nxt = day + timedelta(days=1)
            _event(cal, f"{key}-morning-{nxt.isoformat()}@hipcheck", "Log next-morning hip pain",
                   datetime.combine(nxt, MORNING_LOG_AT), 5,
                   f"How does the hip feel this morning (0-10)? hipcheck diary add --date {day.isoformat()} "
                   "--pain-next-morning N", stamp, alarm=timedelta(0))
        if slot["run"]:
            _event(cal, f"{key}-run-{day.isoformat()}@hipcheck", f"Run: {slot['run']}",
                   datetime.combine(day, RUN_AT), int(ladder.get("session_min") or 30),
                   f"{ladder_text}\n\nMove up one step only after {ladder.get('sessions_per_step', 2)} sessions "
                   "within the pain limits. Record the pain: hipcheck diary add --pain-during N --pain-after N",
                   stamp)
        if day.weekday() == 6:
            _event(cal, f"{key}-review-{day.isoformat()}@hipcheck", "Hip plan weekly check-in",
                   datetime.combine(day, CHECK_IN_AT), 10,
                   "See adherence, each exercise's next step and whether you can move on: hipcheck plan status",
                   stamp)
    return cal


def write_ics(plan: dict, path: Path, start: date, weeks: int = 4) -> Path:
    atomic_write(Path(path), build_calendar(plan, start, weeks).to_ical())
    return Path(path)
