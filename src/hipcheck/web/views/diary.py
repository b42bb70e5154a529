"""The pain diary: one entry per day (0-10 during, after, next morning), through services.diary."""
from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Form, Request
from pydantic import ValidationError

from ...diary.models import PainEntry
from ...services import diary as service
from ..dbwrite import write
from ..deps import AthleteView, csrf_protect, own_athlete, viewable_athlete
from ..render import page, redirect

router = APIRouter(dependencies=[Depends(csrf_protect)])
LOCATIONS = {"": "–", "outer_hip": "Outer hip", "groin": "Groin / front of hip", "buttock": "Buttock",
             "deep_in_joint": "Deep in the joint", "lower_back": "Lower back", "thigh": "Thigh"}


def _score(raw: str, field: str) -> int | None:
    raw = (raw or "").strip()
    if raw == "":
        return None
    if not raw.isdigit():
        raise ValueError(f"{field}: choose a number from 0 to 10")
    return int(raw)


@router.get("/athletes/{athlete_id}/diary")
def diary(request: Request, view: AthleteView = Depends(viewable_athlete)):
    doc = service.list_entries(view.athlete_name)
    view.log("read", "diary")
    entries = list(reversed(doc["entries"]))
    return page(request, "athlete/diary.html", {"view": view, "entries": entries, "locations": LOCATIONS,
                                                "form": {}})


@router.post("/athletes/{athlete_id}/diary")
def add(request: Request, view: AthleteView = Depends(own_athlete), date: str = Form(""),
        pain_during: str = Form(""), pain_after: str = Form(""), pain_next_morning: str = Form(""),
        location: str = Form(""), note: str = Form(""), next: str = Form("")):
    form = {"date": date, "pain_during": pain_during, "pain_after": pain_after,
            "pain_next_morning": pain_next_morning, "location": location, "note": note}
    try:
        day = dt.date.fromisoformat(date) if date else dt.date.today()
        if day > dt.date.today() + dt.timedelta(days=1):
            raise ValueError("date: that day has not happened yet")
        entry = PainEntry(date=day, pain_during=_score(pain_during, "pain during"),
                          pain_after=_score(pain_after, "pain after"),
                          pain_next_morning=_score(pain_next_morning, "pain next morning"),
                          location=location if location in LOCATIONS and location else None,
                          note=note.strip() or None)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = str(err["loc"][0]).replace("_", " ") if err["loc"] else "entry"
        return _again(request, view, form, f"{where}: {err['msg'].removeprefix('Value error, ')}")
    except ValueError as exc:
        msg = str(exc) if ":" in str(exc) else f"date: use a date such as {dt.date.today().isoformat()}"
        return _again(request, view, form, msg)
    result = write(service.add_entry, entry, view.athlete_name)
    view.log("create" if result["created"] else "update", f"diary:{entry.date.isoformat()}")
    target = f"/athletes/{view.athlete_id}" if next == "overview" else f"/athletes/{view.athlete_id}/diary"
    return redirect(target, "diary_saved")


def _again(request: Request, view: AthleteView, form: dict, error: str):
    doc = service.list_entries(view.athlete_name)
    return page(request, "athlete/diary.html", {"view": view, "entries": list(reversed(doc["entries"])),
                                                "locations": LOCATIONS, "form": form, "error": error}, status=400)
