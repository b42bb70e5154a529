"""Initial schema: athletes and everything recorded or worked out for them.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _created_at() -> sa.Column:
    return sa.Column("created_at", _utc(), nullable=False)


def _athlete_id(table: str) -> list:
    return [sa.Column("athlete_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["athlete_id"], ["athletes.id"], ondelete="CASCADE",
                                    name=op.f(f"fk_{table}_athlete_id_athletes"))]


def upgrade() -> None:
    op.create_table(
        "athletes",
        _id(),
        sa.Column("name", sa.String(length=100), nullable=False),
        _created_at(),
        sa.Column("sex", sa.String(length=10), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_athletes")),
        sa.UniqueConstraint("name", name=op.f("uq_athletes_name")),
    )
    op.create_table(
        "intakes",
        _id(),
        *_athlete_id("intakes"),
        _created_at(),
        sa.Column("document", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intakes")),
    )
    op.create_index(op.f("ix_intakes_athlete_id"), "intakes", ["athlete_id"])
    op.create_table(
        "assessments",
        _id(),
        *_athlete_id("assessments"),
        sa.Column("intake_id", sa.Integer(), nullable=True),
        _created_at(),
        sa.Column("triage_level", sa.String(length=20), nullable=False),
        sa.Column("top_condition", sa.String(length=50), nullable=True),
        sa.Column("document", _json(), nullable=False),
        sa.ForeignKeyConstraint(["intake_id"], ["intakes.id"], ondelete="SET NULL",
                                name=op.f("fk_assessments_intake_id_intakes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_index(op.f("ix_assessments_athlete_id"), "assessments", ["athlete_id"])
    op.create_index(op.f("ix_assessments_intake_id"), "assessments", ["intake_id"])
    op.create_table(
        "activities",
        _id(),
        *_athlete_id("activities"),
        sa.Column("start_time", _utc(), nullable=False),
        sa.Column("sport", sa.String(length=30), nullable=False),
        sa.Column("is_run", sa.Boolean(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("moving_time_s", sa.Float(), nullable=True),
        sa.Column("elevation_gain_m", sa.Float(), nullable=True),
        sa.Column("avg_hr", sa.Float(), nullable=True),
        sa.Column("max_hr", sa.Float(), nullable=True),
        sa.Column("rpe", sa.Float(), nullable=True),
        sa.Column("source_format", sa.String(length=10), nullable=False),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("salvaged", sa.Boolean(), nullable=False),
        sa.Column("merged_from", _json(), nullable=True),
        sa.Column("extra", _json(), nullable=True),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
        sa.UniqueConstraint("athlete_id", "content_hash", name=op.f("uq_activities_athlete_id_content_hash")),
    )
    op.create_index("ix_activities_athlete_id_start_time", "activities", ["athlete_id", "start_time"])
    op.create_table(
        "diary_entries",
        _id(),
        *_athlete_id("diary_entries"),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("pain_during", sa.Integer(), nullable=True),
        sa.Column("pain_after", sa.Integer(), nullable=True),
        sa.Column("pain_next_morning", sa.Integer(), nullable=True),
        sa.Column("location", sa.String(length=50), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _created_at(),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diary_entries")),
        sa.UniqueConstraint("athlete_id", "date", name=op.f("uq_diary_entries_athlete_id_date")),
    )
    op.create_table(
        "gait_analyses",
        _id(),
        *_athlete_id("gait_analyses"),
        _created_at(),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("view", sa.String(length=10), nullable=True),
        sa.Column("document", _json(), nullable=False),
        sa.Column("media_path", sa.String(), nullable=True),
        sa.CheckConstraint("kind IN ('gait', 'posture')", name=op.f("ck_gait_analyses_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gait_analyses")),
    )
    op.create_index(op.f("ix_gait_analyses_athlete_id"), "gait_analyses", ["athlete_id"])
    op.create_table(
        "plans",
        _id(),
        *_athlete_id("plans"),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        _created_at(),
        sa.Column("document", _json(), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"], ondelete="SET NULL",
                                name=op.f("fk_plans_assessment_id_assessments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    op.create_index(op.f("ix_plans_athlete_id"), "plans", ["athlete_id"])
    op.create_index(op.f("ix_plans_assessment_id"), "plans", ["assessment_id"])
    op.create_table(
        "plan_logs",
        _id(),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("exercise_id", sa.String(length=60), nullable=False),
        sa.Column("sets", sa.Integer(), nullable=False),
        sa.Column("pain", sa.Integer(), nullable=True),
        _created_at(),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE",
                                name=op.f("fk_plan_logs_plan_id_plans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_logs")),
    )
    op.create_index(op.f("ix_plan_logs_plan_id"), "plan_logs", ["plan_id"])


def downgrade() -> None:
    for table in ("plan_logs", "plans", "gait_analyses", "diary_entries", "activities", "assessments",
                  "intakes", "athletes"):
        op.drop_table(table)
