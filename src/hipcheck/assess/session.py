"""Question sessions: which question to ask next. Answers build an intake; the same Assessor judges it.

AdaptiveSession asks the red-flag screen first (stopping at once if an emergency flag fires), then
the question with the highest expected information gain, until the leading cause is confident or no
question is worth asking. FullSession asks the whole questionnaire in its fixed order. Neither does
any I/O: the CLI (or a benchmark oracle) supplies the answers.
"""
from __future__ import annotations

from ..contracts import INTAKE_SCHEMA_ID
from ..knowledge.rules import lookup
from .engine import Assessment, Assessor
from .intake import with_derived
from .questions import with_answer
from .triage import RedFlagScreen

DONT_KNOW = object()  # an answer of "don't know": the field stays missing (unknown, never "no")


class _Session:
    def __init__(self, assessor: Assessor, start: dict | None = None):
        self.assessor = assessor
        self.kb = assessor.kb
        self.intake: dict = dict(start or {"schema": INTAKE_SCHEMA_ID})
        self.asked: list[str] = []
        self.stop_reason: str | None = None

    def answer(self, path: str, value) -> None:
        self.asked.append(path)
        if value is not DONT_KNOW and value is not None:
            self.intake = with_answer(self.intake, path, value)

    def assessment(self) -> Assessment:
        return self.assessor.assess(self.intake, with_questions=False)

    def _emergency(self) -> bool:
        return self.assessment().level == "emergency"

    def _screen(self) -> list[str]:
        return [p for p in self.kb.assess_model.red_flag_screen
                if p not in self.asked and lookup(self.intake, p) is None]

    def _safety_first(self) -> tuple[bool, str | None]:
        """(handled, field): stop at an emergency red flag, else ask the red-flag screen first."""
        if self.asked and self._emergency():
            self.stop_reason = "an emergency red flag is present: act on it now"
            return True, None
        screen = self._screen()
        return (True, screen[0]) if screen else (False, None)


class AdaptiveSession(_Session):
    def next_field(self) -> str | None:
        """The next question's field path, or None when done (see stop_reason)."""
        handled, field = self._safety_first()
        if handled:
            return field
        am = self.kb.assess_model
        a = self.assessor
        facts = with_derived(self.intake)
        flags = RedFlagScreen(self.kb).screen(facts)
        logp = a.model.log_posterior(facts)
        top = max(a.assess(self.intake, with_questions=False).probabilities.values())
        if top >= am.threshold("interactive_confidence"):
            self.stop_reason = f"the leading cause reached {top:.0%}"
            return None
        remaining = [p for p in a.ranker.unanswered(facts) if p not in self.asked]
        ranked = a.ranker.rank(facts, flags, logp, only=remaining)
        if not ranked or ranked[0].gain_bits < am.threshold("min_information_gain_bits"):
            self.stop_reason = "no remaining question would change the picture much"
            return None
        return ranked[0].field


class FullSession(_Session):
    def __init__(self, assessor: Assessor, start: dict | None = None):
        super().__init__(assessor, start)
        self.skipped: list[str] = []  # self-tests left out because a red flag makes them unsafe

    def next_field(self) -> str | None:
        handled, field = self._safety_first()
        if handled:
            return field
        facts = with_derived(self.intake)
        flags = RedFlagScreen(self.kb).screen(facts)
        for q in self.kb.assess_model.questions:
            if q.field in self.asked or q.field in self.skipped or lookup(self.intake, q.field) is not None:
                continue
            if not self.assessor.ranker.allowed(q.field, flags):
                self.skipped.append(q.field)
                continue
            return q.field
        self.stop_reason = "the questionnaire is complete"
        return None


def replay(session: _Session, answers: dict) -> list[str | None]:
    """Answer a session from a known intake (an oracle): its value, or "don't know" when absent.

    Returns the leading cause after each question, so a benchmark can see when the adaptive
    questionnaire reaches the full-intake answer.
    """
    tops: list[str | None] = []
    while (path := session.next_field()) is not None:
        value = lookup(answers, path)
        session.answer(path, DONT_KNOW if value in (None, "not_done") else value)
        tops.append(session.assessment().top)
    return tops
