"""Injury-risk pattern from training logs, trained and measured on Lövdal et al. 2021 (source lovdal_2021).

Public entry points:
- `risk_for_history(activities, diary_entries, as_of_date) -> RiskResult`: the runner's last 7 days
  against the cohort (percentile, calibrated probability, drivers, honest wording);
- `load_shipped_model()`: the packaged model (offline);
- `RiskEvaluation`, `load_cohort`, `build_features`: the evaluation protocols behind `hipcheck risk evaluate`.
"""

from .data import Cohort, load_cohort
from .evaluate import PUBLISHED_AUC, RiskEvaluation, holdout_athletes
from .features import build_features
from .result import RiskResult, risk_for_history
from .shipped import ShippedRiskModel, load_shipped_model

__all__ = [
    "Cohort",
    "PUBLISHED_AUC",
    "RiskEvaluation",
    "RiskResult",
    "ShippedRiskModel",
    "build_features",
    "holdout_athletes",
    "load_cohort",
    "load_shipped_model",
    "risk_for_history",
]
