"""Use cases of the plan: build it (from the latest assessment, or an intake assessed now), log exercise
sessions, show progress (adherence, progression by pain, phase check), escalate and re-assess when pain
worsens or a warning sign appears, move to the next phase, and write the handout, calendar and FHIR export.

Reads happen in one transaction and writes in another, so the assessment service (which opens its own
transaction) can run in between."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from ..errors import HipcheckError, InputError
from ..findings import Finding
from ..knowledge import get_knowledge
from ..plan import (
    Adherence,
    Escalation,
    PainProgression,
    PhaseCheck,
    PlanBuilder,
    PlanInputs,
    PlanRules,
    RedFlagGate,
    SessionLog,
)

MAX_SETS = 20


def today_local() -> date:
    return datetime.now().astimezone().date()


@dataclass
class PlanResult:
    document: dict
    plan_id: int | None = None
    stored_for: str | None = None
    note: str | None = None
    assessment: dict | None = None
    record: dict = field(default_factory=dict)  # what the FHIR export needs: intake, pain, gait


# ---- building --------------------------------------------------------------------------------------------
def build_plan(athlete: str | None = None, intake: str | Path | None = None, today: date | None = None) -> PlanResult:
    """A new plan for `athlete` (or the only athlete). With `intake`, the intake is assessed first (and
    stored when there is an athlete to store it for); otherwise the latest stored assessment is used."""
    from . import assess as assess_service

    kb = get_knowledge()
    today = today or today_local()
    note = None
    if intake is not None:
        result = assess_service.assess_file(intake, athlete=athlete, store=True)
        note = result.note
        if result.stored_for is None:  # nobody to store it for: the plan is still built, from this document
            doc = PlanBuilder(kb).build(PlanInputs(result.document, today))
            record = {"athlete": athlete, "intake": _intake_copy(intake), "diary": [], "logs": [], "gait": [],
                      "intake_date": today.isoformat()}
            return PlanResult(doc, None, None, note, result.document, record)
        athlete = result.stored_for
    ctx = _context(athlete, today, kb)
    previous = ctx.pop("previous_plan")
    inputs = PlanInputs(ctx["assessment"], today, ctx["findings"], ctx["load_plan"], ctx["cadence_spm"],
                        ctx["athlete"], ctx["assessment_id"])
    doc = PlanBuilder(kb).build(inputs)
    _carry_over(doc, previous, ctx["assessment_id"])
    plan_id = _save_plan(ctx["athlete"], doc, ctx["assessment_id"])
    doc["plan_id"] = plan_id
    return PlanResult(doc, plan_id, ctx["athlete"], note, ctx["assessment"], ctx["record"])


def _intake_copy(path) -> dict:
    from ..assess import read_intake

    return read_intake(path)


def _carry_over(doc: dict, previous: dict | None, assessment_id: int | None) -> None:
    """Rebuilt from the same assessment: keep the start date, phase and escalation history."""
    if not previous or previous.get("assessment_id") != assessment_id or doc.get("protect_only"):
        return
    if previous.get("protect_only"):
        return
    for key in ("created", "current_phase", "phase_history", "escalations"):
        if key in previous:
            doc[key] = previous[key]


def _context(athlete: str | None, today: date, kb) -> dict:
    """Everything a plan is built from, read in one transaction."""
    from ..store import get_database, latest_assessment, plan_repo, resolve_athlete

    rules = PlanRules(kb)
    with get_database().session() as s:
        who = resolve_athlete(s, athlete)
        a = latest_assessment(s, who)
        if a is None:
            raise InputError(f"no assessment for '{who.name}' yet: run `hipcheck plan --intake FILE` or "
                             f"`hipcheck assess FILE --athlete \"{who.name}\"` first")
        prev = plan_repo.latest_plan(s, who)
        gait_rows = plan_repo.latest_gait_documents(s, who)
        record = _record(s, who, a)
        has_runs = bool(record.pop("has_activities"))
        ctx = {"athlete": who.name, "assessment": a.document, "assessment_id": a.id,
               "previous_plan": prev.document if prev else None, "record": record}
    findings, cadence = _gait_findings([r.document for r in gait_rows if r.kind in ("gait", "posture")])
    load_findings, load_plan = ([], None)
    if has_runs:
        load_findings, load_plan = _load_inputs(ctx["athlete"], today, rules)
    ctx.update(findings=load_findings + findings, cadence_spm=cadence, load_plan=load_plan)
    return ctx


def _record(s, who, assessment) -> dict:
    """The raw material of the FHIR export: intake, diary, exercise log, gait documents."""
    from sqlalchemy import select

    from ..store import Activity, plan_repo

    intake = plan_repo.intake_for(s, assessment)
    return {
        "athlete": who.name, "athlete_id": who.id,
        "intake": intake.document if intake else None,
        "intake_date": (intake.created_at.date().isoformat() if intake else None),
        "diary": [{"date": r.date.isoformat(), "pain_during": r.pain_during, "pain_after": r.pain_after,
                   "pain_next_morning": r.pain_next_morning, "location": r.location}
                  for r in plan_repo.diary_rows(s, who)],
        "logs": [{"date": r.date.isoformat(), "exercise_id": r.exercise_id, "sets": r.sets, "pain": r.pain}
                 for r in plan_repo.logs_for_athlete(s, who)],
        "gait": [{"kind": r.kind, "view": r.view, "created": r.created_at.isoformat(), "document": r.document}
                 for r in plan_repo.latest_gait_documents(s, who)],
        "has_activities": s.scalars(select(Activity.id).where(Activity.athlete_id == who.id).limit(1)).first(),
    }


def _tag(f: dict, origin: str) -> Finding:
    return Finding(id=f["id"], evidence=f.get("evidence", ""), strength=f.get("strength", "moderate"),
                   source=f.get("source", ""), data={**(f.get("data") or {}), "from": origin})


def _gait_findings(docs: list[dict]) -> tuple[list[Finding], float | None]:
    findings, cadence = [], None
    for d in docs:
        findings += [_tag(f, "gait") for f in d.get("findings", []) if isinstance(f, dict) and "id" in f]
        if cadence is None and isinstance(d.get("cadence_spm"), (int, float)):
            cadence = float(d["cadence_spm"])
    return findings, cadence


def _load_inputs(athlete: str, today: date, rules: PlanRules) -> tuple[list[Finding], dict | None]:
    from . import load as load_service

    report = load_service.build_load_report(athlete, today=today)
    since = today - timedelta(days=rules.int("plan_load_findings_days"))
    recent = [_tag(f, "load") for f in report.get("findings", [])
              if date.fromisoformat(f.get("data", {}).get("date", "1900-01-01")) >= since]
    return recent, load_service.build_progression_plan(athlete, weeks=6, today=today)


def _save_plan(athlete: str, doc: dict, assessment_id: int | None) -> int:
    from ..store import get_database, plan_repo, require_athlete

    with get_database().session(write=True) as s:
        who = require_athlete(s, athlete)
        a = plan_repo.assessment_by_id(s, assessment_id) if assessment_id else None
        row = plan_repo.save_plan(s, who, doc, a)
        doc["plan_id"] = row.id
        plan_repo.update_plan_document(s, row, doc)
        return row.id


# ---- following the plan ---------------------------------------------------------------------------------
def _load_state(athlete: str | None) -> dict:
    from ..diary.models import PainEntry
    from ..store import get_database, latest_assessment, plan_repo, resolve_athlete

    with get_database().session() as s:
        who = resolve_athlete(s, athlete)
        plan = plan_repo.latest_plan(s, who)
        if plan is None:
            raise InputError(f"no plan for '{who.name}' yet: build one with `hipcheck plan`")
        latest = latest_assessment(s, who)
        intake = plan_repo.intake_for(s, plan.assessment)
        return {
            "athlete": who.name, "plan_id": plan.id, "plan": copy.deepcopy(plan.document),
            "logs": [SessionLog(r.date, r.exercise_id, r.sets, r.pain) for r in plan_repo.logs_for_athlete(s, who)],
            "diary": [PainEntry(date=r.date, pain_during=r.pain_during, pain_after=r.pain_after,
                                pain_next_morning=r.pain_next_morning)
                      for r in plan_repo.diary_rows(s, who)
                      if any(v is not None for v in (r.pain_during, r.pain_after, r.pain_next_morning))],
            "latest_assessment": (latest.id, copy.deepcopy(latest.document)) if latest else None,
            "intake": copy.deepcopy(intake.document) if intake else None,
            "intake_date": intake.created_at.date() if intake else None,
        }


def log_session(day: date, exercise_id: str, sets: int, pain: int | None, athlete: str | None = None,
                today: date | None = None) -> dict:
    """Record one exercise session, then report the exercise's next step and any escalation."""
    PlanRules(get_knowledge())  # a broken knowledge base fails before anything is written
    today = today or today_local()
    if day > today:
        raise InputError(f"--date {day.isoformat()} is in the future: log sessions you have done")
    if not 1 <= sets <= MAX_SETS:
        raise InputError(f"--sets must be between 1 and {MAX_SETS} (got {sets})")
    if pain is not None and not 0 <= pain <= 10:
        raise InputError(f"--pain must be between 0 and 10 (got {pain})")
    state = _load_state(athlete)
    plan = state["plan"]
    if plan.get("protect_only"):
        raise InputError("your plan prescribes no exercises because a warning sign needs a clinician first: "
                         "see `hipcheck plan status`")
    known = {c["id"]: c for c in plan["exercises"]}
    if exercise_id not in known:
        raise InputError(f"--exercise '{exercise_id}' is not in your plan; its exercises are: "
                         f"{', '.join(known)}")
    from ..store import get_database, plan_repo
    from ..store.models import Plan

    with get_database().session(write=True) as s:
        row = s.get(Plan, state["plan_id"])
        plan_repo.add_log(s, row, day, exercise_id, sets, pain)
    status = plan_status(state["athlete"], today)
    advice = next((a for a in status["exercises"] if a["exercise"] == exercise_id), None)
    return {"athlete": state["athlete"], "logged": {"date": day.isoformat(), "exercise": exercise_id,
                                                    "sets": sets, "pain": pain},
            "advice": advice, "escalation": status["escalation"], "status": status}


