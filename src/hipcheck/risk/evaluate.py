"""The evaluation protocols: athlete-grouped cross-validation and a hold-out of the latest-joined athletes.

- Grouped CV: StratifiedGroupKFold over athletes (no athlete in both train and test), `n_splits` folds,
  repeated for each seed in `cv_seeds`; we report the mean and SD of the per-fold ROC-AUC, the pooled
  out-of-fold ROC-AUC, PR-AUC and Brier score.
- Hold-out: the `n_holdout` athletes whose first logged day (earliest event day minus the window
  length) is latest, as in the published test set of "the athletes who joined most recently"
  (source lovdal_2021). Ties are broken by athlete id. Models train on all other athletes.
Everything a model learns (scaling, class balance, bags) happens inside the training part of a split.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .data import Cohort
from .features import FeatureMatrix, build_features
from .models import BaggedBoosting, LogisticBaseline, feature_names

PUBLISHED_AUC = {"day": 0.724, "week": 0.678}  # Lövdal et al. 2021 abstract, bagged XGBoost (lovdal_2021)
MODELS = ("ours", "published_style", "baseline_logreg")


def holdout_athletes(cohort: Cohort, n_holdout: int = 10) -> list[int]:
    """The `n_holdout` most recently joined athletes (latest first logged day; ties by id)."""
    first = cohort.first_logged_day()
    order = sorted(first, key=lambda a: (first[a], a))
    return sorted(order[-n_holdout:])


def fast_subset(cohort: Cohort, n_others: int = 20) -> Cohort:
    """For smoke runs: the hold-out athletes plus the `n_others` lowest-numbered other athletes."""
    hold = holdout_athletes(cohort)
    others = [a for a in sorted(set(cohort.athlete.tolist())) if a not in hold][:n_others]
    return cohort.subset(np.isin(cohort.athlete, hold + others))


def make_model(kind: str, seed: int, fast: bool = False):
    if kind == "baseline_logreg":
        return LogisticBaseline(seed=seed)
    if kind == "published_style":
        return BaggedBoosting.published_style(
            seed=seed, **({"n_bags": 2, "n_estimators": 30} if fast else {})
        )
    if kind == "ours":
        return BaggedBoosting.ours(seed=seed, **({"n_bags": 2, "n_estimators": 60} if fast else {}))
    raise ValueError(kind)


def _fit_predict(
    kind: str,
    X: np.ndarray,
    y: np.ndarray,
    names: list[str],
    train: np.ndarray,
    test: np.ndarray,
    seed: int,
    fast: bool,
) -> np.ndarray:
    model = make_model(kind, seed, fast)
    if isinstance(model, BaggedBoosting):
        model.fit(X[train], y[train], names)
    else:
        model.fit(X[train], y[train])
    return model.predict_proba(X[test])


def metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    base = float(y.mean())
    return {
        "auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "brier": float(brier_score_loss(y, p)),
        # Brier of always predicting the test set's own injury rate: the score to beat
        "brier_reference": float(base * (1 - base)),
        "prevalence": base,
    }


def reliability(y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> list[dict[str, float]]:
    """Observed injury rate per bin of predicted probability (bins = deciles of the predictions)."""
    edges = np.unique(np.quantile(p, np.linspace(0, 1, n_bins + 1)))
    bins = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    out = []
    for b in range(len(edges) - 1):
        m = bins == b
        if m.any():
            out.append(
                {
                    "predicted": round(float(p[m].mean()), 5),
                    "observed": round(float(y[m].mean()), 5),
                    "n": int(m.sum()),
                }
            )
    return out


@dataclass
class ApproachResult:
    approach: str
    models: dict[str, dict] = field(default_factory=dict)
    oof: dict[str, np.ndarray] = field(default_factory=dict)  # pooled out-of-fold predictions (first seed)
    holdout_pred: dict[str, np.ndarray] = field(default_factory=dict)
    y: np.ndarray | None = None
    holdout_mask: np.ndarray | None = None


class RiskEvaluation:
    """Run both protocols for one approach. Parameters in __init__, `run(cohort)` fills `result_`."""

    def __init__(
        self,
        n_splits: int = 5,
        cv_seeds: tuple[int, ...] = (0, 1, 2),
        n_holdout: int = 10,
        models: tuple[str, ...] = MODELS,
        fast: bool = False,
    ):
        self.n_splits, self.cv_seeds, self.n_holdout = n_splits, cv_seeds, n_holdout
        self.models, self.fast = models, fast

    def run(
        self,
        cohort: Cohort,
        features: FeatureMatrix | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> RiskEvaluation:
        """`progress(approach, fits_done, fits_total)` is called after every model fit."""
        from sklearn.model_selection import StratifiedGroupKFold

        fm = features if features is not None else build_features(cohort)
        y, groups = cohort.injury, cohort.athlete
        hold = np.isin(cohort.athlete, holdout_athletes(cohort, self.n_holdout))
        res = ApproachResult(cohort.approach, y=y, holdout_mask=hold)
        total, done = len(self.models) * (len(self.cv_seeds) * self.n_splits + 1), 0

        def step() -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(cohort.approach, done, total)

        for kind in self.models:
            names = feature_names(fm, "raw_z" if kind != "ours" else "engineered", cohort.approach)
            X = fm.columns(names)
            fold_aucs, pooled = [], []
            for seed in self.cv_seeds:
                cv = StratifiedGroupKFold(self.n_splits, shuffle=True, random_state=seed)
                oof = np.zeros(len(y))
                for train, test in cv.split(X, y, groups):
                    oof[test] = _fit_predict(kind, X, y, names, train, test, seed, self.fast)
                    fold_aucs.append(metrics(y[test], oof[test])["auc"])
                    step()
                pooled.append(metrics(y, oof))
                if seed == self.cv_seeds[0]:
                    res.oof[kind] = oof
            ph = _fit_predict(
                kind, X, y, names, np.flatnonzero(~hold), np.flatnonzero(hold), self.cv_seeds[0], self.fast
            )
            res.holdout_pred[kind] = ph
            step()
            hm = metrics(y[hold], ph)
            res.models[kind] = {
                "auc_grouped_cv": float(np.mean(fold_aucs)),
                "auc_grouped_cv_sd": float(np.std(fold_aucs)),
                "auc_grouped_cv_pooled": float(np.mean([m["auc"] for m in pooled])),
                "pr_auc_grouped_cv": float(np.mean([m["pr_auc"] for m in pooled])),
                "brier_grouped_cv": float(np.mean([m["brier"] for m in pooled])),
                "brier_reference_grouped_cv": pooled[0]["brier_reference"],
                "auc_holdout": hm["auc"],
                "pr_auc_holdout": hm["pr_auc"],
                "brier_holdout": hm["brier"],
                "brier_reference_holdout": hm["brier_reference"],
                "n_features": len(names),
            }
        self.result_ = res
        return self


def reliability_plot(results: list[ApproachResult], path, model: str = "ours") -> None:
    """One PNG: predicted vs observed injury rate (out-of-fold, grouped CV) per approach."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(5 * len(results), 4.5), squeeze=False)
    for ax, r in zip(axes[0], results):
        pts = reliability(r.y, r.oof[model])
        pred = [b["predicted"] for b in pts]
        obs = [b["observed"] for b in pts]
        top = max(max(pred), max(obs)) * 1.1
        ax.plot([0, top], [0, top], color="grey", lw=1, ls="--", label="perfect calibration")
        ax.plot(pred, obs, marker="o", label=f"{model} (deciles of prediction)")
        ax.axhline(r.y.mean(), color="tab:red", lw=0.8, ls=":", label="cohort injury rate")
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.set_xlabel("predicted probability of an injury day")
        ax.set_ylabel("observed rate")
        ax.set_title(f"{r.approach} approach, athlete-grouped CV")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
