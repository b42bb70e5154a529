"""Data-driven rules over intake answers, evaluated with three-valued logic.

A missing answer means "not asked / not known", never "no" (intake contract), so a rule
evaluates to True, False or None (unknown). Red flags fire on True; a None is "possible".

YAML forms (one per node):
    {field: signs.limp, equals: true}
    {field: pain.locations, contains_any: [groin, front_hip]}
    {field: pain.when, contains_all: [at_night, at_rest]}
    {field: runner.sport, in: [track_sprinting, team_sport]}
    {field: runner.age_years, gte: 50}            # also gt, lte, lt
    {all: [...]}  {any: [...]}  {not: {...}}
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

_PREDICATES = ("equals", "in_", "contains_any", "contains_all", "gte", "gt", "lte", "lt")


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    all: list[Rule] | None = None
    any: list[Rule] | None = None
    not_: Rule | None = Field(default=None, alias="not")
    field: str | None = None
    equals: Any = None
    in_: list[Any] | None = Field(default=None, alias="in")
    contains_any: list[str] | None = None
    contains_all: list[str] | None = None
    gte: float | None = None
    gt: float | None = None
    lte: float | None = None
    lt: float | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Rule:
        logical = [k for k in ("all", "any", "not_") if getattr(self, k) is not None]
        preds = [k for k in _PREDICATES if getattr(self, k) is not None]
        if self.field is None:
            if len(logical) != 1 or preds:
                raise ValueError("a rule needs exactly one of all/any/not, or a field with one test")
        else:
            if logical or len(preds) != 1:
                raise ValueError(f"rule on field '{self.field}' needs exactly one test of "
                                 "equals/in/contains_any/contains_all/gte/gt/lte/lt")
        return self

    def fields(self) -> set[str]:
        """Every intake field this rule reads."""
        if self.field is not None:
            return {self.field}
        out: set[str] = set()
        for child in (self.all or []) + (self.any or []) + ([self.not_] if self.not_ else []):
            out |= child.fields()
        return out

    def values(self) -> list[tuple[str, Any]]:
        """(field, value) pairs this rule compares against, for checking enum values."""
        if self.field is not None:
            vals: list[Any] = []
            for k in ("in_", "contains_any", "contains_all"):
                vals += getattr(self, k) or []
            if self.equals is not None:
                vals.append(self.equals)
            return [(self.field, v) for v in vals]
        out: list[tuple[str, Any]] = []
        for child in (self.all or []) + (self.any or []) + ([self.not_] if self.not_ else []):
            out += child.values()
        return out

    def evaluate(self, intake: dict) -> bool | None:
        """True, False, or None when the answer depends on something not known."""
        if self.all is not None:
            results = [r.evaluate(intake) for r in self.all]
            if any(r is False for r in results):
                return False
            return None if any(r is None for r in results) else True
        if self.any is not None:
            results = [r.evaluate(intake) for r in self.any]
            if any(r is True for r in results):
                return True
            return None if any(r is None for r in results) else False
        if self.not_ is not None:
            r = self.not_.evaluate(intake)
            return None if r is None else not r
        return self._test(lookup(intake, self.field))

    def _test(self, value: Any) -> bool | None:
        if value is None or value == "not_done":
            return None
        if self.equals is not None:
            return value == self.equals
        if self.in_ is not None:
            return value in self.in_
        if self.contains_any is not None:
            return bool(set(value) & set(self.contains_any))
        if self.contains_all is not None:
            return set(self.contains_all) <= set(value)
        if self.gte is not None:
            return value >= self.gte
        if self.gt is not None:
            return value > self.gt
        if self.lte is not None:
            return value <= self.lte
        return value < self.lt


def lookup(intake: dict, path: str) -> Any:
    """The value at a dotted path such as `signs.limp`, or None when absent."""
    node: Any = intake
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node
