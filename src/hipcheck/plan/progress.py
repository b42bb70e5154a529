"""Following the plan: progression by pain per exercise, adherence per week, the phase check, and
escalation when pain worsens. Pure functions of the plan document, the exercise log and the pain diary."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..diary.models import PainEntry
from ..knowledge.loader import KnowledgeBase
from .exercises import PHASES
from .rules import PlanRules, fmt_number
from .schedule import SPREAD


@dataclass(frozen=True)
class SessionLog:
    """One exercise done on one day: sets completed and the pain (0-10) during it."""
    day: date
    exercise_id: str
    sets: int
    pain: int | None


def phase_on(plan: dict, day: date) -> str | None:
    """The phase the plan was in on `day` (None before the plan started)."""
    current = None
    for h in plan.get("phase_history", []):
        if date.fromisoformat(h["since"]) <= day:
            current = h["phase"]
    return current


def daily_worst(entries: list[PainEntry], logs: list[SessionLog]) -> dict[date, int]:
    """The worst pain recorded on each day, from the diary and the exercise log."""
    out: dict[date, int] = {}
    for e in entries:
        out[e.date] = max(out.get(e.date, 0), e.worst)
    for s in logs:
        if s.pain is not None:
            out[s.day] = max(out.get(s.day, 0), s.pain)
    return out


class PainProgression:
    """Per exercise: progress, hold or regress by the pain-monitoring rule. `advise(card, logs, diary)`."""

    def __init__(self, kb: KnowledgeBase, rules: PlanRules):
        self.kb = kb
        self.r = rules

    def _morning(self, diary: dict[date, PainEntry], day: date) -> tuple[int | None, int | None]:
        e = diary.get(day)
        return (e.pain_next_morning, e.pain_after) if e else (None, None)

    def advise(self, card: dict, logs: list[SessionLog], diary: dict[date, PainEntry]) -> dict:
        during_max, morning_max = self.r.value("pain_during_max"), self.r.value("pain_next_morning_max")
        regress_above, need = self.r.value("plan_regress_pain"), self.r.int("plan_progress_sessions")
        sets = card["dosage"]["sets"]
        mine = sorted((s for s in logs if s.exercise_id == card["id"]), key=lambda s: s.day)
        out = {"exercise": card["id"], "name": card["name"], "sessions_logged": len(mine), "to": None}
        if not mine:
            return {**out, "action": "start", "reason": f"not logged yet: start with {card['dosage_text']}"}
        last = mine[-1]
        morning, _ = self._morning(diary, last.day)
        if (last.pain is not None and last.pain > regress_above) or (morning is not None and morning > regress_above):
            worst = max(v for v in (last.pain, morning) if v is not None)
            easier = card.get("regression")
            return {**out, "action": "regress", "to": easier,
                    "reason": (f"pain reached {worst}/10 on {last.day.isoformat()}, above "
                               f"{fmt_number(regress_above)}/10: "
                               + (f"step back to {easier['name']}" if easier else f"do {max(1, sets - 1)} sets "
                                  "at a gentler effort") + " until two sessions pass the pain limits")}
        problems = []
        for s in mine[-need:]:
            m, a = self._morning(diary, s.day)
            d = s.day.isoformat()
            if s.pain is None:
                problems.append(f"{d}: no pain score logged (add --pain)")
            elif s.pain > during_max:
                problems.append(f"{d}: pain {s.pain}/10 during it (limit {fmt_number(during_max)}/10)")
            if m is None:
                problems.append(f"{d}: next-morning pain not recorded (hipcheck diary add --date {d} "
                                "--pain-next-morning N)")
            elif m > morning_max:
                problems.append(f"{d}: next morning {m}/10 (limit {fmt_number(morning_max)}/10)")
            elif a is not None and m > a:
                problems.append(f"{d}: worse the next morning ({m}/10) than after ({a}/10)")
            if s.sets < sets:
                problems.append(f"{d}: {s.sets} of {sets} sets")
        if len(mine) < need:
            problems.append(f"{len(mine)} of {need} sessions logged")
        if problems:
            return {**out, "action": "hold", "reason": "hold the dosage: " + "; ".join(problems)}
        harder = card.get("progression")
        return {**out, "action": "progress", "to": harder,
                "reason": (f"{need} sessions in a row within the pain limits: "
                           + (f"move on to {harder['name']}" if harder else
                              "add one set, or hold each rep a little longer"))}


class Adherence:
    """Sets logged over sets prescribed, per Monday-Sunday week, for the last `plan_adherence_weeks` weeks.
    Each exercise counts at most its prescribed sets a week, so doing one exercise twice does not make up
    for skipping another."""

    def __init__(self, rules: PlanRules):
        self.r = rules

    def run(self, plan: dict, logs: list[SessionLog], today: date) -> list[dict]:
        if not plan.get("phases"):
            return []
        by_phase = {p["id"]: p["exercises"] for p in plan["phases"]}
        dosage = {c["id"]: c["dosage"] for c in plan["exercises"]}
        start = date.fromisoformat(plan["created"])
        monday = today - timedelta(days=today.weekday())
        weeks = []
        for k in reversed(range(self.r.int("plan_adherence_weeks"))):
            ws = monday - timedelta(weeks=k)
            if ws + timedelta(days=6) < start:
                continue
            prescribed: dict[str, int] = {}
            for i in range(7):
                day = ws + timedelta(days=i)
                if day < start or day > today:
                    continue
                for eid in by_phase.get(phase_on(plan, day) or "", []):
                    if day.weekday() in SPREAD[dosage[eid]["days_per_week"]]:
                        prescribed[eid] = prescribed.get(eid, 0) + dosage[eid]["sets"]
            logged: dict[str, int] = {}
            for s in logs:
                if ws <= s.day <= min(ws + timedelta(days=6), today):
                    logged[s.exercise_id] = logged.get(s.exercise_id, 0) + s.sets
            due = sum(prescribed.values())
            done = sum(min(logged.get(e, 0), n) for e, n in prescribed.items())
            weeks.append({"week_start": ws.isoformat(), "prescribed_sets": due, "done_sets": done,
                          "pct": round(100 * done / due) if due else None})
        return weeks


class Escalation:
    """Escalate when the average daily worst pain of the last 7 days is `plan_escalation_rise_points` above
    the 7 days before (each half needing `plan_escalation_min_days` scored days), when a score reaches
    `plan_severe_pain`, or when a new warning sign appears."""

    def __init__(self, rules: PlanRules):
        self.r = rules

    def check(self, entries: list[PainEntry], logs: list[SessionLog], today: date,
              new_red_flags: list[dict] | None = None, since: date | None = None) -> dict:
        window = self.r.int("plan_escalation_window_days")
        half = window // 2
        worst = {d: v for d, v in daily_worst(entries, logs).items()
                 if today - timedelta(days=window - 1) <= d <= today and (since is None or d >= since)}
        recent = [v for d, v in worst.items() if d > today - timedelta(days=half)]
        earlier = [v for d, v in worst.items() if d <= today - timedelta(days=half)]
        reasons = []
        min_days, rise = self.r.int("plan_escalation_min_days"), self.r.value("plan_escalation_rise_points")
        avg_recent = sum(recent) / len(recent) if recent else None
        avg_earlier = sum(earlier) / len(earlier) if earlier else None
        if len(recent) >= min_days and len(earlier) >= min_days and avg_recent - avg_earlier >= rise:
            reasons.append(f"your pain is getting worse: an average of {avg_recent:.1f}/10 over the last {half} "
                           f"days against {avg_earlier:.1f}/10 the {half} days before")
        severe = self.r.value("plan_severe_pain")
        bad_days = sorted(d for d, v in worst.items() if v >= severe and d > today - timedelta(days=half))
        if bad_days:
            reasons.append(f"you recorded severe pain ({worst[bad_days[-1]]}/10 on {bad_days[-1].isoformat()})")
        for f in new_red_flags or []:
            reasons.append(f"a new warning sign: {f['name'].lower()} ({f['level']})")
        return {"escalate": bool(reasons), "reasons": reasons, "window_days": window,
                "recent_avg": None if avg_recent is None else round(avg_recent, 1),
                "earlier_avg": None if avg_earlier is None else round(avg_earlier, 1),
                "sources": self.r.sources("plan_escalation_window_days", "plan_escalation_rise_points",
                                          "plan_severe_pain")}


class PhaseCheck:
    """Whether the diary and log over the last `plan_phase_window_days` meet the current phase's pain
    criteria for moving on (the other exit criteria are the runner's to judge and are listed)."""

    def __init__(self, rules: PlanRules):
        self.r = rules

    def check(self, plan: dict, entries: list[PainEntry], logs: list[SessionLog], today: date) -> dict:
        phase = plan.get("current_phase")
        if phase is None:
            return {"phase": None, "next": None, "ready": False, "reasons": ["no phases: see a clinician first"]}
        idx = PHASES.index(phase)
        nxt = PHASES[idx + 1] if idx + 1 < len(PHASES) else None
        info = next(p for p in plan["phases"] if p["id"] == phase)
        window = self.r.int("plan_phase_window_days")
        since = max(d for d in [date.fromisoformat(h["since"]) for h in plan["phase_history"]
                                if h["phase"] == phase])
        lo = today - timedelta(days=window - 1)
        in_phase_days = (today - since).days + 1
        mornings = [e for e in entries if lo <= e.date <= today and e.pain_next_morning is not None]
        sessions = [s for s in logs if lo <= s.day <= today]
        during_max, morning_max = self.r.value("pain_during_max"), self.r.value("pain_next_morning_max")
        reasons = []
        if nxt is None:
            reasons.append("this is the last phase")
        if in_phase_days < window:
            reasons.append(f"{in_phase_days} of {window} days in this phase so far")
        if len(mornings) < self.r.int("plan_escalation_min_days"):
            reasons.append(f"only {len(mornings)} next-morning pain score(s) in the last {window} days")
        high = [e for e in mornings if e.pain_next_morning > morning_max]
        if high:
            reasons.append(f"next-morning pain above {fmt_number(morning_max)}/10 on "
                           + ", ".join(e.date.isoformat() for e in high))
        if len(sessions) < self.r.int("plan_progress_sessions"):
            reasons.append(f"only {len(sessions)} exercise session(s) logged in the last {window} days")
        sore = [s for s in sessions if s.pain is None or s.pain > during_max]
        if sore:
            reasons.append(f"exercise pain missing or above {fmt_number(during_max)}/10 on "
                           + ", ".join(sorted({s.day.isoformat() for s in sore})))
        return {"phase": phase, "next": nxt, "ready": not reasons, "reasons": reasons,
                "exit_criteria": info["exit"],
                "sources": self.r.sources("plan_phase_window_days", "pain_during_max", "pain_next_morning_max")}
