"""The model that ships with hipcheck: training it, saving it, loading it (offline), scoring with it.

File: `risk/model/day_risk_v1.json.gz`, gzip-compressed JSON holding LightGBM's own text format for
each bag, the feature names, the prior correction, the cohort's score distribution (for percentiles)
and the evaluation numbers it was shipped with. Loading needs lightgbm and nothing from the network.
`scripts/train_risk_model.py` rebuilds it deterministically from the Lövdal day file.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import HipcheckError
from .data import Cohort
from .features import DayFeatureBuilder, FeatureMatrix
from .missing import masked_cohort, random_masks
from .models import BaggedBoosting, _prior_correct, feature_names

SCHEMA = "hipcheck.risk-model/v1"
MODEL_PATH = Path(__file__).resolve().parent / "model" / "day_risk_v1.json.gz"
N_QUANTILES = 1001


@dataclass
class ShippedRiskModel:
    names: list[str]
    boosters: list  # lightgbm.Booster
    weight_ratio: float
    cohort_quantiles: np.ndarray  # raw scores at 0.0, 0.1, ..., 100.0 percent of the cohort's days
    meta: dict = field(default_factory=dict)

    def raw_scores(self, X: np.ndarray) -> np.ndarray:
        return np.mean([b.predict(X, raw_score=True) for b in self.boosters], axis=0)

    def probability(self, raw: np.ndarray) -> np.ndarray:
        return _prior_correct(1 / (1 + np.exp(-raw)), self.weight_ratio)

    def percentile(self, raw: np.ndarray) -> np.ndarray:
        """Share (0-100) of the cohort's days that scored lower."""
        q = self.cohort_quantiles
        pct = np.interp(raw, q, np.linspace(0, 100, len(q)), left=0.0, right=100.0)
        return np.round(pct, 1)

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """TreeSHAP contributions to the raw score, mean over bags: (n, n_features + 1 bias)."""
        return np.mean([b.predict(X, pred_contrib=True) for b in self.boosters], axis=0)

    def save(self, path: Path = MODEL_PATH) -> Path:
        doc = {
            "schema": SCHEMA,
            "names": self.names,
            "weight_ratio": self.weight_ratio,
            "cohort_quantiles": [round(float(x), 6) for x in self.cohort_quantiles],
            "meta": self.meta,
            "boosters": [b.model_to_string() for b in self.boosters],
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
        # mtime=0 keeps the file byte-identical between identical retrains
        with open(path, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0, filename="") as gz:
            gz.write(raw)
        return path

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> ShippedRiskModel:
        import lightgbm as lgb

        try:
            doc = json.loads(gzip.decompress(Path(path).read_bytes()))
        except FileNotFoundError:
            raise HipcheckError(
                f"the risk model file {path} is missing: reinstall hipcheck or run "
                "scripts/train_risk_model.py"
            ) from None
        except (OSError, ValueError) as exc:
            raise HipcheckError(
                f"the risk model file {path} is damaged ({exc}): reinstall hipcheck or "
                "run scripts/train_risk_model.py"
            ) from None
        if doc.get("schema") != SCHEMA:
            raise HipcheckError(f"{path} is not a {SCHEMA} file (schema {doc.get('schema')!r})")
        boosters = [lgb.Booster(model_str=s) for s in doc["boosters"]]
        return cls(
            doc["names"],
            boosters,
            float(doc["weight_ratio"]),
            np.asarray(doc["cohort_quantiles"]),
            doc.get("meta", {}),
        )


_CACHE: dict[Path, ShippedRiskModel] = {}


def load_shipped_model(path: Path = MODEL_PATH) -> ShippedRiskModel:
    """The packaged model, loaded once per process."""
    path = Path(path)
    if path not in _CACHE:
        _CACHE[path] = ShippedRiskModel.load(path)
    return _CACHE[path]


def augmented_training_set(cohort: Cohort, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Features of the cohort plus one copy whose athletes each lack a random set of inputs.

    Returns (X, y, athlete, names); the first len(cohort) rows are the unmasked cohort."""
    builder = DayFeatureBuilder()
    full = builder.build_cohort(cohort)
    names = feature_names(full, "engineered", "day")
    masked = builder.build_cohort(masked_cohort(cohort, random_masks(cohort.athlete, seed)))
    X = np.vstack([full.columns(names), masked.columns(names)])
    y = np.r_[cohort.injury, cohort.injury]
    athlete = np.r_[cohort.athlete, cohort.athlete]
    return X, y, athlete, names


def train_shipped_model(
    cohort: Cohort, seed: int = 0, meta: dict | None = None, fast: bool = False
) -> ShippedRiskModel:
    """Fit the shipped configuration on every athlete (plus the masked copy); deterministic for `seed`."""
    if cohort.approach != "day":
        raise ValueError("the shipped model uses the day approach")
    X, y, _, names = augmented_training_set(cohort, seed)
    model = BaggedBoosting.ours(seed=seed, **({"n_bags": 2, "n_estimators": 40} if fast else {}))
    model.fit(X, y, names)
    full: FeatureMatrix = DayFeatureBuilder().build_cohort(cohort)
    scores = model.raw_scores(full.columns(names))
    quantiles = np.quantile(scores, np.linspace(0, 1, N_QUANTILES))
    info = {
        "approach": "day",
        "seed": seed,
        "data_sha256": cohort.sha256,
        "n_rows": int(len(cohort.injury)),
        "n_injury_rows": int(cohort.injury.sum()),
        "n_athletes": int(len(np.unique(cohort.athlete))),
        "cohort_injury_rate": float(cohort.injury.mean()),
        "source": "lovdal_2021",
        "dataset_source": "lovdal_2021_dataset",
    }
    info.update(meta or {})
    return ShippedRiskModel(names, model.boosters_, float(model.weight_ratio_), quantiles, info)


def evaluate_shipped_config(
    cohort: Cohort,
    seed: int = 0,
    n_splits: int = 5,
    fast: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict:
    """Grouped CV and hold-out of the shipped configuration (augmented training), scored on full inputs
    and on distance-and-sessions-only inputs (every optional input family unknown).
    `progress("shipped", fits_done, fits_total)` is called after every fit."""
    from sklearn.model_selection import StratifiedGroupKFold

    from .evaluate import holdout_athletes, metrics
    from .missing import FAMILIES

    X, y, athlete, names = augmented_training_set(cohort, seed)
    n = len(cohort.injury)
    bare = (
        DayFeatureBuilder()
        .build_cohort(masked_cohort(cohort, {int(a): list(FAMILIES) for a in np.unique(cohort.athlete)}))
        .columns(names)
    )
    tests = {"full_inputs": X[:n], "km_only": bare}

    def fit(train_athletes: np.ndarray) -> BaggedBoosting:
        rows = np.isin(athlete, train_athletes)
        kw = {"n_bags": 2, "n_estimators": 40} if fast else {}
        model = BaggedBoosting.ours(seed=seed, **kw).fit(X[rows], y[rows], names)
        fits[0] += 1
        if progress is not None:
            progress("shipped", fits[0], n_splits + 1)
        return model

    fits = [0]
    out: dict[str, float] = {}
    yc, ac = cohort.injury, cohort.athlete
    folds = {k: [] for k in tests}
    for train, test in StratifiedGroupKFold(n_splits, shuffle=True, random_state=seed).split(X[:n], yc, ac):
        model = fit(np.unique(ac[train]))
        for k, Xt in tests.items():
            folds[k].append(metrics(yc[test], model.predict_proba(Xt[test]))["auc"])
    hold = np.isin(ac, holdout_athletes(cohort))
    model = fit(np.unique(ac[~hold]))
    for k, Xt in tests.items():
        out[f"auc_grouped_cv_{k}"] = round(float(np.mean(folds[k])), 4)
        out[f"auc_holdout_{k}"] = round(metrics(yc[hold], model.predict_proba(Xt[hold]))["auc"], 4)
    return out
