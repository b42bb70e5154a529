"""The plan's outputs: the A4 PDF handout (read back with pdftotext), the HTML page, the .ics calendar (parsed
back with icalendar) and the FHIR R4 bundle (parsed back with fhir.resources, compared with golden files).

Regenerate the golden files and docs/plan-handout-page1.png with HIPCHECK_UPDATE_GOLDEN=1."""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from hipcheck.findings import Finding
from hipcheck.knowledge import get_knowledge
from hipcheck.plan import PlanBuilder, PlanInputs

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "fhir"
UPDATE = os.environ.get("HIPCHECK_UPDATE_GOLDEN") == "1"
TODAY = date(2025, 3, 3)
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

# Fixed assessment documents (the shape of hipcheck.assessment/v1), so the outputs do not move when the
# assessment engine is tuned; test_plan_builder runs the real engine.
REHAB_ASSESSMENT = {
    "schema": "hipcheck.assessment/v1",
    "triage": {"level": "self_care",
               "headline": "Manage it yourself with a plan, and see a clinician if it is not clearly better in 2-3 weeks",
               "advice": "Reduce running to a level that does not make the pain worse, and build strength.",
               "red_flags": []},
    "differential": [{"condition": "gtps", "name": "Outer hip pain (gluteal tendon irritation or hip bursitis)",
                      "probability": 0.82}],
    "must_not_miss": [],
    "contributing_factors": [{"id": "prolonged_sitting", "text": "Long hours sitting",
                              "evidence": "history.sits_hours_per_day = 9", "source": "art000_prevention"}],
}
PROTECT_ASSESSMENT = {
    "schema": "hipcheck.assessment/v1",
    "triage": {"level": "urgent", "headline": "Stop running and see a clinician within 1-2 days",
               "advice": "Stop running now. Keep weight off the leg (crutches if walking hurts).",
               "red_flags": [{"id": "weight_bearing_groin_pain_after_mileage_increase",
                              "name": "Groin or thigh pain on weight-bearing after a training increase",
                              "level": "urgent", "status": "present", "source": "robertson_wood_2017",
                              "text": "Typical story of a bone stress injury."}]},
    "differential": [{"condition": "fnsf", "name": "Stress fracture of the hip bone neck", "probability": 0.7}],
    "must_not_miss": [{"condition": "fnsf"}],
    "contributing_factors": [{"id": "training_spike", "text": "Weekly distance raised too quickly",
                              "evidence": "training.weekly_change_pct = 60", "source": "art001_stress_fracture"}],
}
INTAKE = {"schema": "hipcheck.intake/v1", "runner": {"age_years": 36, "sex": "female"},
          "pain": {"side": "right", "locations": ["outer_hip"], "intensity_now": 3, "weeks_since_onset": 3,
                   "when": ["after_run", "stairs"]},
          "signs": {"cannot_bear_weight": False, "limp": False}, "history": {"sits_hours_per_day": 9}}
GAIT_DOC = {"schema": "hipcheck.gait/v1", "view": "rear", "cadence_spm": 158.4,
            "metrics": {"pelvic_drop_deg": {"left": {"mean": 4.1, "n": 12}, "right": {"mean": 7.6, "n": 12}}},
            "findings": [{"id": "pelvic_drop", "evidence": "pelvis drops 7.6° on the right", "strength": "moderate",
                          "source": "bramah_2018", "data": {"side": "right"}}]}
RECORD = {
    "athlete": "Ann", "intake": INTAKE, "intake_date": "2025-03-03",
    "diary": [{"date": "2025-03-04", "pain_during": None, "pain_after": 2, "pain_next_morning": 1}],
    "logs": [{"date": "2025-03-04", "exercise_id": "glute_bridge", "sets": 3, "pain": 2}],
    "gait": [{"kind": "gait", "view": "rear", "created": "2025-03-02T10:00:00+00:00", "document": GAIT_DOC}],
}


