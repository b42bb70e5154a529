"""Use case: assess one intake for a runner, and store the intake and assessment for the athlete."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..assess import Assessment, Assessor, build_document, read_intake, validate_intake
from ..errors import HipcheckError
from ..knowledge import get_knowledge


@dataclass
class AssessResult:
    document: dict  # the hipcheck.assessment/v1 document
    assessment: Assessment
    stored_for: str | None  # athlete name, when stored
    note: str | None  # why nothing was stored, when it was not


@lru_cache(maxsize=1)
def assessor() -> Assessor:
    return Assessor(get_knowledge())


def assess_file(path: str | Path, athlete: str | None = None, store: bool = True) -> AssessResult:
    return assess_intake(read_intake(path), athlete=athlete, store=store)


def assess_intake(intake: dict, athlete: str | None = None, store: bool = True) -> AssessResult:
    """Validate, assess and (unless store=False) save for `athlete` or the only athlete there is.

    With no athlete named and none (or several) in the database, the assessment is still returned and
    `note` says why it was not stored: safety advice must never depend on the database.
    """
    intake = validate_intake(intake)
    a = assessor()
    assessment = a.assess(intake)
    doc = build_document(assessment, a.kb)
    if not store:
        return AssessResult(doc, assessment, None, None)
    try:
        name = _store(intake, doc, assessment, athlete)
    except HipcheckError as exc:
        if athlete is not None:
            raise
        return AssessResult(doc, assessment, None, f"not stored: {exc}")
    return AssessResult(doc, assessment, name, None)


def _store(intake: dict, doc: dict, assessment: Assessment, athlete: str | None) -> str:
    from ..store import get_database, repo

    with get_database().session(write=True) as s:
        who = repo.resolve_athlete(s, athlete)
        saved = repo.save_intake(s, who, intake)
        repo.save_assessment(s, who, saved, doc, assessment.level, assessment.top)
        return who.name
