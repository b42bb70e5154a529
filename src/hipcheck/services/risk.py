"""Use cases of the injury-risk model: measure it on the Lövdal data, and score a runner's last 7 days."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from ..errors import InputError
from ..risk import RiskResult, risk_for_history
from ..risk.data import load_cohort
from ..risk.evaluate import (
    MODELS,
    PUBLISHED_AUC,
    RiskEvaluation,
    fast_subset,
    holdout_athletes,
    reliability,
    reliability_plot,
)
from ..risk.shipped import evaluate_shipped_config

SCHEMA = "hipcheck.risk-evaluation/v1"
HEADLINE = (
    "auc_grouped_cv",
    "pr_auc_grouped_cv",
    "auc_holdout",
    "pr_auc_holdout",
    "brier_grouped_cv",
    "brier_holdout",
)


def evaluate(
    data_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    fast: bool = False,
    approaches: tuple[str, ...] = ("day", "week"),
    progress: Callable[[str, int, int], None] | None = None,
) -> dict:
    """Both protocols on both approaches; writes the reliability plot and returns the document.
    `progress(stage, done, total)` reports model fits per stage: "day", "week", "shipped".

    `fast`: 30 athletes, one CV seed, 3 folds and small models: for smoke tests, not for the numbers."""
    out = _out_dir(out_dir)
    results, doc = [], {}
    started = time.monotonic()
    for approach in approaches:
        cohort = load_cohort(approach, data_dir)
        if fast:
            cohort = fast_subset(cohort)
        ev = RiskEvaluation(n_splits=3 if fast else 5, cv_seeds=(0,) if fast else (0, 1, 2), fast=fast).run(
            cohort, progress=progress
        )
        r = ev.result_
        results.append(r)
        ours = r.models["ours"]
        section = {k: round(ours[k], 4) for k in HEADLINE}
        section.update(
            {
                "auc_grouped_cv_sd": round(ours["auc_grouped_cv_sd"], 4),
                "brier_reference_grouped_cv": round(ours["brier_reference_grouped_cv"], 5),
                "brier_reference_holdout": round(ours["brier_reference_holdout"], 5),
                "pr_auc_chance": round(float(cohort.injury.mean()), 4),
                "reliability_grouped_cv": reliability(r.y, r.oof["ours"]),
                "models": {
                    k: {m: round(v, 4) if isinstance(v, float) else v for m, v in r.models[k].items()}
                    for k in MODELS
                },
                "n_rows": int(len(cohort.injury)),
                "n_injury_rows": int(cohort.injury.sum()),
                "holdout_athletes": holdout_athletes(cohort),
                "n_holdout_injury_rows": int(cohort.injury[r.holdout_mask].sum()),
                "data_sha256": cohort.sha256,
            }
        )
        if approach == "day":
            # the configuration that ships (trained with masked copies), on full and on km-only inputs
            section["shipped_model"] = evaluate_shipped_config(
                cohort, n_splits=3 if fast else 5, fast=fast, progress=progress
            )
        doc[approach] = section
    plot = out / "risk-reliability.png"
    reliability_plot(results, plot)
    doc["published"] = dict(PUBLISHED_AUC)
    doc["schema"] = SCHEMA
    doc["protocol"] = {
        "grouped_cv": "StratifiedGroupKFold by athlete, "
        + ("30 athletes, 3 folds x seed 0 (fast mode)" if fast else "5 folds x seeds 0, 1, 2")
        + "; auc_grouped_cv = mean per-fold ROC-AUC",
        "holdout": "the 10 athletes with the latest first logged day (earliest event day minus the window)",
        "headline_model": "ours (bagged shallow LightGBM, monotone constraints, causal features)",
        "fast": fast,
    }
    doc["reliability_plot"] = str(plot)
    doc["seconds"] = round(time.monotonic() - started, 1)
    return doc


def _out_dir(out_dir: str | Path | None) -> Path:
    if out_dir is None:
        from ..store.db import hipcheck_home

        out = hipcheck_home() / "risk"
    else:
        out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"--out {out}: cannot create the folder ({exc.strerror}); pick a folder you can write to"
        ) from exc
    return out


def athlete_risk(athlete: str | None = None, as_of: date | None = None) -> RiskResult:
    """The last-7-days risk pattern for a stored athlete (activities and diary from the store)."""
    from sqlalchemy import select

    from ..store import Activity, DiaryEntry, get_database, resolve_athlete

    db = get_database()
    with db.session() as s:
        who = resolve_athlete(s, athlete)
        acts = list(s.execute(select(Activity).where(Activity.athlete_id == who.id)).scalars())
        diary = list(s.execute(select(DiaryEntry).where(DiaryEntry.athlete_id == who.id)).scalars())
        if as_of is None:
            from ..risk.history import activity_day

            days = [activity_day(a) for a in acts] + [d.date for d in diary]
            as_of = max(days) if days else date.today()
        return risk_for_history(acts, diary, as_of)
