"""The load thresholds, read from the knowledge base (knowledge/data/thresholds.yaml) by id."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..errors import KnowledgeBaseError
from ..knowledge.models import Threshold


@dataclass(frozen=True)
class LoadThresholds:
    """Every load threshold by id, with its sources; `value(id)` is the number."""
    items: dict[str, Threshold]
    source_titles: dict[str, str]

    def value(self, tid: str) -> float:
        try:
            return self.items[tid].value
        except KeyError:
            raise KnowledgeBaseError([f"thresholds.yaml: threshold '{tid}' is missing"]) from None

    def source(self, tid: str) -> str:
        """The first source id behind a threshold (what a finding cites)."""
        return self.items[tid].sources[0]

    def sources(self, tid: str) -> list[str]:
        return list(self.items[tid].sources)

    def ladder(self) -> list[tuple[float, float]]:
        """The return-to-run steps as (run_min, walk_min), in order."""
        steps, n = [], 1
        while f"rtr_step_{n}_run_min" in self.items:
            steps.append((self.value(f"rtr_step_{n}_run_min"), self.value(f"rtr_step_{n}_walk_min")))
            n += 1
        return steps


@lru_cache(maxsize=1)
def load_thresholds() -> LoadThresholds:
    """Thresholds from the knowledge base. Only thresholds.yaml must be sound for this; problems in other
    files are reported by `hipcheck kb check` and do not block training analysis."""
    from ..knowledge import loader

    kb, errors = loader.load()
    own = [e for e in errors if e.startswith("thresholds.yaml") and "unknown source" not in e]
    if own or not kb.thresholds:
        raise KnowledgeBaseError(own or ["thresholds.yaml: no thresholds loaded"])
    titles = {sid: src.title for sid, src in kb.sources.items()}
    return LoadThresholds(items=dict(kb.thresholds), source_titles=titles)
