"""Tables of the web app: accounts, sessions, clinician links, the audit log, background jobs, stored files.

Same declarative Base as store/models.py, so one metadata (and one Alembic history) covers everything.
A web user who is a runner owns exactly one `Athlete` row; deleting it deletes the account with it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, JSONDocument, UTCDateTime, utcnow

ROLES = ("athlete", "clinician")
JOB_KINDS = ("import", "gait")
JOB_STATES = ("queued", "running", "done", "failed")
LINK_STATES = ("pending", "accepted", "revoked")
FILE_KINDS = ("activity", "video", "derived")


def _created_at() -> Any:
    return mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class User(Base):
    """A login. Runners (role athlete) own one Athlete row; clinicians see athletes who accepted their invite."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('athlete', 'clinician')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    display_name: Mapped[str] = mapped_column(String(100), nullable=False)
    athlete_id: Mapped[int | None] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"), unique=True)
    # Explicit consent to keep health data (GDPR Art. 9(2)(a)): which wording version, and when.
    consent_version: Mapped[str] = mapped_column(String(20), nullable=False)
    consented_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    created_at: Mapped[dt.datetime] = _created_at()
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[dt.datetime] = _created_at()
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    # Short-lived page state, e.g. the answers of an unfinished intake questionnaire.
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)


class ClinicianLink(Base):
    """An invitation from a clinician; once an athlete accepts it, the clinician may read their data."""

    __tablename__ = "clinician_links"
    __table_args__ = (CheckConstraint("status IN ('pending', 'accepted', 'revoked')", name="status"),
                      Index("ix_clinician_links_athlete_id_status", "athlete_id", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
                                              index=True)
    athlete_id: Mapped[int | None] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"))
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    note: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")
    created_at: Mapped[dt.datetime] = _created_at()
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    """Who read or changed which athlete's health data, when and from where. Append-only: the migration
    adds database triggers refusing UPDATE and DELETE. No foreign keys, so the trail outlives a deleted
    account; no health data or secrets in it, only ids and the kind of action."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    athlete_id: Mapped[int | None] = mapped_column(Integer, index=True)
    target: Mapped[str | None] = mapped_column(String(100))
    ip: Mapped[str | None] = mapped_column(String(45))


class Job(Base):
    """Background work (an activity import, a video analysis) run by the worker process."""

    __tablename__ = "jobs"
    __table_args__ = (CheckConstraint("kind IN ('import', 'gait')", name="kind"),
                      CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
                      Index("ix_jobs_status_created_at", "status", "created_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False,
                                            index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="queued")
    progress: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    message: Mapped[str | None] = mapped_column(String(500))
    params: Mapped[dict[str, Any]] = mapped_column(JSONDocument, nullable=False)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    worker_pid: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = _created_at()
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class StoredFile(Base):
    """A file a user uploaded, or one hipcheck derived from it (an annotated video). Kept under a random
    name outside any web root and served only by the authorised download handler."""

    __tablename__ = "stored_files"
    __table_args__ = (CheckConstraint("kind IN ('activity', 'video', 'derived')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False,
                                            index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    original_name: Mapped[str] = mapped_column(String(255), nullable=False)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    media_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[dt.datetime] = _created_at()
    # Set when the bytes were removed (raw videos after the retention period); the row stays as a record.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
