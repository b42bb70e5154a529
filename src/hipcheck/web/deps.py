"""FastAPI dependencies: who is asking, whose data they may see, and the CSRF check.

Every page about an athlete takes `viewable_athlete` (read) or `own_athlete` (change), so no route can
reach another runner's data by changing a number in the URL: anything not theirs answers 404, exactly
as if it did not exist.
"""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request

from .. import store
from ..services import accounts, audit
from ..services.accounts import SessionInfo, UserInfo
from ..store.models import Athlete
from .dbwrite import write

SESSION_COOKIE = "hc_session"
PRE_COOKIE = "hc_pre"  # CSRF token for forms shown before signing in (login, sign-up)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class NotSignedIn(Exception):
    """Raised by `current_user`; pages redirect to the sign-in page, the API answers 401."""


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def get_session(request: Request) -> SessionInfo | None:
    if not hasattr(request.state, "session_info"):
        sess = accounts.session_for(request.cookies.get(SESSION_COOKIE))
        if sess is not None and sess.touch_due:
            write(accounts.touch_session, sess.id)
        request.state.session_info = sess
    return request.state.session_info


def current_user(request: Request) -> UserInfo:
    sess = get_session(request)
    if sess is None:
        raise NotSignedIn()
    return sess.user


def athlete_user(user: UserInfo = Depends(current_user)) -> UserInfo:
    if user.role != "athlete" or user.athlete_id is None:
        raise HTTPException(403, "This page is for runners' own accounts.")
    return user


def clinician_user(user: UserInfo = Depends(current_user)) -> UserInfo:
    if user.role != "clinician":
        raise HTTPException(403, "This page is for clinicians.")
    return user


def actor(request: Request, user: UserInfo | None) -> audit.Actor:
    return audit.Actor(user.id if user else None, user.role if user else None, client_ip(request))


@dataclass(frozen=True)
class AthleteView:
    """An athlete the current user may see. `is_self`: the runner themself (who may also change data)."""
    athlete_id: int
    athlete_name: str
    user: UserInfo
    is_self: bool
    ip: str | None

    @property
    def actor(self) -> audit.Actor:
        return audit.Actor(self.user.id, self.user.role, self.ip)

    def log(self, action: str, target: str | None = None) -> None:
        """Record in the audit trail that this user read or changed this athlete's data."""
        record(self.actor, action, self.athlete_id, target)


def record(actor: audit.Actor, action: str, athlete_id: int | None = None, target: str | None = None) -> None:
    """Append one audit event in its own short transaction (under the web write lock)."""
    def insert() -> None:
        with store.get_database().session() as s:
            audit.record(s, actor, action, athlete_id, target)
    write(insert)


def viewable_athlete(athlete_id: int, request: Request, user: UserInfo = Depends(current_user)) -> AthleteView:
    with store.get_database().session() as s:
        athlete = s.get(Athlete, athlete_id)
        if athlete is None or not accounts.can_view(s, user, athlete_id):
            raise HTTPException(404, "Not found.")
        return AthleteView(athlete.id, athlete.name, user, user.athlete_id == athlete_id, client_ip(request))


def own_athlete(view: AthleteView = Depends(viewable_athlete)) -> AthleteView:
    """Only the runner changes their own data; a linked clinician reads it."""
    if not view.is_self:
        raise HTTPException(403, "Only the runner can change their own records; you can read them.")
    return view


# ---- CSRF ------------------------------------------------------------------------------------------------
def expected_csrf(request: Request) -> str | None:
    sess = get_session(request)
    return sess.csrf_token if sess is not None else request.cookies.get(PRE_COOKIE)


def csrf_matches(request: Request, sent: str | None) -> bool:
    expected = expected_csrf(request)
    return bool(expected and sent) and hmac.compare_digest(str(sent).encode(), expected.encode())


def same_origin(request: Request) -> bool:
    """False when the browser says the request came from another site (Origin, else Referer)."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return source != "null"
    host = request.headers.get("host", "")
    return urlsplit(source).netloc == host


async def csrf_protect(request: Request) -> None:
    """Every state-changing request carries the session's CSRF token, in the X-CSRF-Token header (htmx)
    or the `csrf_token` form field, and comes from our own origin."""
    if request.method in SAFE_METHODS:
        return
    if not same_origin(request):
        raise HTTPException(403, "Refused: this request came from another site.")
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/x-www-form-urlencoded"):
            sent = (await request.form()).get(CSRF_FIELD)
    if not csrf_matches(request, sent if isinstance(sent, str) else None):
        raise HTTPException(403, "Refused: the form had expired or did not come from this site. "
                                 "Go back, reload the page and try again.")


def new_pre_token() -> str:
    return secrets.token_urlsafe(32)
