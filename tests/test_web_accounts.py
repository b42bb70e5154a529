"""Web accounts: sign-up, sign-in, sessions, CSRF, rate limiting, headers, clinician links, audit trail."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from web_support import (PASSWORD, all_routes, csrf_of, link, make_app, new_client,  # noqa: F401 (fixtures)
                         sign_up, web_app, web_app_any)

TEMPLATES = Path(__file__).resolve().parent.parent / "src" / "hipcheck" / "web" / "templates"


def test_sign_up_creates_an_athlete_row_and_lands_on_the_intake(web_app_any):
    from hipcheck.store import Athlete, get_database

    ann = sign_up(web_app_any, "ann@example.org", "Ann")
    page = ann.client.get(ann.home + "/intake")
    assert page.status_code == 200 and "Safety question 1 of" in page.text
    twin = sign_up(web_app_any, "ann2@example.org", "Ann")  # same name: still its own athlete
    assert twin.athlete_id != ann.athlete_id
    with get_database().session() as s:
        names = sorted(a.name for a in s.scalars(select(Athlete)))
    assert names == ["Ann", "Ann (2)"]


def test_password_is_stored_as_argon2id_never_in_clear(web_app):
    from hipcheck.store import get_database
    from hipcheck.store.web_models import User

    sign_up(web_app, "bo@example.org", "Bo")
    with get_database().session() as s:
        stored = s.scalars(select(User.password_hash)).one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_sign_up_refuses_bad_input_with_a_message(web_app):
    c = new_client(web_app)
    token = csrf_of(c.get("/signup").text)
    base = {"email": "x@example.org", "password": PASSWORD, "display_name": "X", "consent": "yes",
            "csrf_token": token}
    for change, message in [({"email": "not-an-address"}, "e-mail"), ({"password": "short"}, "at least 10"),
                            ({"consent": ""}, "consent"), ({"display_name": " "}, "name is empty")]:
        r = c.post("/signup", data={**base, **change})
        assert r.status_code == 400 and message in r.text
    assert c.post("/signup", data=base, follow_redirects=False).status_code == 303
    c2 = new_client(web_app)
    r = c2.post("/signup", data={**base, "csrf_token": csrf_of(c2.get("/signup").text)})
    assert r.status_code == 400 and "already exists" in r.text


def test_session_cookie_is_httponly_samesite_and_secure_over_https(web_app):
    user = sign_up(web_app, "c@example.org", "Cy", https=True)
    r = user.client.post("/login", data={"email": "c@example.org", "password": PASSWORD,
                                         "csrf_token": user.csrf()}, follow_redirects=False)
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("hc_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie
    plain = new_client(web_app)
    r = plain.post("/login", data={"email": "c@example.org", "password": PASSWORD,
                                   "csrf_token": csrf_of(plain.get("/login").text)}, follow_redirects=False)
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("hc_session="))
    assert "HttpOnly" in cookie and "Secure" not in cookie


def test_sign_in_gives_a_new_session_and_sign_out_ends_it_on_the_server(web_app):
    user = sign_up(web_app, "d@example.org", "Di")
    old = user.client.cookies.get("hc_session")
    r = user.client.post("/login", data={"email": "d@example.org", "password": PASSWORD,
                                         "csrf_token": user.csrf()}, follow_redirects=False)
    assert r.status_code == 303
    new = user.client.cookies.get("hc_session")
    assert new and new != old
    stale = new_client(web_app)
    stale.cookies.set("hc_session", old)
    assert stale.get(user.home, follow_redirects=False).status_code == 303  # the old session is gone
    assert user.post("/logout").status_code == 303
    replay = new_client(web_app)
    replay.cookies.set("hc_session", new)
    r = replay.get(user.home, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_wrong_passwords_are_rate_limited_per_email(make_app):
    app = make_app(login_failures_per_email=3)
    sign_up(app, "e@example.org", "Ed")
    c = new_client(app)
    token = csrf_of(c.get("/login").text)
    for _ in range(3):
        r = c.post("/login", data={"email": "e@example.org", "password": "wrong wrong", "csrf_token": token})
        assert r.status_code == 400 and "wrong" in r.text
    r = c.post("/login", data={"email": "e@example.org", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0  # even the right password waits
    r = c.post("/login", data={"email": "E@Example.org ", "password": "x", "csrf_token": token})
    assert r.status_code == 429  # the same address written differently


def test_unknown_email_and_wrong_password_answer_alike(web_app):
    sign_up(web_app, "f@example.org", "Fi")
    c = new_client(web_app)
    token = csrf_of(c.get("/login").text)
    a = c.post("/login", data={"email": "nobody@example.org", "password": "x" * 12, "csrf_token": token})
    b = c.post("/login", data={"email": "f@example.org", "password": "x" * 12, "csrf_token": token})
    assert a.status_code == b.status_code == 400
    assert re.search(r'role="alert">([^<]+)<', a.text).group(1) == re.search(r'role="alert">([^<]+)<', b.text).group(1)


def test_every_page_has_a_strict_csp_and_security_headers(web_app):
    user = sign_up(web_app, "g@example.org", "Gil")
    for path in ["/", "/login", user.home, user.home + "/diary", "/account", "/static/app.css", "/nowhere"]:
        r = user.client.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
    assert user.client.get(user.home).headers["cache-control"] == "no-store"


def test_templates_have_no_inline_script_style_or_handlers():
    """The CSP forbids them; a template that used one would break silently in the browser."""
    for path in TEMPLATES.rglob("*.html"):
        html = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"\sstyle\s*=", html), path
        assert not re.search(r"<style", html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path
        assert "hx-on" not in html, path


def test_vendored_htmx_is_served_locally_with_its_licence():
    static = TEMPLATES.parent / "static"
    assert (static / "htmx.min.js").read_text().startswith("var htmx=")
    assert "Zero-Clause BSD" in (static / "htmx.LICENSE.txt").read_text()
    base = (TEMPLATES / "base.html").read_text()
    assert 'src="/static/htmx.min.js"' in base and "//" not in re.findall(r'src="([^"]+)"', base)[0]


def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(web_app):
    user = sign_up(web_app, "h@example.org", "Hal")
    day = {"date": "2025-03-01", "pain_after": "3"}
    assert user.client.post(user.home + "/diary", data=day).status_code == 403
    assert user.client.post(user.home + "/diary", data={**day, "csrf_token": "forged"}).status_code == 403
    assert user.client.post(user.home + "/diary", data=day, headers={"X-CSRF-Token": "forged"}).status_code == 403
    ok = user.client.post(user.home + "/diary", data={**day, "csrf_token": user.csrf()}, follow_redirects=False)
    assert ok.status_code == 303
    cross = user.client.post(user.home + "/diary", data={**day, "csrf_token": user.csrf()},
                             headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    assert user.client.post("/login", data={"email": "h@example.org", "password": PASSWORD}).status_code == 403


def test_every_state_changing_route_requires_the_csrf_token(web_app):
    """Enumerates the app's routes, so a route added later without protection fails here."""
    user = sign_up(web_app, "i@example.org", "Ivy")
    checked = 0
    for route in all_routes(web_app):
        methods = getattr(route, "methods", set()) - {"GET", "HEAD", "OPTIONS"}
        if not methods:
            continue
        path = re.sub(r"\{athlete_id\}", str(user.athlete_id), route.path)
        path = re.sub(r"\{[a-z_]+\}", "1", path)
        for method in methods:
            for kwargs in ({"data": {"x": "1"}}, {"files": {"files": ("a.gpx", b"<gpx></gpx>")}}):
                r = user.client.request(method, path, follow_redirects=False, **kwargs)
                assert r.status_code == 403, (method, route.path, r.status_code, kwargs.keys())
            checked += 1
    assert checked >= 15


