"""The pages over the services: intake -> result, diary, plan with downloads, clinician dashboard, overview."""
from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import select
from web_support import answer_intake, link, sign_up, web_app, web_app_any  # noqa: F401 (fixtures)

OUTER_HIP = {"runner.age_years": 44, "runner.sex": "female", "pain.locations": ["outer_hip"],
             "pain.when": ["after_run", "at_night"], "tests.outer_hip_pressure": "pain",
             "tests.single_leg_stance_30s": "pain", "pain.weeks_since_onset": 10}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_intake_asks_red_flags_first_then_shows_triage_before_likely_causes(web_app_any):
    from hipcheck.services import assess as assess_service
    from hipcheck.store import Assessment, get_database

    ann = sign_up(web_app_any, "ann@example.org", "Ann")
    first = ann.client.get(ann.home + "/intake").text
    screen = assess_service.assessor().kb.assess_model.red_flag_screen
    assert f'name="field" value="{screen[0]}"' in first and "Safety question 1 of" in first
    url = answer_intake(ann, OUTER_HIP)
    page = ann.client.get(url).text
    body = _text(page)
    assert body.index("Likely causes") > body.index(ann_banner(page))
    assert "Points towards it" in body and "Points away" in body and "What to do now" in body
    with get_database().session() as s:
        row = s.scalars(select(Assessment).where(Assessment.athlete_id == ann.athlete_id)).one()
        again = assess_service.assess_intake(row.intake.document, store=False).document
    assert row.document["triage"] == again["triage"]  # the stored result is the service's own output
    assert row.document["differential"][0]["name"] in body
    assert row.document["differential"][0]["condition"] == "gtps"
    api = ann.client.get(f"/api/athletes/{ann.athlete_id}/assessments/{row.id}").json()
    assert api["schema"] == "hipcheck.assessment/v1"


def ann_banner(html: str) -> str:
    level = re.search(r'class="banner banner-([a-z_]+)"', html).group(1)
    return {"emergency": "Emergency", "urgent": "Urgent", "routine": "See a clinician", "self_care": "Self-care"}[level]


def test_an_emergency_answer_stops_the_questionnaire_at_once(web_app):
    ann = sign_up(web_app, "ann@example.org", "Ann")
    url = answer_intake(ann, {"runner.age_years": 30, "signs.cannot_bear_weight": True})
    page = ann.client.get(url).text
    assert 'class="banner banner-emergency"' in page
    from hipcheck.store import Assessment, get_database

    with get_database().session() as s:
        intake = s.scalars(select(Assessment)).one().intake.document
    assert set(intake["signs"]) == {"cannot_bear_weight"}  # nothing asked after the emergency answer


def test_question_validation_back_and_restart(web_app):
    ann = sign_up(web_app, "ann@example.org", "Ann")
    page = ann.client.get(ann.home + "/intake").text
    field = re.search(r'name="field" value="([^"]+)"', page).group(1)
    r = ann.client.post(ann.home + "/intake", data={"field": field, "value": "300", "csrf_token": ann.csrf()})
    assert r.status_code == 400 and "from 8 to 100" in r.text
    ann.client.post(ann.home + "/intake", data={"field": field, "value": "35", "csrf_token": ann.csrf()})
    second = re.search(r'name="field" value="([^"]+)"', ann.client.get(ann.home + "/intake").text).group(1)
    assert second != field
    ann.post(ann.home + "/intake/back")
    assert f'value="{field}"' in ann.client.get(ann.home + "/intake").text
    ann.post(ann.home + "/intake/restart", {"mode": "full"})
    assert "Switch to the short, adaptive check" in ann.client.get(ann.home + "/intake").text
    stale = ann.client.post(ann.home + "/intake", data={"field": "signs.limp", "value": "no",
                                                        "csrf_token": ann.csrf()}, follow_redirects=False)
    assert stale.status_code == 303  # an answer to a question not asked now is ignored, not stored