def plan_status(athlete: str | None = None, today: date | None = None) -> dict:
    """Adherence per week, each current exercise's next step, the phase check and escalation. When pain is
    worsening or a new warning sign appears, the runner is re-assessed and, if needed, the plan replaced."""
    kb = get_knowledge()
    rules = PlanRules(kb)
    today = today or today_local()
    state = _load_state(athlete)
    plan = state["plan"]
    new_flags, newer = _new_red_flags(plan, state["latest_assessment"], kb)
    # Once an escalation has been handled, only pain from that day on counts, and the same reasons on the
    # same data do not re-assess again.
    last = (plan.get("escalations") or [None])[-1]
    since = date.fromisoformat(last["date"]) if last else None
    esc = Escalation(rules).check(state["diary"], state["logs"], today, new_flags, since=since)
    if last and esc["escalate"] and set(esc["reasons"]) <= set(last["reasons"]):
        esc = {**esc, "escalate": False, "handled": last}
    reassessment = None
    if esc["escalate"] and not plan.get("protect_only"):
        reassessment = _escalate(state, esc, newer, today, kb)
        if reassessment.get("new_plan_id"):
            state = _load_state(state["athlete"])
            plan = state["plan"]
    diary = {e.date: e for e in state["diary"]}
    current = plan.get("current_phase")
    cards = {c["id"]: c for c in plan.get("exercises", [])}
    phase = next((p for p in plan.get("phases", []) if p["id"] == current), None)
    advice = [PainProgression(kb, rules).advise(cards[e], state["logs"], diary) for e in (phase or {}).get("exercises", [])]
    return {
        "schema": "hipcheck.plan-status/v1", "athlete": state["athlete"], "plan_id": state["plan_id"],
        "today": today.isoformat(), "created": plan.get("created"), "mode": plan.get("mode"),
        "protect_only": plan.get("protect_only"), "triage": plan.get("triage"),
        "current_phase": current, "phase_title": phase["title"] if phase else None,
        "adherence": Adherence(rules).run(plan, state["logs"], today),
        "exercises": advice,
        "phase_check": PhaseCheck(rules).check(plan, state["diary"], state["logs"], today),
        "escalation": {**esc, "reassessment": reassessment},
        "progression_rule": plan.get("progression"),
    }


