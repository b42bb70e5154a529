"""The intake questionnaire, one question per page: the red-flag screen first, then the question that tells
the likely causes apart best (assess.AdaptiveSession), or every question in order (FullSession).

The answers so far live with the server-side session; each page replays them into a fresh session
object, so the order and stopping rules are exactly the CLI's. When the session stops, the intake is
assessed and stored through services.assess, and the runner lands on the result.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from sqlalchemy import select

from ... import store
from ...assess import DONT_KNOW, AdaptiveSession, FullSession
from ...contracts import intake_fields
from ...services import accounts
from ...services import assess as service
from ...store.models import Assessment
from ..dbwrite import write
from ..deps import AthleteView, csrf_protect, get_session, own_athlete
from ..render import page, redirect

router = APIRouter(dependencies=[Depends(csrf_protect)])
STATE_KEY = "intake"


def _state(request: Request, athlete_id: int) -> dict:
    sess = get_session(request)
    state = (sess.data or {}).get(STATE_KEY) if sess else None
    if not state or state.get("athlete_id") != athlete_id:
        return {"athlete_id": athlete_id, "mode": "adaptive", "answers": []}
    return state


def _save(request: Request, state: dict | None) -> None:
    write(accounts.set_session_data, get_session(request).id, STATE_KEY, state)


def _replay(state: dict):
    a = service.assessor()
    session = FullSession(a) if state.get("mode") == "full" else AdaptiveSession(a)
    for path, value, dont_know in state["answers"]:
        session.answer(path, DONT_KNOW if dont_know else value)
    return session


def _question(path: str):
    a = service.assessor()
    q = next(q for q in a.kb.assess_model.questions if q.field == path)
    spec = intake_fields()[path]
    options = dict(q.options) or {v: v.replace("_", " ") for v in spec.values}
    not_done = options.pop("not_done", None)
    test = next((t for t in a.kb.self_tests.values() if t.intake_field == path), None)
    return q, spec, options, not_done, test


@router.get("/athletes/{athlete_id}/intake")
def question(request: Request, view: AthleteView = Depends(own_athlete)):
    return _question_page(request, view)


def _question_page(request: Request, view: AthleteView, error: str | None = None, status: int = 200):
    state = _state(request, view.athlete_id)
    session = _replay(state)
    path = session.next_field()
    if path is None:
        return _finish(request, view, state, session)
    q, spec, options, not_done, test = _question(path)
    screen = service.assessor().kb.assess_model.red_flag_screen
    n = len(state["answers"]) + 1
    if path in screen:
        where = f"Safety question {screen.index(path) + 1} of {len(screen)}"
        done = (screen.index(path)) / len(screen) * 0.4
    else:
        where = f"Question {n}"
        done = min(0.95, 0.4 + (n - len(screen)) * 0.045)
    leading = None
    if path not in screen and state["answers"]:
        probs = session.assessment().probabilities
        top = max(probs, key=probs.get)
        leading = (service.assessor().kb.conditions[top].lay_name, probs[top])
    return page(request, "athlete/question.html", {
        "view": view, "path": path, "q": q, "spec": spec, "options": options, "not_done": not_done,
        "test": test, "where": where, "done": done, "leading": leading, "n_answers": len(state["answers"]),
        "mode": state.get("mode", "adaptive"), "in_screen": path in screen, "error": error}, status=status)


def _parse(values: list[str], dont_know: bool, spec) -> tuple[object, bool]:
    """(value, don't know) from the submitted form, validated like the CLI's prompt; ValueError if bad."""
    if dont_know:
        return None, True
    if spec.kind == "list":
        picked = [v for v in values if v]
        bad = [v for v in picked if v not in spec.values]
        if bad:
            raise ValueError(f"'{bad[0]}' is not one of the choices")
        return list(dict.fromkeys(picked)), False
    raw = (values[0] if values else "").strip()
    if raw == "":
        raise ValueError("choose an answer, or press \"Don't know\"")
    if spec.kind == "boolean":
        if raw not in ("yes", "no"):
            raise ValueError("answer yes or no")
        return raw == "yes", False
    if spec.kind in ("integer", "number"):
        try:
            value = int(raw) if spec.kind == "integer" else float(raw)
        except ValueError:
            raise ValueError("type a number" if spec.kind == "number" else "type a whole number") from None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not spec.minimum <= value <= spec.maximum:
            raise ValueError(f"give a number from {spec.minimum:g} to {spec.maximum:g}")
        return value, False
    if raw == "not_done":
        return None, True
    if raw not in spec.values:
        raise ValueError(f"'{raw}' is not one of the choices")
    return raw, False


@router.post("/athletes/{athlete_id}/intake")
def answer(request: Request, view: AthleteView = Depends(own_athlete), field: str = Form(""),
           value: list[str] = Form([]), dont_know: str = Form("")):
    state = _state(request, view.athlete_id)
    session = _replay(state)
    path = session.next_field()
    if path is None:
        return redirect(f"/athletes/{view.athlete_id}/intake")
    if field != path:  # an old tab or a double submit: show the current question again
        return redirect(f"/athletes/{view.athlete_id}/intake")
    spec = intake_fields()[path]
    try:
        parsed, unknown = _parse(value, bool(dont_know), spec)
    except ValueError as exc:
        return _question_page(request, view, error=str(exc), status=400)
    state["answers"].append([path, parsed, unknown])
    _save(request, state)
    return redirect(f"/athletes/{view.athlete_id}/intake")


@router.post("/athletes/{athlete_id}/intake/back")
def back(request: Request, view: AthleteView = Depends(own_athlete)):
    state = _state(request, view.athlete_id)
    if state["answers"]:
        state["answers"].pop()
        _save(request, state)
    return redirect(f"/athletes/{view.athlete_id}/intake")


@router.post("/athletes/{athlete_id}/intake/restart")
def restart(request: Request, view: AthleteView = Depends(own_athlete), mode: str = Form("adaptive")):
    mode = "full" if mode == "full" else "adaptive"
    _save(request, {"athlete_id": view.athlete_id, "mode": mode, "answers": []})
    return redirect(f"/athletes/{view.athlete_id}/intake", "intake_restarted")


@router.post("/athletes/{athlete_id}/intake/finish")
def finish_now(request: Request, view: AthleteView = Depends(own_athlete)):
    """Assess with the answers given so far (only once the safety questions are done)."""
    state = _state(request, view.athlete_id)
    session = _replay(state)
    path = session.next_field()
    if path in service.assessor().kb.assess_model.red_flag_screen:
        raise HTTPException(400, "Please answer the safety questions first: they decide whether you need help now.")
    return _finish(request, view, state, session)


def _finish(request: Request, view: AthleteView, state: dict, session):
    if not state["answers"]:
        return redirect(f"/athletes/{view.athlete_id}/intake")
    write(service.assess_intake, session.intake, athlete=view.athlete_name, store=True)
    with store.get_database().session() as s:
        latest = s.scalars(select(Assessment.id).where(Assessment.athlete_id == view.athlete_id)
                           .order_by(Assessment.id.desc()).limit(1)).one()
    view.log("create", f"assessment:{latest}")
    _save(request, None)
    return redirect(f"/athletes/{view.athlete_id}/assessments/{latest}")