def test_diary_entry_and_validation(web_app):
    ann = sign_up(web_app, "ann@example.org", "Ann")
    r = ann.post(ann.home + "/diary", {"date": "2025-05-02", "pain_during": "2", "pain_after": "4",
                                       "location": "outer_hip", "note": "hilly route"})
    assert r.status_code == 303 and "done=diary_saved" in r.headers["location"]
    page = _text(ann.client.get(ann.home + "/diary?done=diary_saved").text)
    assert "Diary entry saved." in page and "02 May 2025" in page and "hilly route" in page
    bad = ann.post(ann.home + "/diary", {"date": "2025-05-03"})
    assert bad.status_code == 400 and "at least one pain score" in bad.text
    bad = ann.post(ann.home + "/diary", {"date": "yesterday", "pain_after": "1"})
    assert bad.status_code == 400 and "date" in bad.text
    from hipcheck.services import diary

    assert diary.list_entries("Ann")["entries"][0]["pain_after"] == 4  # stored through the CLI's service


def test_overview_quick_pain_entry_goes_back_to_the_overview(web_app):
    ann = sign_up(web_app, "ann@example.org", "Ann")
    today = dt.date.today().isoformat()
    r = ann.post(ann.home + "/diary", {"date": today, "pain_after": "6", "next": "overview"})
    assert r.headers["location"].startswith(ann.home + "?")
    page = _text(ann.client.get(ann.home).text)
    assert "6 /10" in page and "latest worst pain" in page


def test_plan_cards_ticking_and_downloads(web_app):
    ann = sign_up(web_app, "ann@example.org", "Ann")
    answer_intake(ann, OUTER_HIP)
    assert "Make my plan" in ann.client.get(ann.home + "/plan").text
    assert ann.post(ann.home + "/plan/create").status_code == 303
    page = ann.client.get(ann.home + "/plan").text
    cards = re.findall(r'id="ex-([a-z_]+)"', page)
    assert cards and all(f'src="/illustrations/{c}.svg"' in page for c in cards)
    svg = ann.client.get(f"/illustrations/{cards[0]}.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    r = ann.client.post(ann.home + "/plan/log", data={"exercise": cards[0], "sets": "2", "pain": "1",
                                                    "date": dt.date.today().isoformat()},
                        headers={"HX-Request": "true", "X-CSRF-Token": ann.csrf()})
    assert r.status_code == 200 and "Logged 2 set(s), pain 1/10" in r.text and f'id="ex-{cards[0]}"' in r.text
    assert 'id="week-card" aria-labelledby="adh-h" hx-swap-oob="true"' in r.text and "2 of" in r.text
    week = _text(ann.client.get(ann.home + "/plan").text)
    assert re.search(r"2 of \d+ sets done", week)
    pdf = ann.client.get(ann.home + "/plan/handout.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]
    ics = ann.client.get(ann.home + "/plan/calendar.ics")
    assert ics.text.startswith("BEGIN:VCALENDAR")
    fhir = ann.client.get(ann.home + "/plan/fhir.json").json()
    assert fhir["resourceType"] == "Bundle"
    assert ann.client.get(ann.home + "/plan/other.txt").status_code == 404


def test_clinician_dashboard_lists_triage_pain_and_alerts(web_app):
    ann = sign_up(web_app, "ann@example.org", "Ann")
    answer_intake(ann, {"runner.age_years": 30, "signs.cannot_bear_weight": True})
    today = dt.date.today()
    ann.post(ann.home + "/diary", {"date": (today - dt.timedelta(days=2)).isoformat(), "pain_after": "2"})
    ann.post(ann.home + "/diary", {"date": today.isoformat(), "pain_during": "7", "pain_after": "7"})
    doc = sign_up(web_app, "doc@example.org", "Dr Kay", role="clinician")
    link(doc, ann)
    page = doc.client.get("/clinic").text
    body = _text(page)
    assert "Ann" in body and "pill-emergency" in page
    assert "Latest check is emergency" in body and "Pain rose from 2 to 7/10" in body
    assert "pain during running was 7/10" in body
    rows = doc.client.get("/api/clinic/athletes").json()
    assert rows[0]["name"] == "Ann" and rows[0]["latest_pain"] == 7


def test_error_pages_never_show_a_traceback(web_app):
    ann = sign_up(web_app, "ann@example.org", "Ann")
    r = ann.client.get("/athletes/notanumber")
    assert r.status_code in (404, 422) and "Traceback" not in r.text
    r = ann.client.get("/api/athletes/999/summary")
    assert r.status_code == 404 and r.json() == {"error": "Not found."}
    anon = ann.client.__class__(web_app)
    r = anon.get("/api/athletes/1/summary")
    assert r.status_code == 401 and json.loads(r.text)["error"] == "sign in first"
