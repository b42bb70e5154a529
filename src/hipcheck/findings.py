"""The finding: the one record every analyser produces and everything downstream consumes.

`assess` emits findings from intake answers, `load` from training logs, `gait` from video; `plan`
reads them all. See docs/design: a finding names a knowledge-base id, what was measured or answered
(with units), how sure it is, and the source behind it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Strength = Literal["weak", "moderate", "strong"]


@dataclass(frozen=True)
class Finding:
    id: str  # a knowledge-base id: a risk factor, an assessment finding or a red flag
    evidence: str  # what was measured or answered, with units, e.g. "weekly distance +65 %"
    strength: Strength  # how sure, or how much it moves the picture
    source: str  # a knowledge-base source id
    # Analyser-specific details (e.g. the load flags' date and kind), optional for every producer.
    data: dict = field(default_factory=dict, hash=False, compare=False)

    def to_dict(self) -> dict:
        return asdict(self)
