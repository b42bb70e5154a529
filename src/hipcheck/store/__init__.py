"""store capability: the database (SQLite or PostgreSQL), its tables, migrations and repositories."""
from .db import Database, forget_all_databases, forget_database, get_database, hipcheck_home, resolve_url
from .models import (
    Activity,
    Assessment,
    Athlete,
    Base,
    DiaryEntry,
    GaitAnalysis,
    Intake,
    Plan,
    PlanLog,
    UTCDateTime,
    utcnow,
)
from . import web_models  # noqa: F401  (the web app's tables join the same metadata)
from .repo import (
    add_athlete,
    get_athlete,
    latest_assessment,
    list_athletes,
    require_athlete,
    resolve_athlete,
    save_assessment,
    save_intake,
)

__all__ = [
    "Database", "get_database", "forget_database", "forget_all_databases", "hipcheck_home", "resolve_url",
    "Base", "Athlete", "Intake", "Assessment", "Activity", "DiaryEntry", "GaitAnalysis", "Plan", "PlanLog",
    "UTCDateTime", "utcnow",
    "add_athlete", "get_athlete", "require_athlete", "list_athletes", "resolve_athlete", "save_intake",
    "save_assessment", "latest_assessment",
]
