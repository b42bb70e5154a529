"""The database tables. One row type per thing a runner records or hipcheck works out.

Every timestamp is stored in UTC and comes back timezone-aware on both SQLite and PostgreSQL.
Documents (intake, assessment, gait, plan) are stored whole as JSON (JSONB on PostgreSQL).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so later migrations (and SQLite batch rebuilds) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored in UTC.

    A naive datetime is refused: its time zone is unknown, and guessing would shift times by hours.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}: {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: give a timezone-aware value "
                             "(for example with tzinfo=datetime.timezone.utc)")
        value = value.astimezone(dt.timezone.utc)
        # SQLite has no time zone type: store naive UTC text and reattach UTC on the way out.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime, dict[str, Any]: JSONDocument}


def _athlete_fk() -> Any:
    return mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False, index=True)


def _created_at() -> Any:
    return mapped_column(UTCDateTime(), nullable=False, default=utcnow)


_CHILDREN = dict(cascade="all, delete-orphan", passive_deletes=True)


class Athlete(Base):
    __tablename__ = "athletes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = _created_at()
    sex: Mapped[str | None] = mapped_column(String(10))
    birth_year: Mapped[int | None] = mapped_column(Integer)

    intakes: Mapped[list[Intake]] = relationship(back_populates="athlete", **_CHILDREN)
    assessments: Mapped[list[Assessment]] = relationship(back_populates="athlete", **_CHILDREN)
    activities: Mapped[list[Activity]] = relationship(back_populates="athlete", **_CHILDREN)
    diary_entries: Mapped[list[DiaryEntry]] = relationship(back_populates="athlete", **_CHILDREN)
    gait_analyses: Mapped[list[GaitAnalysis]] = relationship(back_populates="athlete", **_CHILDREN)
    plans: Mapped[list[Plan]] = relationship(back_populates="athlete", **_CHILDREN)

    def __repr__(self) -> str:
        return f"Athlete(id={self.id!r}, name={self.name!r})"


class Intake(Base):
    """A runner's answers to the intake questionnaire (contracts/intake-v1)."""

    __tablename__ = "intakes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = _athlete_fk()
    created_at: Mapped[dt.datetime] = _created_at()
    document: Mapped[dict[str, Any]] = mapped_column(JSONDocument, nullable=False)

    athlete: Mapped[Athlete] = relationship(back_populates="intakes")


class Assessment(Base):
    """The result of assessing an intake: triage level, likely causes, findings (the whole document)."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = _athlete_fk()
    intake_id: Mapped[int | None] = mapped_column(ForeignKey("intakes.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = _created_at()
    triage_level: Mapped[str] = mapped_column(String(20), nullable=False)
    top_condition: Mapped[str | None] = mapped_column(String(50))
    document: Mapped[dict[str, Any]] = mapped_column(JSONDocument, nullable=False)

    athlete: Mapped[Athlete] = relationship(back_populates="assessments")
    intake: Mapped[Intake | None] = relationship()


class Activity(Base):
    """One training session imported from a file (GPX, TCX, FIT, CSV)."""

    __tablename__ = "activities"
    __table_args__ = (
        UniqueConstraint("athlete_id", "content_hash"),
        Index("ix_activities_athlete_id_start_time", "athlete_id", "start_time"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False)
    start_time: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    sport: Mapped[str] = mapped_column(String(30), nullable=False)
    is_run: Mapped[bool] = mapped_column(Boolean, nullable=False)
    distance_m: Mapped[float] = mapped_column(Float, nullable=False)
    duration_s: Mapped[float] = mapped_column(Float, nullable=False)
    moving_time_s: Mapped[float | None] = mapped_column(Float)
    elevation_gain_m: Mapped[float | None] = mapped_column(Float)
    avg_hr: Mapped[float | None] = mapped_column(Float)
    max_hr: Mapped[float | None] = mapped_column(Float)
    rpe: Mapped[float | None] = mapped_column(Float)
    source_format: Mapped[str] = mapped_column(String(10), nullable=False)
    source_name: Mapped[str] = mapped_column(String(255), nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    salvaged: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Other files found to record the same session: a list of {"source_name", "content_hash"}.
    merged_from: Mapped[list[Any] | None] = mapped_column(JSONDocument)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    created_at: Mapped[dt.datetime] = _created_at()

    athlete: Mapped[Athlete] = relationship(back_populates="activities")


class DiaryEntry(Base):
    """One day's pain diary: 0-10 pain during, after and the next morning."""

    __tablename__ = "diary_entries"
    __table_args__ = (UniqueConstraint("athlete_id", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False)
    date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    pain_during: Mapped[int | None] = mapped_column(Integer)
    pain_after: Mapped[int | None] = mapped_column(Integer)
    pain_next_morning: Mapped[int | None] = mapped_column(Integer)
    location: Mapped[str | None] = mapped_column(String(50))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = _created_at()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow,
                                                    onupdate=utcnow)

    athlete: Mapped[Athlete] = relationship(back_populates="diary_entries")


class GaitAnalysis(Base):
    """The result of analysing a running video (gait) or a standing photo (posture)."""

    __tablename__ = "gait_analyses"
    __table_args__ = (CheckConstraint("kind IN ('gait', 'posture')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = _athlete_fk()
    created_at: Mapped[dt.datetime] = _created_at()
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    view: Mapped[str | None] = mapped_column(String(10))
    document: Mapped[dict[str, Any]] = mapped_column(JSONDocument, nullable=False)
    media_path: Mapped[str | None] = mapped_column(String)

    athlete: Mapped[Athlete] = relationship(back_populates="gait_analyses")


class Plan(Base):
    """A personal plan (exercises, running changes, return-to-run steps) as a whole document."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = _athlete_fk()
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="SET NULL"),
                                                      index=True)
    created_at: Mapped[dt.datetime] = _created_at()
    document: Mapped[dict[str, Any]] = mapped_column(JSONDocument, nullable=False)

    athlete: Mapped[Athlete] = relationship(back_populates="plans")
    assessment: Mapped[Assessment | None] = relationship()
    logs: Mapped[list[PlanLog]] = relationship(back_populates="plan", **_CHILDREN)


class PlanLog(Base):
    """One exercise done on one day while following a plan."""

    __tablename__ = "plan_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    exercise_id: Mapped[str] = mapped_column(String(60), nullable=False)
    sets: Mapped[int] = mapped_column(Integer, nullable=False)
    pain: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = _created_at()

    plan: Mapped[Plan] = relationship(back_populates="logs")
