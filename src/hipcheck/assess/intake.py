"""Read and validate a `hipcheck.intake/v1` document (JSON or YAML) exactly as the contract says."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from ..contracts import INTAKE_SCHEMA_ID, intake_schema
from ..errors import InputError


def read_intake(path: str | Path) -> dict:
    """The validated intake at `path`; InputError naming the file and field when it is not."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; give the path of an intake JSON or YAML file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read it ({exc.__class__.__name__}); give a UTF-8 JSON or YAML file") from None
    return parse_intake(text, str(path))


def parse_intake(text: str, where: str = "intake") -> dict:
    try:
        doc = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0]
        raise InputError(f"{where}: not valid JSON or YAML ({first}); fix the syntax") from None
    return validate_intake(doc, where)


def validate_intake(doc: Any, where: str = "intake") -> dict:
    """Check `doc` against the packaged intake schema; the first problem becomes one clear message."""
    if not isinstance(doc, dict):
        raise InputError(f"{where}: must be an object (a mapping of sections such as runner, pain, signs), "
                         f"got {type(doc).__name__}; start it with `schema: {INTAKE_SCHEMA_ID}`")
    errors = sorted(Draft202012Validator(intake_schema()).iter_errors(doc),
                    key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    if errors:
        raise InputError(f"{where}: {_describe(errors[0])}")
    return doc


def _describe(err) -> str:
    path = ".".join(str(p) for p in err.absolute_path) or "(top level)"
    spec, v = err.schema, err.validator
    if v == "additionalProperties":
        extra = sorted(set(err.instance) - set(spec.get("properties", {})))
        allowed = ", ".join(spec.get("properties", {}))
        name = f"{path}.{extra[0]}" if err.absolute_path else extra[0]
        return f"unknown field '{name}'; allowed fields here: {allowed}"
    if v == "required":
        return f"missing field '{err.message.split(chr(39))[1]}'; add `schema: {INTAKE_SCHEMA_ID}`"
    if v == "const":
        return f"field '{path}' must be '{spec['const']}' (got {json.dumps(err.instance)})"
    if v == "enum":
        return (f"field '{path}': {json.dumps(err.instance)} is not allowed; "
                f"allowed values: {', '.join(map(str, spec['enum']))}")
    if v in ("minimum", "maximum"):
        lo, hi = spec.get("minimum"), spec.get("maximum")
        return f"field '{path}': {err.instance} is out of range; allowed: {lo} to {hi}"
    if v == "type":
        want = spec["type"]
        extra = ""
        if want == "array" and "enum" in spec.get("items", {}):
            extra = f" of: {', '.join(spec['items']['enum'])}"
        elif want in ("integer", "number") and "minimum" in spec:
            extra = f" from {spec['minimum']} to {spec['maximum']}"
        elif want == "boolean":
            extra = " (true or false)"
        return f"field '{path}' must be {'an' if want[0] in 'aeiou' else 'a'} {want}{extra}, got {json.dumps(err.instance)}"
    if v == "uniqueItems":
        return f"field '{path}' lists a value twice; give each value once"
    return f"field '{path}': {err.message}"


def with_derived(intake: dict) -> dict:
    """The intake plus values the rules may read under `derived.` (never asked directly)."""
    runner = intake.get("runner", {})
    derived: dict[str, float] = {}
    h, w = runner.get("height_cm"), runner.get("weight_kg")
    if h and w:
        derived["bmi"] = round(w / (h / 100) ** 2, 1)
    return {**intake, "derived": derived}
