"""Export a plan and what it rests on as a FHIR R4 `collection` Bundle, built with `fhir.resources` R4B models
(fhir.resources 8 defaults to R5 and has no R4 package; R4B is JSON-compatible for these resources).

- the intake as a QuestionnaireResponse (one item per answered field, grouped by section);
- pain scores (intake, diary, exercise log) as Observations coded LOINC 72514-3 (0-10 pain severity);
- gait and posture metrics as Observations with one component per metric;
- the plan as a CarePlan with a Goal and one ServiceRequest per exercise (SNOMED 229065009 "Exercise
  therapy"), or, in a red-flag case, one ServiceRequest for a clinical assessment and no exercise at all.

Resource ids are UUIDs derived from the athlete, the plan date and the resource's role, so the same input
gives the same bundle."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

from ..knowledge.loader import KnowledgeBase
from .load_report import atomic_write

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
PAIN_CODE = "72514-3"
PAIN_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
EXERCISE_THERAPY = ("229065009", "Exercise therapy (regime/therapy)")
NS = uuid.UUID("6f1d2c8e-9a57-4c3b-8f3e-0b6f5d1a2c44")  # fixed namespace for hipcheck's resource ids
CS = "urn:hipcheck:codesystem"  # our own codes (intake answers, gait metrics)
QUESTIONNAIRE = "urn:hipcheck:questionnaire:intake-v1"
PRIORITY = {"emergency": "stat", "urgent": "urgent"}
DIARY_TIMES = {"pain_during": "during running", "pain_after": "after running",
               "pain_next_morning": "the next morning"}


class BundleBuilder:
    """Parameters: the knowledge base. `build(plan, record)` returns the Bundle model (`bundle_`)."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb

    def _id(self, role: str) -> str:
        return str(uuid.uuid5(NS, f"{self.key}/{role}"))

    def _ref(self, role: str) -> dict:
        return {"reference": f"urn:uuid:{self._id(role)}"}

    def build(self, plan: dict, record: dict):
        from fhir.resources.R4B.bundle import Bundle

        self.key = f"{record.get('athlete') or plan.get('athlete') or 'anonymous'}/{plan['created']}"
        self.entries: list[tuple[str, object]] = []
        self._patient(record.get("athlete") or plan.get("athlete"))
        if record.get("intake"):
            self._questionnaire_response(record["intake"], record.get("intake_date") or plan["created"])
        self._pain(record, plan)
        for g in record.get("gait", []):
            self._gait(g)
        self._care_plan(plan)
        self.bundle_ = Bundle(type="collection", timestamp=f"{plan['created']}T00:00:00Z",
                              entry=[{"fullUrl": f"urn:uuid:{rid}", "resource": res} for rid, res in self.entries])
        return self.bundle_

    def _add(self, role: str, resource) -> None:
        self.entries.append((self._id(role), resource))

    # -- who ----------------------------------------------------------------------------------------------
    def _patient(self, athlete: str | None) -> None:
        from fhir.resources.R4B.patient import Patient

        ident = [{"system": "urn:hipcheck:athlete", "value": athlete}] if athlete else None
        self._add("patient", Patient(id=self._id("patient"), identifier=ident))

    # -- intake -------------------------------------------------------------------------------------------
    def _questionnaire_response(self, intake: dict, day: str) -> None:
        from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

        questions = {q.field: q.text for q in self.kb.assess_model.questions} if self.kb.assess_model else {}
        groups = []
        for section, fields in intake.items():
            if not isinstance(fields, dict):
                continue
            items = []
            for name, value in fields.items():
                path = f"{section}.{name}"
                answers = _answers(path, value)
                if answers:
                    item = {"linkId": path, "answer": answers}
                    if path in questions:
                        item["text"] = questions[path]
                    items.append(item)
            if items:
                groups.append({"linkId": section, "text": section, "item": items})
        self._add("intake", QuestionnaireResponse(
            id=self._id("intake"), status="completed", questionnaire=QUESTIONNAIRE,
            subject=self._ref("patient"), authored=f"{day}T00:00:00Z", item=groups))

    # -- pain ---------------------------------------------------------------------------------------------
    def _pain_obs(self, role: str, day: str, score: int, when: str) -> None:
        from fhir.resources.R4B.observation import Observation

        self._add(role, Observation(
            id=self._id(role), status="final",
            category=[{"coding": [{"system": OBS_CATEGORY, "code": "survey", "display": "Survey"}]}],
            code={"coding": [{"system": LOINC, "code": PAIN_CODE, "display": PAIN_DISPLAY}],
                  "text": f"Hip pain 0-10, {when}"},
            subject=self._ref("patient"), effectiveDateTime=day, valueInteger=int(score),
            bodySite={"text": "hip"}))

    def _pain(self, record: dict, plan: dict) -> None:
        intake = record.get("intake") or {}
        now = (intake.get("pain") or {}).get("intensity_now")
        if now is not None:
            self._pain_obs("pain/intake", record.get("intake_date") or plan["created"], now, "at assessment")
        for e in record.get("diary", []):
            for key, when in DIARY_TIMES.items():
                if e.get(key) is not None:
                    self._pain_obs(f"pain/{e['date']}/{key}", e["date"], e[key], when)
        names = {c["id"]: c["name"] for c in plan.get("exercises", [])}
        for i, s in enumerate(record.get("logs", [])):
            if s.get("pain") is not None:
                what = names.get(s["exercise_id"], s["exercise_id"])
                self._pain_obs(f"pain/log/{i}", s["date"], s["pain"], f"during the exercise {what}")

    # -- gait ---------------------------------------------------------------------------------------------
    def _gait(self, g: dict) -> None:
        from fhir.resources.R4B.observation import Observation

        doc = g.get("document") or {}
        comps = []
        if isinstance(doc.get("cadence_spm"), (int, float)):
            comps.append(_quantity("cadence_spm", "Step rate", doc["cadence_spm"], "steps/min", "/min"))
        metrics = doc.get("metrics") if isinstance(doc.get("metrics"), dict) else {}
        for name, by_side in sorted(metrics.items()):
            if isinstance(by_side, dict):
                for side, stats in sorted(by_side.items()):
                    if isinstance(stats, dict) and isinstance(stats.get("mean"), (int, float)):
                        unit, ucum = _unit(name)
                        comps.append(_quantity(f"{name}/{side}", f"{name.replace('_', ' ')} ({side}, mean)",
                                               stats["mean"], unit, ucum))
                    elif isinstance(stats, (int, float)):
                        unit, ucum = _unit(name)
                        comps.append(_quantity(f"{name}/{side}", f"{name.replace('_', ' ')} ({side})", stats,
                                               unit, ucum))
            elif isinstance(by_side, (int, float)) and not isinstance(by_side, bool):
                unit, ucum = _unit(name)
                comps.append(_quantity(name, name.replace("_", " "), by_side, unit, ucum))
        if not comps:
            return
        kind, view = g.get("kind", "gait"), g.get("view") or "standing"
        role = f"{kind}/{view}/{g.get('created', '')}"
        self._add(role, Observation(
            id=self._id(role), status="final",
            category=[{"coding": [{"system": OBS_CATEGORY, "code": "exam", "display": "Exam"}]}],
            code={"coding": [{"system": CS, "code": f"{kind}-analysis"}],
                  "text": f"Running {kind} analysis ({view} view)" if kind == "gait" else "Standing posture analysis"},
            subject=self._ref("patient"), effectiveDateTime=(g.get("created") or "")[:10] or None,
            component=comps))

    # -- the plan -----------------------------------------------------------------------------------------
    def _care_plan(self, plan: dict) -> None:
        from fhir.resources.R4B.careplan import CarePlan
        from fhir.resources.R4B.goal import Goal

        protect = plan.get("protect_only")
        goal_text = ("Have the hip examined by a clinician before any exercise or running" if protect else
                     "Return to pain-free running and stay injury-free: "
                     + "; ".join(p["exit"][0] for p in plan.get("phases", [])[2:3]))
        self._add("goal", Goal(id=self._id("goal"), lifecycleStatus="active",
                               description={"text": goal_text}, subject=self._ref("patient")))
        requests = self._referral(plan) if protect else self._exercises(plan)
        t = plan.get("triage") or {}
        notes = [f"Triage: {t.get('level')} - {t.get('headline')}"]
        for h in plan.get("when_to_get_help", []):
            notes.append(h["title"] + ": " + "; ".join(h.get("points") or [h["text"]]))
        care = CarePlan(
            id=self._id("careplan"), status="active", intent="plan",
            title="Hip protection plan" if protect else "Hip rehabilitation and prevention plan",
            description=t.get("headline"), subject=self._ref("patient"),
            period={"start": plan["created"]}, created=f"{plan['created']}T00:00:00Z",
            goal=[self._ref("goal")],
            activity=[{"reference": self._ref(role)} for role in requests],
            note=[{"text": n} for n in notes])
        # the CarePlan goes before its requests so a reader meets the plan first
        idx = next(i for i, (rid, _) in enumerate(self.entries) if rid == self._id(requests[0])) if requests else None
        entry = (self._id("careplan"), care)
        if idx is None:
            self.entries.append(entry)
        else:
            self.entries.insert(idx, entry)

    def _exercises(self, plan: dict) -> list[str]:
        from fhir.resources.R4B.servicerequest import ServiceRequest

        roles = []
        for c in plan.get("exercises", []):
            role = f"exercise/{c['id']}"
            d = c["dosage"]
            phases = ", ".join(c["phases"])
            self._add(role, ServiceRequest(
                id=self._id(role), status="active", intent="plan",
                code={"coding": [{"system": SNOMED, "code": EXERCISE_THERAPY[0], "display": EXERCISE_THERAPY[1]}],
                      "text": c["name"]},
                orderDetail=[{"text": f"{c['name']} ({phases} phase)"}],
                subject=self._ref("patient"), basedOn=[self._ref("careplan")],
                occurrenceTiming={"repeat": {"frequency": d["days_per_week"], "period": 1, "periodUnit": "wk"}},
                patientInstruction=f"{c['dosage_text']}. " + " ".join(c["steps"]),
                note=[{"text": "Why: " + "; ".join(w["text"] for w in c["why"])}] if c.get("why") else None))
            roles.append(role)
        return roles

    def _referral(self, plan: dict) -> list[str]:
        from fhir.resources.R4B.servicerequest import ServiceRequest

        t = plan.get("triage") or {}
        role = "referral"
        self._add(role, ServiceRequest(
            id=self._id(role), status="active", intent="proposal",
            priority=PRIORITY.get(t.get("level"), "urgent"),
            code={"text": "Clinical assessment of hip pain by a doctor"},
            subject=self._ref("patient"), basedOn=[self._ref("careplan")],
            reasonCode=[{"text": r} for r in plan.get("why_protect", [])] or None,
            patientInstruction=(t.get("advice") or "") + " " + " ".join(p["text"] for p in plan.get("protect", []))))
        return [role]


