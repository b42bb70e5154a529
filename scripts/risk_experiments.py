"""Re-run the day-approach experiments recorded in docs/risk-model.md ("What we tried").

Each experiment adds features to, or changes, the shipped `ours` configuration and is measured exactly
as `hipcheck risk evaluate` measures it: athlete-grouped 5-fold CV over seeds 0, 1, 2 (mean per-fold
ROC-AUC) and the hold-out of the 10 most recently joined athletes. Experiments marked REFERENCE use
information the causal protocol forbids or that would not carry over to a new runner; they are here
to show what the signal is, not as candidates.

    .venv/bin/python scripts/risk_experiments.py [--only NAME ...] [--seeds 0 1 2] [--data DIR]

About 25 s per experiment on two cores. Deterministic: fixed seeds, deterministic LightGBM.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import time

import numpy as np

from hipcheck.errors import HipcheckError
from hipcheck.risk.baseline import ExpandingBaseline, Series, daily_history
from hipcheck.risk.data import load_cohort
from hipcheck.risk.evaluate import holdout_athletes
from hipcheck.risk.features import (
    EXE, KM, REC, SUC, DayFeatureBuilder, _nanmean, _perceived_nan, build_features,
)  # fmt: skip
from hipcheck.risk.models import BaggedBoosting, feature_names

CUTOFF = 29  # baseline = days <= event day - 29, as in hipcheck.risk.baseline


class OtherLibraryBags:
    """Bags of another boosting library's trees, each on all injury rows + `neg_per_pos` x as many
    sampled healthy rows. Only for comparison: these libraries are not hipcheck dependencies."""

    module = ""
    n_bags, neg_per_pos = 9, 1

    def __init__(self, seed: int):
        self.seed = seed

    def learner(self, seed: int):
        raise NotImplementedError

    def fit(self, X, y, names=None):
        rng = np.random.RandomState(self.seed)
        pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
        self.models_ = []
        for b in range(self.n_bags):
            idx = np.r_[pos, rng.choice(neg, self.neg_per_pos * len(pos), replace=False)]
            self.models_.append(self.learner(self.seed * 100 + b).fit(X[idx], y[idx]))
        return self

    def predict_proba(self, X):
        return np.mean([m.predict_proba(X)[:, 1] for m in self.models_], axis=0)


class BaggedXGBoost(OtherLibraryBags):
    """The published learner: 9 bags of XGBoost trees at 1 injury : 1 healthy row (`pip install xgboost`)."""

    module = "xgboost"

    def learner(self, seed: int):
        import xgboost as xgb

        return xgb.XGBClassifier(
            n_estimators=100, max_depth=3, learning_rate=0.05, subsample=0.8, colsample_bytree=0.5,
            random_state=seed,
        )  # fmt: skip


class BaggedCatBoost(OtherLibraryBags):
    """5 bags of CatBoost (ordered boosting, depth 3) at 1 : 5, classes balanced (`pip install catboost`)."""

    module = "catboost"
    n_bags, neg_per_pos = 5, 5

    def learner(self, seed: int):
        from catboost import CatBoostClassifier

        return CatBoostClassifier(
            iterations=300, depth=3, learning_rate=0.03, l2_leaf_reg=10, auto_class_weights="Balanced",
            random_seed=seed, verbose=0, thread_count=2,
        )  # fmt: skip


def _score(X, y, groups, hold, names, seeds, learner=None, **params):
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedGroupKFold

    def make(seed):
        return learner(seed) if learner else BaggedBoosting.ours(seed=seed, **params)

    folds = []
    for seed in seeds:
        for train, test in StratifiedGroupKFold(5, shuffle=True, random_state=seed).split(X, y, groups):
            model = make(seed).fit(X[train], y[train], names)
            folds.append(roc_auc_score(y[test], model.predict_proba(X[test])))
    train, test = np.flatnonzero(~hold), np.flatnonzero(hold)
    model = make(seeds[0]).fit(X[train], y[train], names)
    holdout = roc_auc_score(y[test], model.predict_proba(X[test]))
    return float(np.mean(folds)), float(np.std(folds)), float(holdout)


class Lab:
    """The day cohort, its shipped feature set, and the athlete's daily log recovered from the rows."""

    def __init__(self, data_dir=None):
        self.c = load_cohort("day", data_dir)
        self.fm = build_features(self.c)
        self.names = feature_names(self.fm, "engineered", "day")
        self.X = self.fm.columns(self.names)
        self.hold = np.isin(self.c.athlete, holdout_athletes(self.c))
        self.hist = daily_history(self.c.athlete, self.c.date, self.c.windows)
        self.data_dir = data_dir

    def baseline(self, values, mask=None, query=None, min_count=28):
        h, c = self.hist, self.c
        mask = np.ones(len(h.day), bool) if mask is None else mask
        query = np.ones(len(c.date), bool) if query is None else query
        b = ExpandingBaseline(min_count).compute(
            Series(h.athlete[mask], h.day[mask], values[mask]), c.athlete[query], c.date[query] - CUTOFF
        )
        return b.mean_, b.sd_

    # --- extra feature blocks -------------------------------------------------------------------
    def fatigue(self):
        """Exertion per km against the athlete's usual, the last two days' km, late cross-training,
        the week's lowest training success and the last 3 days' recovery, each against the baseline."""
        w = _perceived_nan(self.c.windows.astype(float), (EXE, SUC, REC))
        hv = _perceived_nan(self.hist.values.astype(float), (EXE, SUC, REC))

        def per_km(v):
            with np.errstate(all="ignore"):
                return np.where(v[..., KM] > 0, v[..., EXE] / (v[..., KM] + 3), np.nan)

        mean, sd = self.baseline(np.column_stack([per_km(hv), hv[:, KM], hv[:, 6], hv[:, SUC], hv[:, REC]]))
        with np.errstate(all="ignore"):
            low_success = np.nanmin(np.where(np.isnan(w[:, :, SUC]), np.inf, w[:, :, SUC]), axis=1)
        low_success[np.isinf(low_success)] = np.nan
        cols = {
            "exertion_per_km_z": (_nanmean(per_km(w), 1) - mean[:, 0]) / np.maximum(sd[:, 0], 0.005),
            "km_last2_vs_usual": (w[:, -2:, KM].mean(1) + 1) / (mean[:, 1] + 1),
            "alt_last3_z": (w[:, -3:, 6].mean(1) - mean[:, 2]) / np.maximum(sd[:, 2], 0.1),
            "success_min_z": (low_success - mean[:, 3]) / np.maximum(sd[:, 3], 0.05),
            "recovery_last3_z": (_nanmean(w[:, -3:, REC], 1) - mean[:, 4]) / np.maximum(sd[:, 4], 0.05),
        }
        return np.column_stack(list(cols.values())), list(cols)

    def weekday_profile(self):
        """The athlete's own habit on the event day's weekday (from the log up to t - 29): how often
        they trained, trained hard (zone 5 or sprints), their usual km and exertion on that weekday."""
        hv = _perceived_nan(self.hist.values.astype(float), (EXE, SUC, REC))
        hard = hv[:, 3] + hv[:, 4]
        vals = np.column_stack([(hv[:, 0] > 0), hv[:, KM], hard > 0, hv[:, EXE], hard]).astype(float)
        prof = np.full((len(self.c.date), 5), np.nan)
        for wd in range(7):
            q = self.c.date % 7 == wd
            prof[q] = self.baseline(vals, self.hist.day % 7 == wd, q, min_count=4)[0]
        return prof, ["wd_session_rate", "wd_km", "wd_hard_rate", "wd_exertion", "wd_hard_km"]

    def calendar_weekday(self):
        return np.eye(7)[self.c.date % 7], [f"calendar_weekday_{i}" for i in range(7)]

    def injury_history(self):
        """Earlier injury rows of the same athlete up to t - 29: their count and the days since the last."""
        c, y = self.c, self.c.injury
        prior, since = np.zeros(len(y)), np.full(len(y), np.nan)
        for a in np.unique(c.athlete):
            m = np.flatnonzero(c.athlete == a)
            inj = np.sort(c.date[m][y[m] == 1])
            k = np.searchsorted(inj, c.date[m] - CUTOFF, side="right")
            prior[m] = k
            if len(inj):
                since[m] = np.where(k > 0, c.date[m] - inj[np.maximum(k - 1, 0)], np.nan)
        return np.column_stack([prior, since]), ["previous_injuries", "days_since_previous_injury"]

    def with_baseline_end(self, offset_days: int):
        """The shipped feature set with the per-athlete baseline ending on day t - `offset_days` instead of
        t - 29. Injury rows lack days t - 22 .. t - 8 in the files, healthy rows do not, so any offset
        under 23 lets the baseline's recency differ with the label."""
        builder = DayFeatureBuilder(baseline_end_offset_days=offset_days)
        return builder.build_cohort(self.c).columns(self.names)

    @functools.cached_property
    def week_context(self):
        """Weeks 2-3 of the week file's row for the same athlete and day (21-day context). Rows with no
        week-file row are returned in `missing` (NaN would leak: 8 of them are injury rows)."""
        from hipcheck.risk.features import WeekFeatureBuilder

        cw = load_cohort("week", self.data_dir)
        fw = WeekFeatureBuilder().build_cohort(cw)
        keep = [
            "km_w1_vs_w2", "km_w1_vs_w3", "km_w1_vs_prev2", "km_21d", "km_weekly_monotony",
            "max_day_vs_prev_max", "tough_sessions_21d", "rest_days_21d", "km_z5_21d",
            "exertion_avg_w1_minus_prev", "recovery_avg_w1_minus_prev", "km_21d_vs_baseline",
        ]  # fmt: skip
        at = {(a, t): i for i, (a, t) in enumerate(zip(cw.athlete.tolist(), cw.date.tolist()))}
        j = np.array([at.get((a, t), -1) for a, t in zip(self.c.athlete.tolist(), self.c.date.tolist())])
        out = np.full((len(j), len(keep)), np.nan)
        out[j >= 0] = fw.columns(keep)[j[j >= 0]]
        return out, ["wk_" + k for k in keep], j < 0