def _build(assessment: dict) -> dict:
    findings = [Finding("pelvic_drop", "pelvis drops 7.6° on the right", "moderate", "bramah_2018", {"from": "gait"})]
    doc = PlanBuilder(get_knowledge()).build(PlanInputs(assessment, TODAY, findings, cadence_spm=158.4,
                                                         athlete="Ann", assessment_id=7))
    doc["plan_id"] = 3
    return doc


@pytest.fixture(scope="module")
def rehab():
    return _build(REHAB_ASSESSMENT)


@pytest.fixture(scope="module")
def protect():
    return _build(PROTECT_ASSESSMENT)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00ad", "")).strip()


def _pdf_text(path: Path) -> str:
    return _squash(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                  check=True).stdout)


@pytest.fixture(scope="module")
def rehab_pdf(rehab, tmp_path_factory):
    from hipcheck.report.plan_pdf import write_pdf

    path = tmp_path_factory.mktemp("pdf") / "plan.pdf"
    write_pdf(rehab, get_knowledge(), path)
    return path


@needs_poppler
def test_pdf_handout_carries_triage_exercises_dosage_help_sources_and_date(rehab, rehab_pdf):
    text = _pdf_text(rehab_pdf)
    page1 = _squash(subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(rehab_pdf), "-"], capture_output=True,
                                   text=True, check=True).stdout)
    assert rehab["triage"]["headline"] in page1
    assert "3 March 2025" in page1 and "Ann" in page1
    settle = next(p for p in rehab["phases"] if p["id"] == "settle")
    cards = {c["id"]: c for c in rehab["exercises"]}
    for eid in settle["exercises"]:  # page 1: this phase's exercises with their dosage
        assert cards[eid]["name"] in page1
        assert _squash(cards[eid]["dosage_text"]) in page1
    for c in rehab["exercises"]:  # every exercise card is in the handout
        assert c["name"] in text and _squash(c["dosage_text"]) in text
    assert "When to get help" in text and "cannot put weight on the leg" in text
    assert "Mon Tue Wed Thu Fri Sat Sun" in _squash(text.replace("\n", " "))
    assert "Sources" in text
    for s in rehab["sources"][:5]:
        assert _squash(s["title"])[:40] in text
    assert re.search(r"Page 1 of \d+", text)


def test_handout_embeds_the_knowledge_base_illustrations(rehab):
    from hipcheck.report.plan_html import render_html

    kb = get_knowledge()
    html = render_html(rehab, kb, for_print=True)
    for c in rehab["exercises"]:
        svg = kb.illustration_path(c["id"]).read_bytes()
        assert base64.b64encode(svg).decode() in html, c["id"]


@needs_poppler
def test_protect_pdf_has_no_exercises(protect, tmp_path):
    from hipcheck.report.plan_pdf import write_pdf

    path = write_pdf(protect, get_knowledge(), tmp_path / "protect.pdf")
    text = _pdf_text(path)
    assert "Protect your hip" in text and protect["triage"]["headline"] in text
    assert "crutches" in text.lower() and "When to get help" in text
    assert "Your exercises" not in text and "sets x" not in text and "hold, rest" not in text


@needs_poppler
def test_docs_page1_png_is_an_a4_page(rehab_pdf):
    target = REPO / "docs" / "plan-handout-page1.png"
    if UPDATE:
        target.parent.mkdir(exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", str(rehab_pdf),
                        str(target.with_suffix(""))], check=True)
    from PIL import Image

    with Image.open(target) as im:  # one A4 page, portrait
        assert im.format == "PNG" and abs(im.height / im.width - 297 / 210) < 0.01


def test_html_page_is_self_contained(rehab):
    from hipcheck.report.plan_html import render_html

    html = render_html(rehab, get_knowledge())
    assert html.count("data:image/svg+xml;base64,") >= len(rehab["exercises"])
    assert rehab["triage"]["headline"] in html and "When to get help" in html
    assert "{{" not in html and "&#34;DejaVu" not in html


