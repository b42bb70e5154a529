"""The week of a phase: which exercises on which day, and the runs of the return-to-running phase.

Strength days are spread with a rest day between them where the count allows; walk-run sessions fall on
alternate days (Tue, Thu, Sat), as the ladder asks for a run-free day between sessions."""
from __future__ import annotations

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# days_per_week -> weekdays (0 = Monday)
SPREAD = {1: (2,), 2: (0, 3), 3: (0, 2, 4), 4: (0, 1, 3, 5), 5: (0, 1, 3, 4, 5), 6: (0, 1, 2, 3, 4, 5),
          7: (0, 1, 2, 3, 4, 5, 6)}
RUN_DAYS = (1, 3, 5)


def week(phase: str, exercise_ids: list[str], cards: dict[str, dict], run_text: str | None) -> list[dict]:
    """Seven days, each {day, exercises: [ids], sets: total sets, run: text or None}."""
    out = [{"day": d, "exercises": [], "sets": 0, "run": None} for d in DAYS]
    for eid in exercise_ids:
        dose = cards[eid]["dosage"]
        for i in SPREAD[dose["days_per_week"]]:
            out[i]["exercises"].append(eid)
            out[i]["sets"] += dose["sets"]
    if run_text:
        for i in RUN_DAYS:
            out[i]["run"] = run_text
    return out
