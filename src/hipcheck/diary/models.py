"""A day's pain diary entry, validated: 0-10 scores during, after and the next morning."""
from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator


class PainEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: date
    pain_during: int | None = Field(default=None, ge=0, le=10)
    pain_after: int | None = Field(default=None, ge=0, le=10)
    pain_next_morning: int | None = Field(default=None, ge=0, le=10)
    location: str | None = Field(default=None, max_length=50)
    note: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _some_score(self) -> PainEntry:
        if self.pain_during is None and self.pain_after is None and self.pain_next_morning is None:
            raise ValueError("give at least one pain score (--pain-during, --pain-after or "
                             "--pain-next-morning, each 0-10)")
        return self

    @property
    def worst(self) -> int:
        return max(v for v in (self.pain_during, self.pain_after, self.pain_next_morning) if v is not None)
