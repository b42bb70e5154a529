"""Helpers shared by the web tests (tests/test_web_*.py): a TestClient per user, sign-up, CSRF tokens."""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

with warnings.catch_warnings():  # Starlette 1.x nudges towards httpx2; httpx still works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@dataclass
class WebUser:
    client: TestClient
    email: str
    athlete_id: int | None
    user_id: int | None = None

    def csrf(self, path: str = "/account") -> str:
        return csrf_of(self.client.get(path).text)

    def post(self, path: str, data: dict | None = None, **kw):
        return self.client.post(path, data={**(data or {}), "csrf_token": self.csrf()}, follow_redirects=False, **kw)

    @property
    def home(self) -> str:
        return f"/athletes/{self.athlete_id}"


def all_routes(app) -> list:
    """Every route, including those of included routers (newer FastAPI keeps those behind a wrapper)."""
    out = []
    for route in app.routes:
        inner = getattr(route, "original_router", None)
        out += all_routes(inner) if inner is not None else [route]
    return out


def new_client(app, https: bool = False) -> TestClient:
    return TestClient(app, base_url="https://testserver" if https else "http://testserver")


def sign_up(app, email: str, name: str = "Sam", role: str = "athlete", https: bool = False) -> WebUser:
    client = new_client(app, https)
    token = csrf_of(client.get("/signup").text)
    r = client.post("/signup", data={"email": email, "password": PASSWORD, "display_name": name, "role": role,
                                     "consent": "yes", "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    loc = r.headers["location"]
    athlete_id = int(loc.split("/")[2]) if loc.startswith("/athletes/") else None
    from hipcheck.services import accounts

    user = WebUser(client, email, athlete_id)
    user.user_id = accounts.authenticate(email, PASSWORD).id
    return user


def link(clinician: WebUser, athlete: WebUser) -> None:
    """The clinician invites the athlete, who accepts."""
    r = clinician.post("/clinic/invites", {"note": "test"})
    assert r.status_code == 200
    code = re.search(r"/invite/([A-Za-z0-9_-]+)", r.text).group(1)
    r = athlete.post(f"/invite/{code}/accept")
    assert r.status_code == 303, r.text


def answer_intake(user: WebUser, answers: dict, default_bool: bool = False, limit: int = 80) -> str:
    """Walk the adaptive questionnaire: the given answers by field, "no" (or the default) for other yes/no
    questions, "don't know" for everything else. Returns the result URL."""
    for _ in range(limit):
        page = user.client.get(f"{user.home}/intake", follow_redirects=False)
        if page.status_code == 303:
            return page.headers["location"]
        assert page.status_code == 200, page.text
        field = re.search(r'name="field" value="([^"]+)"', page.text).group(1)
        data = {"field": field, "csrf_token": csrf_of(page.text)}
        if field in answers:
            value = answers[field]
            if value is None:
                data["dont_know"] = "1"
            elif isinstance(value, list):
                data["value"] = value
            elif isinstance(value, bool):
                data["value"] = "yes" if value else "no"
            else:
                data["value"] = str(value)
        elif 'value="yes"' in page.text and 'value="no"' in page.text:
            data["value"] = "yes" if default_bool else "no"
        else:
            data["dont_know"] = "1"
        r = user.client.post(f"{user.home}/intake", data=data, follow_redirects=False)
        assert r.status_code == 303, r.text
        if "/assessments/" in r.headers["location"]:
            return r.headers["location"]
    raise AssertionError("the questionnaire did not finish")


# -- fixtures (imported by the test modules) -----------------------------------------------------------
import pytest


def _app(url: str, tmp_path, monkeypatch, **settings):
    monkeypatch.setenv("HIPCHECK_DATABASE_URL", url)
    monkeypatch.setenv("HIPCHECK_FILES_DIR", str(tmp_path / "files"))
    from hipcheck.web import create_app
    from hipcheck.web.settings import WebSettings

    return create_app(WebSettings(**settings))


@pytest.fixture
def web_app(sqlite_url, tmp_path, monkeypatch):
    """The app on an SQLite file (most tests)."""
    return _app(sqlite_url, tmp_path, monkeypatch)


@pytest.fixture
def web_app_any(db_url, tmp_path, monkeypatch):
    """The app on SQLite and on PostgreSQL (the tests that must hold on both)."""
    return _app(db_url, tmp_path, monkeypatch)


@pytest.fixture
def make_app(sqlite_url, tmp_path, monkeypatch):
    """An app with chosen settings, e.g. make_app(max_activity_upload_bytes=2**20)."""
    return lambda **settings: _app(sqlite_url, tmp_path, monkeypatch, **settings)
