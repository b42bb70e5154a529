"""The knowledge base: conditions, red flags, risk factors, self-tests, exercises, sources.

Medicine lives in the YAML files under data/; this package loads and checks them.
"""
from .checks import summary
from .loader import CONTRACT_CONDITIONS, KnowledgeBase, get_knowledge, load
from .models import (Condition, Exercise, RedFlag, RiskFactor, SeedItem, SelfTest, Source,
                     Threshold, TriageLevel)
from .rules import Rule, lookup

__all__ = ["CONTRACT_CONDITIONS", "Condition", "Exercise", "KnowledgeBase", "RedFlag", "RiskFactor",
           "Rule", "SeedItem", "SelfTest", "Source", "Threshold", "TriageLevel", "get_knowledge",
           "load", "lookup", "summary"]