def _serious(doc: dict) -> dict[str, dict]:
    return {f["id"]: f for f in doc.get("triage", {}).get("red_flags", []) if f.get("level") in ("emergency", "urgent")}


def _new_red_flags(plan: dict, latest: tuple[int, dict] | None, kb) -> tuple[list[dict], tuple | None]:
    """Serious warning signs in an assessment newer than the plan's that the plan did not know about."""
    if latest is None or plan.get("assessment_id") is None or latest[0] <= plan["assessment_id"]:
        return [], None
    known = {f["id"] for f in plan.get("triage", {}).get("red_flags", [])}
    new = [f for fid, f in _serious(latest[1]).items() if fid not in known]
    return new, (latest if new else None)


def _escalate(state: dict, esc: dict, newer: tuple | None, today: date, kb) -> dict:
    """Re-assess: a newer stored assessment with new warning signs is used as it is; otherwise the plan's
    intake is updated with the diary (trend worse, today's pain, weeks since onset) and assessed again."""
    from . import assess as assess_service

    if newer is not None:
        assessment_id, doc = newer
    elif state["intake"] is not None:
        intake = _updated_intake(state, today)
        result = assess_service.assess_intake(intake, athlete=state["athlete"], store=True)
        doc = result.document
        assessment_id = _latest_assessment_id(state["athlete"])
    else:
        return {"done": False, "message": "re-assess now with `hipcheck assess --interactive --athlete "
                                          f"\"{state['athlete']}\"`, then build a new plan with `hipcheck plan`"}
    gate = RedFlagGate.check(doc, kb)
    out = {"done": True, "assessment_id": assessment_id, "triage_level": doc["triage"]["level"],
           "headline": doc["triage"]["headline"], "advice": doc["triage"]["advice"], "new_plan_id": None}
    plan = state["plan"]
    plan.setdefault("escalations", []).append({"date": today.isoformat(), "reasons": esc["reasons"],
                                               "assessment_id": assessment_id,
                                               "triage_level": doc["triage"]["level"]})
    from ..store import get_database, plan_repo
    from ..store.models import Plan

    with get_database().session(write=True) as s:
        plan_repo.update_plan_document(s, s.get(Plan, state["plan_id"]), plan)
    if gate.protect_only:
        new = PlanBuilder(kb).build(PlanInputs(doc, today, athlete=state["athlete"], assessment_id=assessment_id))
        out["new_plan_id"] = _save_plan(state["athlete"], new, assessment_id)
        out["message"] = ("A warning sign means the exercise plan stops here. Your new plan only protects the hip: "
                          + doc["triage"]["headline"] + ".")
    else:
        out["message"] = (f"Re-assessed with your pain diary: {doc['triage']['headline']}. Hold the plan at the "
                          "current step (do not progress) until the pain settles, and see the 'when to get help' "
                          "list.")
    return out


