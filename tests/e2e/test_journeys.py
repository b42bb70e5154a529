"""The journeys a person takes, in headless Chromium against the real server and worker."""
from __future__ import annotations

import re
import uuid
from pathlib import Path

from e2e_support import shot

SHARED = Path(__file__).resolve().parents[3] / "shared"
# Answers a runner with outer-hip pain would give; unlisted yes/no questions are answered "No",
# anything else "Don't know".
OUTER_HIP = {"runner.age_years": "44", "runner.sex": "female", "pain.locations": ["outer_hip"],
             "pain.when": ["after_run", "at_night"], "tests.outer_hip_pressure": "pain",
             "tests.single_leg_stance_30s": "pain", "pain.weeks_since_onset": "10"}
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden' && !el.closest('[hidden]'))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)"""


def _email() -> str:
    return f"runner-{uuid.uuid4().hex[:8]}@example.org"


def sign_up(page, server: str, name: str, role: str = "athlete") -> str:
    page.goto(server + "/signup")
    if role == "clinician":
        page.get_by_label("A clinician").check()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("E-mail").fill(email := _email())
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("checkbox").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()
    assert page.evaluate(UNLABELLED) == []
    return email


def do_intake(page, answers: dict) -> None:
    """Answer every question shown, as a person would, until the result page."""
    for _ in range(80):
        if "/assessments/" in page.url:
            return
        assert page.evaluate(UNLABELLED) == [], page.url
        field = page.locator("input[name=field]").get_attribute("value")
        value = answers.get(field)
        with page.expect_navigation():
            if isinstance(value, list):
                for v in value:
                    page.locator(f"input[name=value][value={v}]").check()
                page.get_by_role("button", name="Continue").click()
            elif value is not None and page.locator("input[type=number]").count():
                page.locator("input[type=number]").fill(value)
                page.get_by_role("button", name="Continue").click()
            elif value is not None:
                page.locator(f"input[name=value][value={value}]").check()
                page.get_by_role("button", name="Continue").click()
            elif page.locator("input[name=value][value=no]").count():
                page.get_by_label("No", exact=True).check()
                page.keyboard.press("Enter")  # the keyboard submits the form too
            else:
                page.get_by_role("button", name="Don't know").click()
    raise AssertionError("the questionnaire did not end")


def test_new_runner_completes_the_intake_and_sees_triage_then_likely_causes(server, new_page):
    page = new_page()
    sign_up(page, server, "Rita Runner")
    assert "/intake" in page.url and page.get_by_text("Safety question 1 of").is_visible()
    shot(page, "01-first-question")
    do_intake(page, OUTER_HIP)
    banner = page.locator(".banner").first
    causes = page.get_by_role("heading", name=re.compile("Likely causes"))
    assert banner.is_visible() and causes.is_visible()
    assert banner.bounding_box()["y"] < causes.bounding_box()["y"]  # triage first
    assert page.locator("article.cause").count() >= 2
    assert page.get_by_text("Points towards it").first.is_visible()
    assert "Outer hip" in page.locator("article.cause h3").first.inner_text()
    shot(page, "02-result")
    assert page.problems.items == []


def test_runner_uploads_the_sample_activities_and_sees_the_chart(server, new_page, shared_dir):
    page = new_page()
    sign_up(page, server, "Uma Upload")
    page.get_by_role("link", name="Training").click()
    page.get_by_role("link", name="Upload activities").first.click()
    files = sorted(str(p) for p in (shared_dir / "data" / "activities").rglob("*")
                   if p.suffix.lower() in (".fit", ".gpx", ".tcx"))
    assert len(files) > 20
    page.get_by_label("Activity files").set_input_files(files)
    assert "files chosen" in page.locator("[data-file-summary]").inner_text()
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_url(re.compile(r"/jobs/\d+"))
    shot(page, "03-import-progress")
    page.wait_for_url(re.compile(r"/load"), timeout=180_000)
    chart = page.locator("svg.chart")
    assert chart.is_visible()
    bars = page.locator("svg.chart .barkm[tabindex]")
    assert bars.count() >= 5
    bars.first.hover()
    assert page.locator(".tip").inner_text().startswith("Week of")
    bars.nth(1).focus()  # keyboard users get the same numbers
    assert "km in" in page.locator("[data-chart-detail]").inner_text()
    assert page.locator("svg.chart .flag").count() >= 1
    page.locator("#risk-h").scroll_into_view_if_needed()
    page.wait_for_selector("text=percentile", timeout=60_000)
    shot(page, "04-training-dashboard")
    assert page.problems.items == []


