"""Small repository functions over a Session. The caller (a service) owns the transaction."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import InputError
from .models import Assessment, Athlete, Intake


def add_athlete(session: Session, name: str, sex: str | None = None,
                birth_year: int | None = None) -> Athlete:
    """Create an athlete; a name already taken is an InputError."""
    athlete = Athlete(name=name, sex=sex, birth_year=birth_year)
    try:
        with session.begin_nested():  # the unique name decides, even with two writers at once
            session.add(athlete)
    except IntegrityError:
        raise InputError(f"athlete '{name}' already exists: pick another name, "
                         "or see `hipcheck athlete list`") from None
    return athlete


def get_athlete(session: Session, name: str) -> Athlete | None:
    return session.scalars(select(Athlete).where(Athlete.name == name)).one_or_none()


def list_athletes(session: Session) -> list[Athlete]:
    return list(session.scalars(select(Athlete).order_by(Athlete.name)))


def require_athlete(session: Session, name: str) -> Athlete:
    """The athlete called `name`, or an InputError saying how to add one and which names exist."""
    athlete = get_athlete(session, name)
    if athlete is not None:
        return athlete
    names = [a.name for a in list_athletes(session)]
    known = f"known athletes: {', '.join(names)}" if names else "no athletes yet"
    raise InputError(f"no athlete '{name}' ({known}): add one with `hipcheck athlete add \"{name}\"`")


def resolve_athlete(session: Session, name: str | None) -> Athlete:
    """The named athlete; with no name, the only athlete there is (else ask for --athlete)."""
    if name is not None:
        return require_athlete(session, name)
    athletes = list_athletes(session)
    if len(athletes) == 1:
        return athletes[0]
    if not athletes:
        raise InputError("no athletes yet: add one with `hipcheck athlete add NAME`")
    raise InputError(f"there are {len(athletes)} athletes ({', '.join(a.name for a in athletes)}): "
                     "say which with --athlete NAME")


def save_intake(session: Session, athlete: Athlete, document: dict[str, Any]) -> Intake:
    intake = Intake(athlete=athlete, document=document)
    session.add(intake)
    session.flush()
    return intake


def save_assessment(session: Session, athlete: Athlete, intake: Intake | None, document: dict[str, Any],
                    triage_level: str, top_condition: str | None) -> Assessment:
    assessment = Assessment(athlete=athlete, intake=intake, document=document, triage_level=triage_level,
                            top_condition=top_condition)
    session.add(assessment)
    session.flush()
    return assessment


def latest_assessment(session: Session, athlete: Athlete) -> Assessment | None:
    return session.scalars(
        select(Assessment).where(Assessment.athlete_id == athlete.id)
        .order_by(Assessment.created_at.desc(), Assessment.id.desc()).limit(1)
    ).one_or_none()
