"""The three models the evaluation compares, each fit only on a training fold.

- `LogisticBaseline`: the floor. Logistic regression on the raw window plus its causal per-athlete
  z-scores; class imbalance by class weights.
- `BaggedBoosting`: bagged gradient-boosted trees, each bag on every injury row of the training fold plus
  a random undersample of healthy rows (the published design: bagged XGBoost with undersampling,
  source lovdal_2021). With `published_style()` it uses the published feature layout (raw window +
  per-athlete normalisation, here the causal one) and 1:1 bags of moderately deep trees; `ours()` is
  the configuration we ship: shallow trees, 1:5 bags, monotone constraints on load features, and the
  engineered window and baseline features.
Probabilities are put back on the training fold's injury rate (prior correction for the undersampling
and class weights), so Brier scores and the reliability plot are meaningful.
"""

from __future__ import annotations

import re

import numpy as np

from .features import FeatureMatrix

# Features whose risk may only rise with the value (monotone constraint +1). Choice made on grouped CV
# of the development athletes: more load or exertion than usual is never protective in these rules.
MONOTONE_UP = frozenset(
    {
        "exertion_mean_7d",
        "exertion_max_7d",
        "exertion_km_load_7d",
        "exertion_mean_7d_z",
        "km_7d_z",
        "km_max_day_z",
        "km_7d_vs_baseline",
        "km_z34_7d_z",
        "km_z5_7d_z",
        "sessions_7d_z",
        "intensity_share_7d",
        "hard_days_7d",
        "km_spike_in_window",
        "km_d1_vs_prev6",
    }
)
_RAW = re.compile(r"_[dw]\d$")
_RAW_Z = re.compile(r"_[dw]\d_z$")


def feature_names(fm: FeatureMatrix, kind: str, approach: str) -> list[str]:
    """The columns each model reads: `raw_z` = raw window + its z-scores; `engineered` = the compact set
    (window aggregates, baseline z-scores, baseline levels) for the day approach, everything for week."""
    if kind == "raw_z":
        return [n for n in fm.names if _RAW.search(n) or _RAW_Z.search(n)]
    if approach == "day":
        return [n for n in fm.names if not (_RAW.search(n) or _RAW_Z.search(n))]
    return list(fm.names)


def _prior_correct(p: np.ndarray, weight_ratio: float) -> np.ndarray:
    """Undo a training set whose positive:negative weight was `weight_ratio` times the true one."""
    p = np.clip(p, 1e-7, 1 - 1e-7)
    odds = p / (1 - p) / weight_ratio
    return odds / (1 + odds)


class LogisticBaseline:
    """Standardised logistic regression; NaN (no baseline yet, no session) becomes 0 before scaling."""

    def __init__(self, c: float = 0.05, seed: int = 0):
        self.c, self.seed = c, seed

    def fit(self, X: np.ndarray, y: np.ndarray) -> LogisticBaseline:
        from sklearn.linear_model import LogisticRegression

        Z = np.nan_to_num(X)
        self.mean_, self.scale_ = Z.mean(axis=0), Z.std(axis=0) + 1e-9
        self.lr_ = LogisticRegression(
            C=self.c, class_weight="balanced", max_iter=3000, random_state=self.seed
        )
        self.lr_.fit((Z - self.mean_) / self.scale_, y)
        pos = y.mean()
        self.weight_ratio_ = (0.5 / pos) / (0.5 / (1 - pos))  # "balanced" weights, relative
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        Z = (np.nan_to_num(X) - self.mean_) / self.scale_
        return _prior_correct(self.lr_.predict_proba(Z)[:, 1], self.weight_ratio_)


class BaggedBoosting:
    """Bags of LightGBM models on all positives + `neg_per_pos` x as many sampled negatives.

    Deterministic for a given `seed` (single-threaded, deterministic LightGBM)."""

    def __init__(
        self,
        n_bags: int = 9,
        neg_per_pos: int = 5,
        n_estimators: int = 300,
        learning_rate: float = 0.03,
        num_leaves: int = 4,
        min_child_samples: int = 50,
        colsample_bytree: float = 0.3,
        monotone: bool = True,
        seed: int = 0,
        n_jobs: int = 1,
    ):
        self.n_bags, self.neg_per_pos = n_bags, neg_per_pos
        self.params = dict(
            n_estimators=n_estimators,
            learning_rate=learning_rate,
            num_leaves=num_leaves,
            min_child_samples=min_child_samples,
            colsample_bytree=colsample_bytree,
            subsample=0.7,
            subsample_freq=1,
            reg_lambda=5.0,
            n_jobs=n_jobs,
            verbose=-1,
            deterministic=True,
            force_row_wise=True,
        )
        self.monotone, self.seed = monotone, seed

    @classmethod
    def published_style(cls, seed: int = 0, **kw) -> BaggedBoosting:
        params = dict(
            n_bags=9,
            neg_per_pos=1,
            n_estimators=200,
            learning_rate=0.05,
            num_leaves=15,
            min_child_samples=20,
            colsample_bytree=0.7,
            monotone=False,
        )
        params.update(kw)
        return cls(seed=seed, **params)

    @classmethod
    def ours(cls, seed: int = 0, **kw) -> BaggedBoosting:
        return cls(seed=seed, **kw)

    def fit(self, X: np.ndarray, y: np.ndarray, names: list[str] | None = None) -> BaggedBoosting:
        import lightgbm as lgb

        rng = np.random.RandomState(self.seed)
        pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
        n_neg = min(len(neg), self.neg_per_pos * len(pos))
        # positives are up-weighted to balance each bag; the prior correction undoes it at predict time
        pos_weight = n_neg / max(len(pos), 1)
        self.weight_ratio_ = pos_weight * (len(neg) / n_neg)
        mono = None
        if self.monotone and names is not None:
            mono = [1 if n in MONOTONE_UP else 0 for n in names]
        self.boosters_ = []
        for b in range(self.n_bags):
            idx = np.sort(np.r_[pos, rng.choice(neg, n_neg, replace=False)])
            params = dict(self.params, random_state=self.seed * 1000 + b, scale_pos_weight=pos_weight)
            if mono is not None:
                params["monotone_constraints"] = mono
            model = lgb.LGBMClassifier(**params)
            model.fit(X[idx], y[idx])
            self.boosters_.append(model.booster_)
        return self

    def raw_scores(self, X: np.ndarray) -> np.ndarray:
        """Mean balanced log-odds over the bags."""
        return np.mean([b.predict(X, raw_score=True) for b in self.boosters_], axis=0)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = 1 / (1 + np.exp(-self.raw_scores(X)))
        return _prior_correct(p, self.weight_ratio_)

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """TreeSHAP contributions to the balanced log-odds, averaged over bags: (n, n_features + 1)."""
        return np.mean([b.predict(X, pred_contrib=True) for b in self.boosters_], axis=0)