def _latest_assessment_id(athlete: str) -> int | None:
    from ..store import get_database, latest_assessment, require_athlete

    with get_database().session() as s:
        a = latest_assessment(s, require_athlete(s, athlete))
        return a.id if a else None


def _updated_intake(state: dict, today: date) -> dict:
    """The plan's intake brought up to date: pain trend worse, today's worst pain, weeks since onset."""
    from ..plan import daily_worst

    intake = copy.deepcopy(state["intake"])
    pain = intake.setdefault("pain", {})
    worst = daily_worst([e for e in state["diary"] if (today - e.date).days < 7],
                        [s for s in state["logs"] if (today - s.day).days < 7])
    if worst:
        pain["intensity_now"] = worst[max(worst)]
        pain["intensity_worst"] = max(pain.get("intensity_worst", 0), max(worst.values()))
    pain["trend"] = "worse"
    if state["intake_date"] is not None and "weeks_since_onset" in pain:
        pain["weeks_since_onset"] = round(pain["weeks_since_onset"] + (today - state["intake_date"]).days / 7, 1)
    return intake


def recheck(answers: dict, athlete: str | None = None, today: date | None = None) -> dict:
    """Answer warning-sign questions again (e.g. {"signs.unrelenting_night_pain": True}); the runner is
    re-assessed and, when a red flag now fires, the plan is replaced by one that only protects the hip."""
    from ..assess import validate_intake
    from . import assess as assess_service

    kb = get_knowledge()
    today = today or today_local()
    state = _load_state(athlete)
    if state["intake"] is None:
        raise InputError("this plan has no stored intake to update: run `hipcheck assess --interactive` instead")
    intake = copy.deepcopy(state["intake"])
    for path, value in answers.items():
        section, _, name = path.partition(".")
        intake.setdefault(section, {})[name] = value
    validate_intake(intake, "answers")
    result = assess_service.assess_intake(intake, athlete=state["athlete"], store=True)
    doc = result.document
    assessment_id = _latest_assessment_id(state["athlete"])
    gate = RedFlagGate.check(doc, kb)
    new = [f for fid, f in _serious(doc).items() if fid not in {x["id"] for x in state["plan"]["triage"]["red_flags"]}]
    out = {"athlete": state["athlete"], "triage": doc["triage"], "new_red_flags": new, "new_plan_id": None}
    if gate.protect_only and not state["plan"].get("protect_only"):
        plan = PlanBuilder(kb).build(PlanInputs(doc, today, athlete=state["athlete"], assessment_id=assessment_id))
        out["new_plan_id"] = _save_plan(state["athlete"], plan, assessment_id)
        out["message"] = ("A warning sign means the exercise plan stops here. Your new plan only protects the hip: "
                          + doc["triage"]["headline"] + ".")
    elif gate.protect_only:
        out["message"] = "Your plan already only protects the hip: " + doc["triage"]["headline"] + "."
    else:
        out["message"] = (f"No new warning sign: {doc['triage']['headline']}. Carry on with your plan, or run "
                          "`hipcheck plan` to rebuild it from this assessment.")
    return out


