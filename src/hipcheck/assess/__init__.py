"""Assessment: red-flag triage first, then explained likely causes, asked adaptively.

Pure domain logic: an intake dict in, an Assessment out (see engine.Assessor); report.build_document
turns it into the `hipcheck.assessment/v1` JSON document.
"""
from .engine import Assessment, Assessor
from .intake import parse_intake, read_intake, validate_intake
from .report import build_document
from .session import DONT_KNOW, AdaptiveSession, FullSession

__all__ = ["DONT_KNOW", "AdaptiveSession", "Assessment", "Assessor", "FullSession", "build_document",
           "parse_intake", "read_intake", "validate_intake"]
