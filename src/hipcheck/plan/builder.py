"""Build the plan document (`hipcheck.plan/v1`) from an assessment, findings and the knowledge base.

A red flag means the plan only protects the hip and sends the runner to a clinician: no exercises, no
running. Otherwise: four phases with entry and exit criteria, the likely cause's exercise protocol plus
exercises for the findings, running changes, a walk-run ladder, education and when to get help."""
from __future__ import annotations

from ..knowledge.loader import KnowledgeBase
from ..load.thresholds import LoadThresholds
from .exercises import PHASES, ExerciseSelector
from .inputs import PlanInputs, RedFlagGate, merged_findings
from .rules import PlanRules, fmt_number
from .schedule import week

SCHEMA = "hipcheck.plan/v1"
DISCLAIMER = ("This plan is general information built from your answers. It is not a diagnosis and does not "
              "replace an examination by a doctor or physiotherapist. Stop and get help if any warning sign "
              "below appears.")


def source_list(kb: KnowledgeBase, ids: list[str]) -> list[dict]:
    """Each cited source once, in order of first use, with where to find it."""
    out = []
    for sid in dict.fromkeys(ids):
        s = kb.sources.get(sid)
        if s is None:
            out.append({"id": sid, "title": sid, "where": ""})
            continue
        if s.kind == "article":
            where = f"shared/domain/articles/{s.file} ({s.section})"
        else:
            where = f"https://doi.org/{s.doi}" if s.doi else (s.url or "")
        out.append({"id": sid, "title": s.title, "authors": s.authors, "year": s.year, "where": where})
    return out


