"""Use case: the append-only audit trail of who read or changed which athlete's health data.

Rows hold ids, the kind of action and where the request came from: never health data, names or secrets.
The database refuses UPDATE and DELETE on the table (triggers in migration web01), so a row, once
written, stays; deleting an account leaves a tombstone ("account_deleted") rather than removing the trail.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.web_models import AuditEvent

# Every action the app records. Reads of health data are logged as well as changes (GDPR Art. 32, and
# the athlete can see who looked at their data).
ACTIONS = {
    "read": "viewed",
    "create": "added",
    "update": "changed",
    "upload": "uploaded",
    "download": "downloaded",
    "export": "exported all data of",
    "delete": "deleted",
    "account_deleted": "deleted the account of",
    "link_accepted": "shared data with a clinician:",
    "link_revoked": "stopped sharing data:",
    "login": "signed in",
    "login_failed": "failed to sign in",
    "logout": "signed out",
    "signup": "created an account",
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user (or None for anonymous attempts such as a failed login)."""
    user_id: int | None
    role: str | None
    ip: str | None = None


def record(session: Session, actor: Actor, action: str, athlete_id: int | None = None,
           target: str | None = None) -> AuditEvent:
    """Append one event in the caller's transaction (so it is written exactly when the change is)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(actor_user_id=actor.user_id, actor_role=actor.role, action=action,
                       athlete_id=athlete_id, target=(target or None) and target[:100],
                       ip=(actor.ip or None) and actor.ip[:45])
    session.add(event)
    return event


@dataclass(frozen=True)
class AuditRow:
    at: dt.datetime
    actor_user_id: int | None
    actor_role: str | None
    action: str
    athlete_id: int | None
    target: str | None
    ip: str | None

    @property
    def verb(self) -> str:
        return ACTIONS.get(self.action, self.action)


def events_for_athlete(session: Session, athlete_id: int, limit: int = 500) -> list[AuditRow]:
    """The newest events about one athlete's data, newest first."""
    rows = session.scalars(select(AuditEvent).where(AuditEvent.athlete_id == athlete_id)
                           .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
    return [AuditRow(r.at, r.actor_user_id, r.actor_role, r.action, r.athlete_id, r.target, r.ip) for r in rows]
