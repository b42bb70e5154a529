"""Server-rendered pages: the Jinja2 environment, its filters, and `page()` which every view returns."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from .charts import sparkline
from .deps import PRE_COOKIE, get_session, new_pre_token

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
LEVELS = {"emergency": "Emergency", "urgent": "Urgent", "routine": "See a clinician", "self_care": "Self-care"}
# Messages shown after a redirect, chosen by a fixed key (so a link cannot put words on our page).
FLASH = {
    "diary_saved": "Diary entry saved.",
    "link_revoked": "Sharing stopped: that clinician can no longer see your data.",
    "link_accepted": "Done: your clinician can now see your records.",
    "intake_restarted": "Started a fresh check.",
    "signed_out": "You are signed out.",
    "account_deleted": "Your account and all its data were deleted.",
    "plan_created": "Your plan is ready.",
    "logged": "Logged.",
}


def _date(value, fmt: str = "%d %b %Y") -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value.strftime(fmt)


def _datetime(value) -> str:
    if value is None:
        return "–"
    return value.astimezone().strftime("%d %b %Y, %H:%M")


def _pct(value, digits: int = 0) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def _num(value, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _width_class(fraction) -> str:
    """A CSS width class (w0, w5 ... w100) for a 0-1 fraction: bars without inline styles (CSP)."""
    return f"w{max(0, min(100, round((fraction or 0) * 20) * 5))}"


def _ordinal(n) -> str:
    n = round(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


TEMPLATES.env.filters.update(date=_date, datetime=_datetime, pct=_pct, num=_num, wclass=_width_class,
                             ordinal=_ordinal, level=lambda v: LEVELS.get(v, str(v).replace("_", " ")),
                             words=lambda v: str(v).replace("_", " "))
TEMPLATES.env.globals.update(LEVELS=LEVELS, sparkline=sparkline)


def page(request: Request, name: str, context: dict | None = None, status: int = 200) -> HTMLResponse:
    sess = get_session(request)
    csrf = sess.csrf_token if sess is not None else (request.cookies.get(PRE_COOKIE) or new_pre_token())
    done = request.query_params.get("done")
    ctx = {"user": sess.user if sess else None, "csrf": csrf, "flash": FLASH.get(done or ""), "path": request.url.path,
           "today": dt.date.today().isoformat()}
    ctx.update(context or {})
    response = TEMPLATES.TemplateResponse(request, name, ctx, status_code=status)
    if sess is None and request.cookies.get(PRE_COOKIE) != csrf:
        response.set_cookie(PRE_COOKIE, csrf, httponly=True, samesite="lax", secure=secure(request), path="/")
    return response


def secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.app.state.settings.secure_cookies


def redirect(url: str, done: str | None = None) -> RedirectResponse:
    if done:
        url += ("&" if "?" in url else "?") + "done=" + quote(done)
    return RedirectResponse(url, status_code=303)