def advance_phase(athlete: str | None = None, today: date | None = None) -> dict:
    """Move to the next phase when the pain criteria of the current one are met and nothing escalated."""
    status = plan_status(athlete, today)
    today = date.fromisoformat(status["today"])
    if status["protect_only"]:
        raise HipcheckError("this plan only protects the hip: there is no next phase until a clinician has seen you")
    if status["escalation"]["escalate"]:
        raise HipcheckError("pain is worsening or a warning sign appeared: "
                            + "; ".join(status["escalation"]["reasons"]) + ". Hold the current phase.")
    check = status["phase_check"]
    if not check["ready"]:
        raise HipcheckError(f"not ready to leave the {check['phase']} phase: " + "; ".join(check["reasons"]))
    state = _load_state(athlete)
    plan = state["plan"]
    plan["current_phase"] = check["next"]
    plan.setdefault("phase_history", []).append({"phase": check["next"], "since": today.isoformat()})
    from ..store import get_database, plan_repo
    from ..store.models import Plan

    with get_database().session(write=True) as s:
        plan_repo.update_plan_document(s, s.get(Plan, state["plan_id"]), plan)
    nxt = next(p for p in plan["phases"] if p["id"] == check["next"])
    return {"athlete": state["athlete"], "phase": check["next"], "title": nxt["title"],
            "exercises": nxt["exercises"], "exit_criteria": nxt["exit"]}


