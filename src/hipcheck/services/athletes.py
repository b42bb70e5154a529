"""Use case: add and list the athletes whose hips hipcheck looks after."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from .. import store
from ..errors import InputError

SEXES = ("female", "male", "other")
# Same age range as the intake contract (contracts/intake-v1: age_years 8..100).
MIN_AGE_YEARS = 8
MAX_AGE_YEARS = 100
NAME_MAX_CHARS = 100


@dataclass(frozen=True)
class AthleteInfo:
    id: int
    name: str
    sex: str | None
    birth_year: int | None
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: store.Athlete) -> AthleteInfo:
        return cls(row.id, row.name, row.sex, row.birth_year, row.created_at)

    def to_dict(self) -> dict:
        doc = asdict(self)
        doc["created_at"] = self.created_at.isoformat()
        return doc


def validate_name(name: str) -> str:
    clean = name.strip()
    if not clean:
        raise InputError("athlete name is empty: give a name such as \"Sam\"")
    if len(clean) > NAME_MAX_CHARS:
        raise InputError(f"athlete name is {len(clean)} characters long: use at most {NAME_MAX_CHARS}")
    return clean


def validate_birth_year(birth_year: int | None, today: dt.date | None = None) -> int | None:
    if birth_year is None:
        return None
    year = (today or dt.date.today()).year
    first, last = year - MAX_AGE_YEARS - 1, year - MIN_AGE_YEARS
    if not first <= birth_year <= last:
        raise InputError(f"birth year {birth_year} is out of range: give a year from {first} to {last} "
                         f"(ages {MIN_AGE_YEARS} to {MAX_AGE_YEARS})")
    return birth_year


def validate_sex(sex: str | None) -> str | None:
    if sex is None:
        return None
    if sex not in SEXES:
        raise InputError(f"sex '{sex}' is not one of {', '.join(SEXES)}")
    return sex


def add_athlete(name: str, sex: str | None = None, birth_year: int | None = None,
                db: store.Database | None = None) -> AthleteInfo:
    """Add an athlete; the name must be new."""
    name = validate_name(name)
    sex = validate_sex(sex)
    birth_year = validate_birth_year(birth_year)
    with (db or store.get_database()).session(write=True) as session:
        return AthleteInfo.from_row(store.add_athlete(session, name, sex=sex, birth_year=birth_year))


def list_athletes(db: store.Database | None = None) -> list[AthleteInfo]:
    """Every athlete, by name."""
    with (db or store.get_database()).session() as session:
        return [AthleteInfo.from_row(a) for a in store.list_athletes(session)]
