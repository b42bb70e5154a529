"""Clinicians: the dashboard of linked athletes, invitations, and the runner's side of accepting one."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request

from ... import store
from ...errors import InputError
from ...services import accounts, audit, dashboard
from ..dbwrite import write
from ..deps import client_ip, clinician_user, csrf_protect, current_user, get_session
from ..render import page, redirect

router = APIRouter(dependencies=[Depends(csrf_protect)])


def _dashboard_rows(request: Request, user: accounts.UserInfo) -> list:
    """The clinician's linked athletes, one row each; every athlete shown is logged as read."""
    with store.get_database().session() as s:
        ids = accounts.linked_athlete_ids(s, user.id)
        rows = dashboard.clinician_rows(s, ids)
    _log_reads(request, user, ids)
    return rows


@router.get("/clinic")
def clinic(request: Request, user: accounts.UserInfo = Depends(clinician_user)):
    rows = _dashboard_rows(request, user)
    links = accounts.links_of_clinician(user.id)
    pending = [li for li in links if li.status == "pending"]
    return page(request, "clinic/dashboard.html", {"rows": rows, "pending": pending,
                                                   "by_athlete": {li.athlete_id: li for li in links}})


@router.get("/api/clinic/athletes")
def clinic_json(request: Request, user: accounts.UserInfo = Depends(clinician_user)):
    rows = _dashboard_rows(request, user)
    return [{"athlete_id": r.athlete_id, "name": r.name, "latest_assessment": r.latest_assessment,
             "latest_pain": r.latest_pain, "pain_trend": r.pain_trend, "sessions_logged_7d": r.sessions_logged_7d,
             "alerts": [a.text for a in r.alerts]} for r in rows]


def _log_reads(request: Request, user: accounts.UserInfo, athlete_ids: list[int]) -> None:
    def insert() -> None:
        with store.get_database().session() as s:
            for aid in athlete_ids:
                audit.record(s, audit.Actor(user.id, user.role, client_ip(request)), "read", aid, "clinic dashboard")
    if athlete_ids:
        write(insert)


@router.post("/clinic/invites")
def invite(request: Request, user: accounts.UserInfo = Depends(clinician_user), note: str = Form("")):
    code = write(accounts.create_invite, user, note)
    link = str(request.base_url).rstrip("/") + f"/invite/{code}"
    return page(request, "clinic/invite_created.html", {"link": link, "note": note.strip()[:100],
                                                        "days": accounts.INVITE_VALID.days})


@router.post("/clinic/links/{link_id}/revoke")
def clinician_revoke(request: Request, link_id: int, user: accounts.UserInfo = Depends(clinician_user)):
    try:
        write(accounts.revoke_link, link_id, user, actor_ip=client_ip(request))
    except InputError:
        raise HTTPException(404, "Not found.") from None
    return redirect("/clinic")


@router.get("/invite/{code}")
def invite_page(request: Request, code: str):
    link = accounts.invite_for_code(code)
    sess = get_session(request)
    if link is None:
        raise HTTPException(404, "This invitation is not valid any more: ask your clinician for a new one.")
    if sess is None:
        return page(request, "clinic/invite.html", {"link": link, "code": code, "signed_in": False})
    return page(request, "clinic/invite.html", {"link": link, "code": code, "signed_in": True})


@router.post("/invite/{code}/accept")
def accept(request: Request, code: str, user: accounts.UserInfo = Depends(current_user)):
    try:
        write(accounts.accept_invite, code, user, actor_ip=client_ip(request))
    except InputError as exc:
        raise HTTPException(400, str(exc)) from None
    return redirect(f"/athletes/{user.athlete_id}", "link_accepted")
