"""Gait and posture thresholds and the risk factors findings point at, read from the knowledge base."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..errors import KnowledgeBaseError
from ..knowledge.models import RiskFactor, Threshold

FILE = "gait_thresholds.yaml"


@dataclass(frozen=True)
class GaitThresholds:
    """Thresholds by id (`value`, `source`) and the risk factors by id (for exercises and running changes)."""
    items: dict[str, Threshold]
    risk_factors: dict[str, RiskFactor]

    def value(self, tid: str) -> float:
        try:
            return float(self.items[tid].value)
        except KeyError:
            raise KnowledgeBaseError([f"{FILE}: threshold '{tid}' is missing"]) from None

    def source(self, tid: str) -> str:
        return self.items[tid].sources[0]

    def sources(self, tid: str) -> list[str]:
        return list(self.items[tid].sources)

    def advice(self, risk_factor: str) -> dict:
        rf = self.risk_factors.get(risk_factor)
        if rf is None:
            return {"exercises": [], "running_changes": []}
        return {"exercises": list(rf.exercises), "running_changes": list(rf.running_changes)}


@lru_cache(maxsize=1)
def load_gait_thresholds() -> GaitThresholds:
    """Only gait_thresholds.yaml must be sound for this; problems elsewhere are `hipcheck kb check`'s to
    report and do not block a gait analysis."""
    from ..knowledge import loader

    kb, errors = loader.load()
    own = [e for e in errors if e.startswith(FILE)]
    mine = [t for t in kb.thresholds if t.startswith(("gait_", "posture_"))]
    if own or not mine:
        raise KnowledgeBaseError(own or [f"{FILE}: no gait thresholds loaded"])
    return GaitThresholds(items=dict(kb.thresholds), risk_factors=dict(kb.risk_factors))