def test_ics_calendar_has_the_sessions_and_reminders(rehab):
    from icalendar import Calendar

    from hipcheck.report.ics import build_calendar

    start = date(2025, 3, 3)
    cal = Calendar.from_ical(build_calendar(rehab, start, weeks=2).to_ical())
    events = cal.walk("VEVENT")
    settle = next(p for p in rehab["phases"] if p["id"] == "settle")
    exercise_days = [d for d in settle["week"] if d["exercises"]]
    ex_events = [e for e in events if str(e["SUMMARY"]).startswith("Hip exercises")]
    assert len(ex_events) == 2 * len(exercise_days)
    first = min(ex_events, key=lambda e: e.decoded("DTSTART"))
    assert first.decoded("DTSTART") == datetime(2025, 3, 3, 18, 0)
    cards = {c["id"]: c for c in rehab["exercises"]}
    monday = settle["week"][0]
    desc = str(first["DESCRIPTION"])
    assert all(cards[e]["name"] in desc and cards[e]["dosage_text"] in desc for e in monday["exercises"])
    assert all(e.walk("VALARM") for e in ex_events)
    assert first.walk("VALARM")[0].decoded("TRIGGER") == -timedelta(minutes=30)
    mornings = [e for e in events if "next-morning" in str(e["SUMMARY"])]
    assert len(mornings) == len(ex_events) and "--pain-next-morning" in str(mornings[0]["DESCRIPTION"])
    reviews = [e for e in events if "check-in" in str(e["SUMMARY"])]
    assert len(reviews) == 2 and all(e.decoded("DTSTART").weekday() == 6 for e in reviews)
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_ics_return_phase_has_walk_run_sessions(rehab):
    from icalendar import Calendar

    from hipcheck.report.ics import build_calendar

    plan = {**rehab, "current_phase": "return"}
    events = Calendar.from_ical(build_calendar(plan, date(2025, 3, 3), weeks=1).to_ical()).walk("VEVENT")
    runs = [e for e in events if str(e["SUMMARY"]).startswith("Run:")]
    assert [e.decoded("DTSTART").strftime("%a") for e in runs] == ["Tue", "Thu", "Sat"]
    assert "Step 1: run 1 min, walk 4 min" in str(runs[0]["DESCRIPTION"])


def test_ics_for_a_red_flag_plan_has_no_sessions(protect):
    from icalendar import Calendar

    from hipcheck.report.ics import build_calendar

    events = Calendar.from_ical(build_calendar(protect, date(2025, 3, 3), weeks=4).to_ical()).walk("VEVENT")
    assert len(events) == 1 and "clinician" in str(events[0]["SUMMARY"]).lower()


# ---- FHIR -------------------------------------------------------------------------------------------------
def _bundle(plan: dict, record: dict) -> dict:
    from hipcheck.report.fhir import bundle_json

    return json.loads(bundle_json(plan, record, get_knowledge()))


def _normalise(doc: dict) -> dict:
    """Ids become ID-1, ID-2... in order of first appearance, so the golden files compare structure and
    content, not the UUID scheme."""
    text = json.dumps(doc, sort_keys=False)
    seen: dict[str, str] = {}
    for uid in re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text):
        seen.setdefault(uid, f"ID-{len(seen) + 1}")
    for uid, name in seen.items():
        text = text.replace(uid, name)
    out = json.loads(text)
    for e in out["entry"]:  # question wording belongs to the assessment model (assess_model.yaml), not here
        if e["resource"]["resourceType"] == "QuestionnaireResponse":
            for group in e["resource"]["item"]:
                for item in group["item"]:
                    item.pop("text", None)
    return out