def experiments(lab: Lab):
    """(name, is_reference, build) where build() -> (X, names, row_mask or None, model params)."""
    X, names = lab.X, lab.names

    def plus(block):
        def build():
            extra, extra_names = block()
            return np.column_stack([X, extra]), names + extra_names, None, {}

        return build

    def week():
        extra, extra_names, missing = lab.week_context
        return np.column_stack([X, extra]), names + extra_names, ~missing, {}

    return [
        ("shipped", False, lambda: (X, names, None, {})),
        ("shipped, 25 bags", False, lambda: (X, names, None, {"n_bags": 25})),
        (
            "shipped, 25 bags 1:10, 3 leaves",
            False,
            lambda: (X, names, None, {"n_bags": 25, "neg_per_pos": 10, "num_leaves": 3, "n_estimators": 400}),
        ),
        ("bagged XGBoost 1:1, depth 3", False, lambda: (X, names, None, {"learner": BaggedXGBoost})),
        ("bagged CatBoost 1:5, depth 3", False, lambda: (X, names, None, {"learner": BaggedCatBoost})),
        ("shipped, rows with a week-file row", False, lambda: (X, names, ~lab.week_context[2], {})),
        ("+ 21-day context from the week file", False, week),
        ("+ fatigue-style features", False, plus(lab.fatigue)),
        ("+ the athlete's weekday profile", False, plus(lab.weekday_profile)),
        ("+ calendar weekday (team schedule)", True, plus(lab.calendar_weekday)),
        ("+ previous injuries up to t - 29", True, plus(lab.injury_history)),
        ("baseline up to t - 8 (all rows before the window)", True,
         lambda: (lab.with_baseline_end(8), names, None, {})),
        ("baseline up to t - 2 (all earlier rows)", True,
         lambda: (lab.with_baseline_end(2), names, None, {})),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="run only experiments whose name contains one of these")
    ap.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    ap.add_argument("--data", default=None, help="folder with the Lövdal CSV files")
    args = ap.parse_args()
    try:
        lab = Lab(args.data)
    except HipcheckError as exc:  # e.g. the data set is not where it was looked for
        raise SystemExit(f"risk_experiments: {exc}") from None
    y, groups = lab.c.injury, lab.c.athlete
    print(f"{'experiment':44s} {'grouped CV AUC':>16s} {'hold-out AUC':>13s}")
    for name, reference, build in experiments(lab):
        if args.only and not any(o in name for o in args.only):
            continue
        t0 = time.time()
        Xe, ne, rows, params = build()
        module = getattr(params.get("learner"), "module", None)
        if module and importlib.util.find_spec(module) is None:
            print(f"{name:44s} skipped: {module} is not installed (pip install {module})")
            continue
        m = np.ones(len(y), bool) if rows is None else rows
        cv, sd, ho = _score(Xe[m], y[m], groups[m], lab.hold[m], ne, tuple(args.seeds), **params)
        tag = "  REFERENCE" if reference else ""
        print(f"{name:44s} {cv:8.3f} ± {sd:.3f} {ho:13.3f}  ({time.time() - t0:.0f} s){tag}", flush=True)


if __name__ == "__main__":
    main()