def _answers(path: str, value) -> list[dict]:
    if isinstance(value, bool):
        return [{"valueBoolean": value}]
    if isinstance(value, int):
        return [{"valueInteger": value}]
    if isinstance(value, float):
        return [{"valueDecimal": value}]
    if isinstance(value, str):
        return [{"valueCoding": {"system": f"{CS}/{path}", "code": value}}]
    if isinstance(value, list):
        return [a for v in value for a in _answers(path, v)]
    return []


def _unit(metric: str) -> tuple[str, str]:
    if metric.endswith("_deg"):
        return "deg", "deg"
    if metric.endswith("_ms"):
        return "ms", "ms"
    if metric.endswith("_pct"):
        return "%", "%"
    if metric.endswith("_cm"):
        return "cm", "cm"
    if metric.endswith("_spm"):
        return "steps/min", "/min"
    return "1", "1"


def _quantity(code: str, text: str, value: float, unit: str, ucum: str) -> dict:
    return {"code": {"coding": [{"system": f"{CS}/gait-metric", "code": code}], "text": text},
            "valueQuantity": {"value": round(float(value), 3), "unit": unit, "system": "http://unitsofmeasure.org",
                              "code": ucum}}


def bundle_json(plan: dict, record: dict, kb: KnowledgeBase) -> str:
    bundle = BundleBuilder(kb).build(plan, record)
    return json.dumps(json.loads(bundle.model_dump_json(exclude_none=True)), indent=2, ensure_ascii=False) + "\n"


def write_bundle(plan: dict, record: dict, kb: KnowledgeBase, path: Path) -> Path:
    atomic_write(Path(path), bundle_json(plan, record, kb).encode("utf-8"))
    return Path(path)
