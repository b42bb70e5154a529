"""The account page: who sees my data, the access log, "Download my data" and "Delete my account"."""
from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response

from ... import store
from ...errors import InputError
from ...services import accounts, audit
from ..dbwrite import write
from ..deps import SESSION_COOKIE, client_ip, csrf_protect, current_user
from ..render import page, redirect

router = APIRouter(dependencies=[Depends(csrf_protect)])


def _people(s, ids: set[int]) -> dict[int, str]:
    from sqlalchemy import select

    from ...store.web_models import User

    rows = s.execute(select(User.id, User.display_name, User.role).where(User.id.in_(ids))).all()
    return {r.id: f"{r.display_name} ({r.role})" for r in rows}


@router.get("/account")
def account(request: Request, user: accounts.UserInfo = Depends(current_user)):
    return page(request, "account/account.html", _context(request, user))


def _context(request: Request, user: accounts.UserInfo) -> dict:
    links, events, people = [], [], {}
    if user.athlete_id is not None:
        links = accounts.links_of_athlete(user.athlete_id)
        with store.get_database().session() as s:
            events = audit.events_for_athlete(s, user.athlete_id, limit=200)
            people = _people(s, {e.actor_user_id for e in events if e.actor_user_id})
    else:
        links = accounts.links_of_clinician(user.id)
    others = [e for e in events if e.actor_user_id != user.id]
    return {"links": links, "events": events, "others": others, "people": people,
            "show_all": request.query_params.get("log") == "all"}


@router.post("/account/links/{link_id}/revoke")
def revoke(request: Request, link_id: int, user: accounts.UserInfo = Depends(current_user)):
    try:
        write(accounts.revoke_link, link_id, user, actor_ip=client_ip(request))
    except InputError:
        raise HTTPException(404, "Not found.") from None
    return redirect("/account", "link_revoked")


@router.post("/account/export")
def export(request: Request, user: accounts.UserInfo = Depends(current_user)):
    data = accounts.export_data(user, actor_ip=client_ip(request))
    name = f"hipcheck-data-{dt.date.today().isoformat()}.zip"
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/account/delete")
def delete(request: Request, user: accounts.UserInfo = Depends(current_user), password: str = Form(""),
           confirm: str = Form("")):
    if confirm != "DELETE":
        return _account_error(request, user, "Type DELETE in capitals to confirm.")
    try:
        write(accounts.delete_account, user, password, actor_ip=client_ip(request))
    except InputError as exc:
        return _account_error(request, user, str(exc))
    response = redirect("/", "account_deleted")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _account_error(request: Request, user: accounts.UserInfo, message: str):
    return page(request, "account/account.html", {**_context(request, user), "delete_error": message}, status=400)