class PlanBuilder:
    """Parameters: the knowledge base. `build(inputs)` returns the plan document; results also on
    `document_` and `gate_`."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.rules = PlanRules(kb)

    # -- entry point ----------------------------------------------------------------------------------
    def build(self, inputs: PlanInputs) -> dict:
        doc = inputs.assessment
        self.gate_ = RedFlagGate.check(doc, self.kb)
        base = self._header(inputs)
        base.update(self._protect(inputs) if self.gate_.protect_only else self._rehab(inputs))
        base["when_to_get_help"] = self._help()
        base["sources"] = source_list(self.kb, self._cited(base))
        base["disclaimer"] = DISCLAIMER
        self.document_ = base
        return base

    # -- shared parts ---------------------------------------------------------------------------------
    def _header(self, inputs: PlanInputs) -> dict:
        t = inputs.assessment.get("triage", {})
        diff = inputs.assessment.get("differential") or []
        top = diff[0] if diff else None
        likely = None
        if top is not None:
            cond = self.kb.conditions.get(top["condition"])
            likely = {"condition": top["condition"], "name": top.get("name") or (cond.lay_name if cond else ""),
                      "probability": top.get("probability"),
                      "recovery": (cond.recovery.note if cond and cond.recovery else None),
                      "recovery_source": (cond.recovery.source if cond and cond.recovery else None)}
        return {
            "schema": SCHEMA, "created": inputs.today.isoformat(), "athlete": inputs.athlete,
            "assessment_id": inputs.assessment_id,
            "triage": {"level": t.get("level"), "headline": t.get("headline"), "advice": t.get("advice"),
                       "red_flags": [{"id": f["id"], "name": f["name"], "level": f["level"],
                                      "status": f.get("status"), "text": f.get("text"), "source": f.get("source")}
                                     for f in t.get("red_flags", [])]},
            "likely_cause": likely,
        }

    def _help(self) -> list[dict]:
        out = []
        order = {"emergency": 0, "urgent": 1, "routine": 2}
        for g in sorted(self.rules.guidance("help"), key=lambda g: order.get(g.level or "routine", 3)):
            sec = self.rules.section(g)
            sec["level"] = g.level
            if g.level in ("emergency", "urgent") and not sec["points"]:
                flags = [f for f in self.kb.red_flags.values() if f.level == g.level]
                sec["points"] = [f.name if f.name[1:2].isupper() else f.name[0].lower() + f.name[1:]
                                 for f in flags]
                sec["red_flags"] = [f.id for f in flags]
            out.append(sec)
        return out

    def _cited(self, doc: dict) -> list[str]:
        ids: list[str] = []

        def walk(node):
            if isinstance(node, dict):
                for k, v in node.items():
                    if k in ("sources",) and isinstance(v, list):
                        ids.extend(x for x in v if isinstance(x, str))
                    elif k in ("source", "recovery_source") and isinstance(v, str):
                        ids.append(v)
                    else:
                        walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)
        walk({k: v for k, v in doc.items() if k != "sources"})
        return ids

    # -- red-flag case ----------------------------------------------------------------------------------
    def _protect(self, inputs: PlanInputs) -> dict:
        steps = [self.rules.section(g) for g in self.rules.guidance("protect")
                 if g.when == "always" or (g.when == "fracture_possible" and self.gate_.fracture_possible)]
        return {
            "mode": "protect",
            "protect_only": True,
            "why_protect": self.gate_.reasons,
            "fracture_possible": self.gate_.fracture_possible,
            "protect": steps,
            "current_phase": None,
            "phases": [],
            "exercises": [],
            "excluded_exercises": [],
            "avoid": [],
            "running": {"status": "stop",
                        "summary": "No running until a clinician has examined the hip.",
                        "changes": [], "cadence": None, "volume": None, "return_to_run": None,
                        "advice": []},
            "progression": None,
            "escalation": None,
            "education": [],
            "findings_used": [],
        }

    # -- rehabilitation and prevention ---------------------------------------------------------------------
    def _rehab(self, inputs: PlanInputs) -> dict:
        kb, rules = self.kb, self.rules
        findings = merged_findings(inputs, kb)
        likely = (inputs.assessment.get("differential") or [{}])[0].get("condition")
        sel = ExerciseSelector(kb, rules).select(likely, findings)
        cards = {c["id"]: c for c in sel.cards}
        return_run = self._return_to_run()
        run_text = {"return": f"walk-run ladder session ({fmt_number(rules.value('rtr_session_min'))} min)",
                    "maintain": "easy run within your weekly caps"}
        phases = []
        for pid in PHASES:
            g = rules.item(f"phase_{pid}")
            sec = rules.section(g)
            phases.append({"id": pid, "title": sec["title"], "text": sec["text"],
                           "entry": [rules.text(x) for x in g.entry], "exit": [rules.text(x) for x in g.exit],
                           "exercises": sel.by_phase[pid],
                           "week": week(pid, sel.by_phase[pid], cards, run_text.get(pid)),
                           "sources": sec["sources"]})
        cond = kb.conditions.get(likely) if likely else None
        avoid = [{"text": a, "sources": list(cond.sources[:3])} for a in (cond.avoid if cond else [])]
        return {
            "mode": "rehab",
            "protect_only": False,
            "why_protect": [],
            "fracture_possible": False,
            "protect": [],
            "current_phase": "settle",
            "phase_history": [{"phase": "settle", "since": inputs.today.isoformat()}],
            "phases": phases,
            "exercises": sel.cards,
            "excluded_exercises": sel.excluded,
            "avoid": avoid,
            "running": self._running(inputs, findings, return_run),
            "progression": self._progression_rule(),
            "escalation": self._escalation_rule(),
            "education": [rules.section(g) for g in rules.guidance("education")],
            "findings_used": [{"id": rid, "name": kb.risk_factors[rid].name, "evidence": f.evidence,
                               "strength": f.strength, "source": f.source,
                               "from": (f.data or {}).get("from", "other")} for rid, f in findings],
        }

    def _return_to_run(self) -> dict:
        rules = self.rules
        steps = LoadThresholds(items=dict(self.kb.thresholds), source_titles={}).ladder()
        session = rules.value("rtr_session_min")
        return {
            "session_min": session, "sessions_per_step": rules.int("rtr_sessions_per_step"),
            "steps": [{"step": i, "run_min": r, "walk_min": w,
                       "text": (f"run {fmt_number(r)} min, walk {fmt_number(w)} min, repeat for "
                                f"{fmt_number(session)} min" if w else
                                f"run {fmt_number(r)} min continuously at an easy pace")}
                      for i, (r, w) in enumerate(steps, 1)],
            "sources": rules.sources("rtr_session_min", "rtr_sessions_per_step", "pain_during_max"),
        }

    def _running(self, inputs: PlanInputs, findings, return_run: dict) -> dict:
        kb, rules = self.kb, self.rules
        found = {rid for rid, _ in findings}
        cadence_g = rules.item("running_cadence")
        cadence_ids = [r for r in cadence_g.risk_factors if r in found]
        cadence = None
        if cadence_ids:
            lo, hi = rules.value("gait_cadence_raise_min_pct"), rules.value("gait_cadence_raise_max_pct")
            cadence = {**rules.section(cadence_g), "because": cadence_ids, "raise_min_pct": lo,
                       "raise_max_pct": hi, "current_spm": inputs.cadence_spm,
                       "target_spm": ([round(inputs.cadence_spm * (1 + lo / 100)),
                                       round(inputs.cadence_spm * (1 + hi / 100))] if inputs.cadence_spm else None)}
        changes: dict[str, dict] = {}
        for rid, _ in findings:
            if rid in cadence_g.risk_factors:
                continue  # their advice is the cadence change above
            rf = kb.risk_factors[rid]
            for text in rf.running_changes:
                entry = changes.setdefault(text, {"text": text, "because": [], "sources": list(rf.sources[:3])})
                entry["because"].append(rid)
        advice = [rules.section(rules.item(i)) for i in
                  ("running_pain_limits", "running_easy", "running_surfaces", "running_shoes")]
        volume = None
        if inputs.load_plan:
            lp = inputs.load_plan
            volume = {"mode": lp.get("mode"), "reason": lp.get("reason"), "weeks": lp.get("weeks", []),
                      "rules": lp.get("rules", []), "base_week_km": lp.get("base_week_km"),
                      "longest_recent_run_km": lp.get("longest_recent_run_km")}
        level = inputs.assessment.get("triage", {}).get("level")
        summary = ("Run less for now: keep any running within the pain limits, and follow the phases back to "
                   "full training." if level != "self_care" or volume is None or volume["mode"] != "progression"
                   else "Keep running within the weekly caps below and the pain limits.")
        return {"status": "reduce", "summary": summary, "changes": list(changes.values()), "cadence": cadence,
                "volume": volume, "return_to_run": return_run, "advice": advice}

    def _progression_rule(self) -> dict:
        r = self.rules
        during, morning = r.value("pain_during_max"), r.value("pain_next_morning_max")
        regress, n = r.value("plan_regress_pain"), r.int("plan_progress_sessions")
        return {
            "pain_during_max": during, "pain_next_morning_max": morning, "regress_above": regress,
            "sessions_to_progress": n,
            "text": (f"Progress an exercise after {n} sessions in a row at the full dosage with pain "
                     f"{fmt_number(during)}/10 or less during it and settled by the next morning "
                     f"({fmt_number(morning)}/10 or less, and no worse than after the session). Pain above "
                     f"{fmt_number(regress)}/10 during it or the next morning: step back to the easier version. "
                     "Anything in between: hold the dosage."),
            "sources": r.sources("pain_during_max", "pain_next_morning_max", "plan_progress_sessions",
                                 "plan_regress_pain"),
        }

    def _escalation_rule(self) -> dict:
        r = self.rules
        days, rise = r.int("plan_escalation_window_days"), r.value("plan_escalation_rise_points")
        return {
            "window_days": days, "rise_points": rise, "severe_pain": r.value("plan_severe_pain"),
            "text": (f"If your average daily pain over the last week is {fmt_number(rise)} points or more above "
                     f"the week before (a {days}-day window), if you log pain of "
                     f"{fmt_number(r.value('plan_severe_pain'))}/10 or more, or if a new warning sign appears, "
                     "hipcheck re-assesses you and tells you what to do; the plan is paused until then."),
            "sources": r.sources("plan_escalation_window_days", "plan_escalation_rise_points", "plan_severe_pain"),
        }