def test_clinician_sees_only_athletes_who_accepted(web_app_any):
    ann = sign_up(web_app_any, "ann@example.org", "Ann")
    bob = sign_up(web_app_any, "bob@example.org", "Bob")
    doc = sign_up(web_app_any, "doc@example.org", "Dr Kay", role="clinician")
    assert doc.client.get(ann.home).status_code == 404
    r = doc.post("/clinic/invites", {"note": "AB"})
    code = re.search(r"/invite/([A-Za-z0-9_-]+)", r.text).group(1)
    assert doc.client.get(ann.home).status_code == 404  # invited is not yet linked
    page = ann.client.get(f"/invite/{code}")
    assert "Dr Kay" in page.text and "cannot change anything" in page.text
    assert ann.post(f"/invite/{code}/accept").status_code == 303
    assert bob.post(f"/invite/{code}/accept").status_code == 400  # one code, one athlete
    dash = doc.client.get("/clinic").text
    assert "Ann" in dash and "Bob" not in dash
    assert doc.client.get(ann.home).status_code == 200
    assert doc.client.get(bob.home).status_code == 404
    r = doc.client.post(ann.home + "/diary", data={"date": "2025-01-02", "pain_after": "2",
                                                  "csrf_token": doc.csrf("/clinic")})
    assert r.status_code == 403  # read only
    link_id = int(re.search(r"/account/links/(\d+)/revoke", ann.client.get("/account").text).group(1))
    assert ann.post(f"/account/links/{link_id}/revoke").status_code == 303
    assert doc.client.get(ann.home).status_code == 404


def test_audit_log_records_reads_by_others_and_is_append_only(web_app_any):
    from hipcheck.store import get_database
    from hipcheck.store.web_models import AuditEvent

    ann = sign_up(web_app_any, "ann@example.org", "Ann")
    doc = sign_up(web_app_any, "doc@example.org", "Dr Kay", role="clinician")
    link(doc, ann)
    doc.client.get(ann.home + "/diary")
    log = ann.client.get("/account").text
    assert "Dr Kay (clinician)" in log and "viewed diary" in log
    db = get_database()
    with db.session() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.athlete_id == ann.athlete_id)).all()
        assert any(r.actor_user_id == doc.user_id and r.action == "read" and r.target == "diary" for r in rows)
        assert all(PASSWORD not in (r.target or "") for r in rows)
    for sql in ("UPDATE audit_log SET action = 'read' WHERE id > 0", "DELETE FROM audit_log WHERE id > 0"):
        with pytest.raises(DBAPIError, match="append-only"):
            with db.session() as s:
                s.execute(text(sql))


def test_demo_user_is_created_once_and_can_sign_in(web_app):
    from hipcheck.services import accounts

    first = accounts.ensure_demo_user()
    assert accounts.ensure_demo_user() == first
    assert accounts.count_users() == 1
    c = new_client(web_app)
    r = c.post("/login", data={"email": first[0], "password": first[1], "csrf_token": csrf_of(c.get("/login").text)},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/athletes/")


def test_login_next_parameter_cannot_redirect_off_site(web_app):
    sign_up(web_app, "j@example.org", "Jo")
    c = new_client(web_app)
    token = csrf_of(c.get("/login").text)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        r = c.post("/login", data={"email": "j@example.org", "password": PASSWORD, "next": target,
                                   "csrf_token": token}, follow_redirects=False)
        assert r.headers["location"].startswith("/athletes/"), target
        c.cookies.clear()
        token = csrf_of(c.get("/login").text)