def test_runner_uploads_a_running_video_and_sees_the_cadence(server, new_page, shared_dir):
    page = new_page()
    sign_up(page, server, "Gus Gait")
    page.get_by_role("link", name="Running form").click()
    page.get_by_label("Where was the camera?").select_option("side")
    page.get_by_role("checkbox").check()
    page.get_by_label(re.compile("^Video")).set_input_files(str(shared_dir / "data" / "running-video" / "male_side.mp4"))
    page.get_by_role("button", name="Upload and analyse").click()
    page.wait_for_url(re.compile(r"/jobs/\d+"))
    page.wait_for_selector("text=/frames|metadata|Working|Waiting/")
    shot(page, "05-video-progress")
    page.wait_for_url(re.compile(r"/gait/\d+"), timeout=300_000)
    cadence = float(page.locator("[data-metric=cadence]").inner_text())
    assert 160 <= cadence <= 180  # the clip's ground truth is about 169 steps/min
    video = page.locator("video.annotated")
    video.evaluate("v => new Promise(ok => v.readyState >= 1 ? ok() : v.addEventListener('loadedmetadata', ok))")
    assert video.evaluate("v => v.duration") > 5
    assert page.get_by_role("heading", name="Findings").is_visible()
    shot(page, "06-gait-result")
    assert page.problems.items == []


def test_runner_makes_a_plan_ticks_an_exercise_and_downloads_the_pdf(server, new_page):
    page = new_page()
    sign_up(page, server, "Pia Plan")
    do_intake(page, OUTER_HIP)
    page.get_by_role("link", name="Get an exercise plan").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Make my plan").click()
    card = page.locator("article.exercise-card").first
    assert card.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    card.get_by_role("button", name="Done today").click()
    page.wait_for_selector("text=Well done")
    shot(page, "07-plan")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF handout").click()
    path = download.value.path()
    assert Path(path).read_bytes()[:5] == b"%PDF-"
    assert page.problems.items == []


def test_clinician_sees_only_linked_athletes(server, new_page):
    linked, other, clinician = new_page(), new_page(), new_page()
    sign_up(linked, server, "Lena Linked")
    sign_up(other, server, "Otto Other")
    other_home = other.url.split("/intake")[0]
    sign_up(clinician, server, "Dr Clara Clinic", role="clinician")
    assert "/clinic" in clinician.url
    clinician.get_by_role("button", name="Create invitation link").click()
    invite = clinician.get_by_label("Link").input_value()
    linked.goto(invite)
    with linked.expect_navigation():
        linked.get_by_role("button", name=re.compile("Share my data")).click()
    assert "can now see your records" in linked.content()
    clinician.goto(server + "/clinic")
    table = clinician.locator("table").inner_text()
    assert "Lena Linked" in table and "Otto Other" not in table
    shot(clinician, "08-clinician-dashboard")
    clinician.get_by_role("link", name="Lena Linked").click()
    assert "Athlete (read only)" in clinician.content()
    response = clinician.goto(other_home)
    assert response.status == 404 and "Otto" not in clinician.content()


def test_pages_work_on_a_phone_and_with_the_keyboard(server, new_page):
    page = new_page(390, 844)
    sign_up(page, server, "Mo Mobile")
    page.goto(page.url.split("/intake")[0])
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the overview scrolls sideways on a phone"
    shot(page, "09-phone-overview")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to content"
    for _ in range(2):
        page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(focused)
    assert page.problems.items == []
