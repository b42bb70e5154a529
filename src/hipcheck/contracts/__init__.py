"""The published contracts: the intake schema and the field catalogue derived from it."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

INTAKE_SCHEMA_ID = "hipcheck.intake/v1"
ASSESSMENT_SCHEMA_ID = "hipcheck.assessment/v1"


@lru_cache(maxsize=1)
def intake_schema() -> dict:
    """The JSON schema of `hipcheck.intake/v1` (a copy of shared/contracts/intake-v1.schema.json)."""
    text = resources.files(__package__).joinpath("intake-v1.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def assessment_schema() -> dict:
    """The JSON schema of `hipcheck.assessment/v1` (what `hipcheck assess --format json` writes)."""
    text = resources.files(__package__).joinpath("assessment-v1.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class IntakeField:
    """One answerable field of the intake, such as `signs.limp` or `pain.locations`."""

    path: str
    kind: str  # "boolean" | "integer" | "number" | "enum" | "list"
    values: tuple[str, ...] = ()  # allowed values for enum and list fields
    minimum: float | None = None
    maximum: float | None = None


@lru_cache(maxsize=1)
def intake_fields() -> dict[str, IntakeField]:
    """Every leaf field of the intake schema, keyed by its dotted path."""
    out: dict[str, IntakeField] = {}
    for section, spec in intake_schema()["properties"].items():
        if section == "schema":
            continue
        for name, field in spec.get("properties", {}).items():
            path = f"{section}.{name}"
            if "enum" in field:
                out[path] = IntakeField(path, "enum", tuple(field["enum"]))
            elif field.get("type") == "array":
                out[path] = IntakeField(path, "list", tuple(field.get("items", {}).get("enum", ())))
            else:
                kind = field.get("type", "string")
                out[path] = IntakeField(path, kind, (), field.get("minimum"), field.get("maximum"))
    return out
