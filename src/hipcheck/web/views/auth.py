"""Sign up, sign in (rate-limited), sign out, and the front page."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response

from ...errors import InputError
from ...services import accounts, audit
from ..dbwrite import write
from ..deps import SESSION_COOKIE, client_ip, csrf_protect, get_session, record
from ..render import page, redirect, secure

router = APIRouter(dependencies=[Depends(csrf_protect)])


def _home_of(user: accounts.UserInfo) -> str:
    return "/clinic" if user.role == "clinician" else f"/athletes/{user.athlete_id}"


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (no scheme, no //host): never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@router.get("/")
def home(request: Request):
    sess = get_session(request)
    if sess is not None:
        return redirect(_home_of(sess.user), request.query_params.get("done"))
    return page(request, "home.html", {"demo": accounts.demo_enabled()})


@router.get("/login")
def login_form(request: Request, next: str | None = None):
    if get_session(request) is not None:
        return redirect(_safe_next(next) or "/")
    return page(request, "login.html", {"next": _safe_next(next) or "", "demo": accounts.demo_enabled()})


def _start(request: Request, user: accounts.UserInfo, target: str) -> Response:
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        write(accounts.end_session, old)  # a fresh session on every sign-in (no session fixation)
    token, _csrf = write(accounts.start_session, user.id)
    response = redirect(target)
    response.set_cookie(SESSION_COOKIE, token, max_age=int(accounts.SESSION_MAX.total_seconds()),
                        httponly=True, samesite="lax", secure=secure(request), path="/")
    return response


@router.post("/login")
def login(request: Request, email: str = Form(""), password: str = Form(""), next: str = Form("")):
    ip = client_ip(request) or "?"
    key = email.strip().lower()[:254]
    by_email, by_ip = request.app.state.login_email_limiter, request.app.state.login_ip_limiter
    wait = max(by_email.blocked_for(key), by_ip.blocked_for(ip))
    if wait:
        raise HTTPException(429, f"Too many failed sign-ins. Wait {int(wait // 60) + 1} minute(s) and try again.",
                            headers={"Retry-After": str(int(wait))})
    user = accounts.authenticate(email, password)
    if user is None:
        by_email.hit(key)
        by_ip.hit(ip)
        record(audit.Actor(None, None, ip), "login_failed")
        return page(request, "login.html", {"next": _safe_next(next) or "", "email": email,
                                            "error": "E-mail or password is wrong.",
                                            "demo": accounts.demo_enabled()}, status=400)
    by_email.clear(key)
    write(accounts.record_login, user, password, actor_ip=ip)
    return _start(request, user, _safe_next(next) or _home_of(user))


@router.get("/signup")
def signup_form(request: Request, role: str = "athlete"):
    if get_session(request) is not None:
        return redirect("/")
    return page(request, "signup.html", {"form": {"role": "clinician" if role == "clinician" else "athlete"},
                                         "consent_version": accounts.CONSENT_VERSION})


@router.post("/signup")
def signup(request: Request, email: str = Form(""), password: str = Form(""), display_name: str = Form(""),
           role: str = Form("athlete"), consent: str | None = Form(None)):
    ip = client_ip(request) or "?"
    limiter = request.app.state.signup_limiter
    wait = limiter.blocked_for(ip)
    if wait:
        raise HTTPException(429, "Too many new accounts from this address. Try again later.",
                            headers={"Retry-After": str(int(wait))})
    form = {"email": email, "display_name": display_name, "role": role}
    try:
        user = write(accounts.sign_up, email, password, display_name, role, consent=consent == "yes", actor_ip=ip)
    except InputError as exc:
        return page(request, "signup.html", {"form": form, "error": str(exc),
                                             "consent_version": accounts.CONSENT_VERSION}, status=400)
    limiter.hit(ip)
    return _start(request, user, _home_of(user) if user.role == "clinician" else f"/athletes/{user.athlete_id}/intake")


@router.post("/logout")
def logout(request: Request):
    sess = get_session(request)
    if sess is not None:
        record(audit.Actor(sess.user.id, sess.user.role, client_ip(request)), "logout")
    write(accounts.end_session, request.cookies.get(SESSION_COOKIE))
    response = redirect("/", "signed_out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
