"""The shipped model loads offline and scores a runner's history in honest words."""

from __future__ import annotations

import gzip
import json
import socket
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest
from test_risk_features import _cohort, _daily_log
from test_risk_history import Act, Pain

from hipcheck.errors import HipcheckError
from hipcheck.risk import risk_for_history
from hipcheck.risk.shipped import MODEL_PATH, SCHEMA, ShippedRiskModel, train_shipped_model


@pytest.fixture(scope="module")
def model() -> ShippedRiskModel:
    return ShippedRiskModel.load(MODEL_PATH)


def test_shipped_model_is_small_and_loads_without_network(model, monkeypatch):
    assert MODEL_PATH.stat().st_size < 1_500_000

    def no_network(*a, **k):
        raise AssertionError("the risk model tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    fresh = ShippedRiskModel.load(MODEL_PATH)
    assert fresh.names == model.names and len(fresh.boosters) == len(model.boosters)
    assert fresh.meta["source"] == "lovdal_2021" and 0.5 < fresh.meta["auc_grouped_cv"] < 1


def test_scores_probabilities_and_percentiles_are_consistent(model):
    rng = np.random.RandomState(0)
    X = rng.normal(0, 1, (50, len(model.names)))
    X[:, [i for i, n in enumerate(model.names) if n.startswith("km")]] *= 20
    raw = model.raw_scores(X)
    np.testing.assert_array_equal(raw, model.raw_scores(X))  # deterministic
    p, pct = model.probability(raw), model.percentile(raw)
    order = np.argsort(raw)
    assert np.all(np.diff(p[order]) >= 0) and np.all(np.diff(pct[order]) >= 0)
    assert ((p > 0) & (p < 1)).all() and ((pct >= 0) & (pct <= 100)).all()
    contrib = model.contributions(X[:3])
    np.testing.assert_allclose(contrib.sum(axis=1), raw[:3], rtol=1e-6, atol=1e-6)  # SHAP adds up


def test_cohort_quantiles_put_half_the_cohort_below_the_median(model):
    q = model.cohort_quantiles
    assert np.all(np.diff(q) >= 0)
    assert model.percentile(np.array([q[500]]))[0] == pytest.approx(50.0, abs=0.2)


def test_damaged_model_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "m.json.gz"
    bad.write_bytes(b"not gzip")
    with pytest.raises(HipcheckError, match="damaged"):
        ShippedRiskModel.load(bad)
    bad.write_bytes(gzip.compress(json.dumps({"schema": "other"}).encode()))
    with pytest.raises(HipcheckError, match=SCHEMA):
        ShippedRiskModel.load(bad)


def test_retraining_is_deterministic(tmp_path):
    logs = {a: _daily_log(260, a) for a in range(4)}
    days = {a: list(range(7, 260)) for a in range(4)}
    injuries = {(a, t) for a in range(4) for t in (100 + 30 * a, 200)}
    c = _cohort(logs, days, injuries)
    paths = [train_shipped_model(c, seed=3, fast=True).save(tmp_path / f"m{i}.json.gz") for i in range(2)]
    assert paths[0].read_bytes() == paths[1].read_bytes()
    other = train_shipped_model(c, seed=4, fast=True).save(tmp_path / "m2.json.gz")
    assert other.read_bytes() != paths[0].read_bytes()


START = date(2024, 1, 1)


def _history(last_week_km: float) -> list[Act]:
    acts = []
    for i in range(120):
        d = START + timedelta(days=i)
        if i % 7 in (0, 3):
            continue
        km = 8.0 if i < 113 else last_week_km
        acts.append(
            Act(
                datetime(d.year, d.month, d.day, 7, tzinfo=timezone.utc),
                True,
                km * 1000,
                km * 330,
                avg_hr=140 if i % 7 != 2 else 170,
                max_hr=185,
                rpe=5 if i % 7 != 2 else 8,
            )
        )
    return acts


def test_risk_for_history_reports_percentile_drivers_and_honest_wording(model):
    as_of = START + timedelta(days=119)
    r = risk_for_history(_history(16.0), [Pain(as_of - timedelta(days=1), pain_after=3)], as_of, model)
    assert 0 <= r.percentile_vs_cohort <= 100 and 0 < r.probability < 1
    assert r.window_start == as_of - timedelta(days=6)
    contributions = [c for _, c in r.drivers]
    assert contributions == sorted(contributions, reverse=True) and len(r.drivers) >= 5
    assert "not a prediction for you" in r.wording and "not only the hip" in r.wording
    assert r.pain_days_in_window == 1 and "pain" in r.wording
    assert {"training success", "recovery", "strength training"} <= set(r.unknown_inputs)
    # inputs the log lacks may still move the score, but never read as something the runner did
    groups = {g for g, _ in r.drivers}
    assert {"perceived recovery (not logged)", "perceived training success (not logged)"} <= groups
    assert not groups & {"perceived recovery", "perceived training success", "strength training"}
    assert "perceived exertion" in groups  # RPE was logged
    from hipcheck.risk.missing import FAMILIES
    from hipcheck.risk.result import DRIVER_GROUPS, FAMILY_GROUP

    assert set(FAMILY_GROUP) == set(FAMILIES) and set(FAMILY_GROUP.values()) <= {g for _, g in DRIVER_GROUPS}
    doc = r.to_json()
    assert doc["schema"] == "hipcheck.risk/v1" and doc["source"] == "lovdal_2021"
    # doubling the last week's distance moves the same runner up the cohort, not down
    calm = risk_for_history(_history(8.0), [], as_of, model)
    assert r.percentile_vs_cohort > calm.percentile_vs_cohort


def test_no_training_in_the_window_gives_no_score(model):
    acts = _history(8.0)
    r = risk_for_history(acts, [], START + timedelta(days=140), model)
    assert r.percentile_vs_cohort is None and r.probability is None and "No training" in r.wording