def _frozen_plan(name: str, live: dict) -> dict:
    """The plan document the golden bundle is made from, frozen next to it so that golden files test the
    exporter, not today's knowledge base (other tests check the live plan)."""
    path = GOLDEN / f"{name}.input.json"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(live, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert path.exists(), f"{path} is missing: create it with HIPCHECK_UPDATE_GOLDEN=1"
    return json.loads(path.read_text(encoding="utf-8"))


def _check_golden(name: str, bundle: dict) -> None:
    path = GOLDEN / f"{name}.json"
    norm = _normalise(bundle)
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(norm, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert path.exists(), f"{path} is missing: create it with HIPCHECK_UPDATE_GOLDEN=1"
    golden = json.loads(path.read_text(encoding="utf-8"))
    assert norm == golden, f"{path.name} differs: regenerate with HIPCHECK_UPDATE_GOLDEN=1 if the change is intended"


def _by_type(bundle: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for e in bundle["entry"]:
        out.setdefault(e["resource"]["resourceType"], []).append(e["resource"])
    return out


def test_fhir_bundle_validates_and_matches_golden(rehab):
    from fhir.resources.R4B.bundle import Bundle

    doc = _bundle(rehab, RECORD)
    parsed = Bundle.model_validate_json(json.dumps(doc))  # validates every resource against R4B
    assert parsed.type == "collection"
    res = _by_type(doc)
    assert set(res) == {"Patient", "QuestionnaireResponse", "Observation", "Goal", "CarePlan", "ServiceRequest"}
    qr = res["QuestionnaireResponse"][0]
    answers = {i["linkId"]: i["answer"] for g in qr["item"] for i in g["item"]}
    assert answers["pain.intensity_now"] == [{"valueInteger": 3}]
    assert answers["signs.limp"] == [{"valueBoolean": False}]
    assert len(answers["pain.when"]) == 2
    pain = [o for o in res["Observation"] if o["code"]["coding"][0]["code"] == "72514-3"]
    assert [o["valueInteger"] for o in pain] == [3, 2, 1, 2]  # intake, diary after, next morning, exercise log
    assert all(o["code"]["coding"][0]["system"] == "http://loinc.org" for o in pain)
    gait = [o for o in res["Observation"] if o["code"]["coding"][0]["code"] != "72514-3"]
    comps = {c["code"]["coding"][0]["code"]: c["valueQuantity"] for c in gait[0]["component"]}
    assert comps["cadence_spm"]["value"] == 158.4 and comps["pelvic_drop_deg/right"]["unit"] == "deg"
    care = res["CarePlan"][0]
    refs = {a["reference"]["reference"] for a in care["activity"]}
    urls = {e["fullUrl"] for e in doc["entry"]}
    assert refs <= urls and len(refs) == len(rehab["exercises"])
    srs = res["ServiceRequest"]
    assert len(srs) == len(rehab["exercises"])
    assert all(s["code"]["coding"][0]["code"] == "229065009" for s in srs)
    assert {s["code"]["text"] for s in srs} == {c["name"] for c in rehab["exercises"]}
    assert all(s["basedOn"][0]["reference"] in urls for s in srs)


def test_fhir_bundles_match_the_golden_files(rehab, protect):
    for name, live, record in (("plan_rehab", rehab, RECORD),
                               ("plan_protect", protect, {**RECORD, "gait": [], "diary": [], "logs": []})):
        frozen = _frozen_plan(name, live)
        _check_golden(name, _bundle(frozen, record))


def test_fhir_bundle_for_a_red_flag_plan_refers_to_a_clinician(protect):
    from fhir.resources.R4B.bundle import Bundle

    doc = _bundle(protect, {**RECORD, "gait": [], "diary": [], "logs": []})
    Bundle.model_validate_json(json.dumps(doc))
    srs = _by_type(doc)["ServiceRequest"]
    assert len(srs) == 1 and srs[0]["priority"] == "urgent"
    assert "229065009" not in json.dumps(doc)  # no exercise therapy at all


def test_fhir_bundle_is_deterministic(rehab):
    assert _bundle(rehab, RECORD) == _bundle(rehab, RECORD)
