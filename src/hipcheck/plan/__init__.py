"""The plan: a personal prevention and rehabilitation programme built from the assessment, training-load
and gait findings and the knowledge base (phases, exercises with dosage, running changes, a walk-run ladder,
education, when to get help), and the rules for following it (progression by pain, adherence, escalation).

Pure domain logic: dicts and findings in, the `hipcheck.plan/v1` document out.
"""
from .builder import SCHEMA, PlanBuilder, source_list
from .exercises import PHASES, ExerciseSelector, dosage_text
from .inputs import PlanInputs, RedFlagGate, assessment_findings, risk_factor_id
from .progress import Adherence, Escalation, PainProgression, PhaseCheck, SessionLog, daily_worst, phase_on
from .rules import PlanRules

__all__ = ["PHASES", "SCHEMA", "Adherence", "Escalation", "ExerciseSelector", "PainProgression", "PhaseCheck",
           "PlanBuilder", "PlanInputs", "PlanRules", "RedFlagGate", "SessionLog", "assessment_findings",
           "daily_worst", "dosage_text", "phase_on", "risk_factor_id", "source_list"]