def current_plan(athlete: str | None = None) -> PlanResult:
    """The athlete's latest stored plan, with the record the exports need."""
    from ..store import get_database, plan_repo, resolve_athlete

    with get_database().session() as s:
        who = resolve_athlete(s, athlete)
        row = plan_repo.latest_plan(s, who)
        if row is None:
            raise InputError(f"no plan for '{who.name}' yet: build one with `hipcheck plan`")
        record = _record(s, who, row.assessment)
        record.pop("has_activities", None)
        return PlanResult(copy.deepcopy(row.document), row.id, who.name, None,
                          copy.deepcopy(row.assessment.document) if row.assessment else None, record)


# ---- outputs ---------------------------------------------------------------------------------------------
def write_outputs(result: PlanResult, pdf: Path | None = None, html: Path | None = None, ics: Path | None = None,
                  fhir: Path | None = None, start: date | None = None, weeks: int = 4) -> dict[str, str]:
    """Write the requested files; returns {kind: path}."""
    kb = get_knowledge()
    written: dict[str, str] = {}
    if html is not None:
        from ..report import plan_html

        written["html"] = str(plan_html.write_html(result.document, kb, Path(html)))
    if pdf is not None:
        from ..report import plan_pdf

        written["pdf"] = str(plan_pdf.write_pdf(result.document, kb, Path(pdf)))
    if ics is not None:
        from ..report import ics as ics_report

        first = start or today_local()
        written["ics"] = str(ics_report.write_ics(result.document, Path(ics), first, weeks))
    if fhir is not None:
        from ..report import fhir as fhir_report

        written["fhir"] = str(fhir_report.write_bundle(result.document, result.record, kb, Path(fhir)))
    return written


def parse_answer(raw: str) -> tuple[str, object]:
    """`signs.unrelenting_night_pain=yes` -> ("signs.unrelenting_night_pain", True), typed by the contract."""
    from ..contracts import intake_fields

    path, sep, value = raw.partition("=")
    path, value = path.strip(), value.strip()
    spec = intake_fields().get(path)
    if not sep or spec is None:
        raise InputError(f"--answer '{raw}': use FIELD=VALUE with an intake field such as "
                         "signs.unrelenting_night_pain=yes")
    low = value.lower()
    if spec.kind == "boolean":
        if low in ("y", "yes", "true"):
            return path, True
        if low in ("n", "no", "false"):
            return path, False
        raise InputError(f"--answer {path}: answer yes or no (got '{value}')")
    if spec.kind in ("integer", "number"):
        try:
            num = float(value)
        except ValueError:
            raise InputError(f"--answer {path}: give a number (got '{value}')") from None
        if not spec.minimum <= num <= spec.maximum:
            raise InputError(f"--answer {path}: give a number from {spec.minimum:g} to {spec.maximum:g}")
        return path, int(num) if spec.kind == "integer" or num.is_integer() else num
    if spec.kind == "list":
        items = [v.strip() for v in value.split(",") if v.strip()]
        bad = [v for v in items if v not in spec.values]
        if bad:
            raise InputError(f"--answer {path}: '{bad[0]}' is not one of {', '.join(spec.values)}")
        return path, items
    if spec.values and value not in spec.values:
        raise InputError(f"--answer {path}: '{value}' is not one of {', '.join(spec.values)}")
    return path, value


__all__ = ["PlanResult", "advance_phase", "build_plan", "current_plan", "log_session", "parse_answer",
           "plan_status", "recheck", "write_outputs"]
