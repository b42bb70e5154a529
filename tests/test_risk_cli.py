"""`hipcheck risk evaluate` and `hipcheck risk show` from the command line."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from hipcheck.risk.data import DAY_FILE, ENV_DATA, WEEK_FILE


@pytest.fixture
def injury_data(shared_dir, monkeypatch):
    folder = shared_dir / "data" / "injury-dataset"
    if not (folder / DAY_FILE).is_file() or not (folder / WEEK_FILE).is_file():
        pytest.skip("Lövdal injury data set not found")
    monkeypatch.setenv(ENV_DATA, str(folder))
    return folder


def test_evaluate_json_has_the_documented_shape(run_cli, injury_data, tmp_path):
    res = run_cli("risk", "evaluate", "--fast", "--format", "json", "--out", tmp_path)
    assert res.code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["published"] == {"day": 0.724, "week": 0.678}
    for approach in ("day", "week"):
        sec = doc[approach]
        for key in (
            "auc_grouped_cv",
            "pr_auc_grouped_cv",
            "auc_holdout",
            "pr_auc_holdout",
            "brier_grouped_cv",
            "brier_holdout",
        ):
            assert 0 <= sec[key] <= 1, (approach, key)
        assert 0.5 < sec["auc_grouped_cv"] < 0.9  # real signal, and no leakage-sized miracle
        assert set(sec["models"]) == {"ours", "published_style", "baseline_logreg"}
        assert len(sec["holdout_athletes"]) == 10
        bins = sec["reliability_grouped_cv"]
        assert sum(b["n"] for b in bins) == sec["n_rows"]
    assert {"auc_grouped_cv_full_inputs", "auc_grouped_cv_km_only"} <= set(doc["day"]["shipped_model"])
    plot = tmp_path / "risk-reliability.png"
    assert doc["reliability_plot"] == str(plot) and plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert doc["protocol"]["fast"] is True


def test_evaluation_is_deterministic_under_fixed_seeds():
    import numpy as np
    from test_risk_features import _cohort, _daily_log

    from hipcheck.risk.evaluate import RiskEvaluation

    logs = {a: _daily_log(300, a) for a in range(12)}
    injuries = set()
    for a, log in logs.items():  # injuries follow the heaviest weeks, so the models have something to learn
        week_km = np.convolve(log[:, 1], np.ones(7), "valid")  # week_km[t - 7] = km of days t-7..t-1
        for t in np.argsort(-week_km[50:280])[:40] + 57:
            injuries.add((a, int(t)))
    c = _cohort(logs, {a: list(range(7, 300)) for a in range(12)}, injuries)
    ticks: list[tuple[str, int, int]] = []
    setup = dict(n_splits=3, cv_seeds=(0,), n_holdout=4, fast=True)
    runs = [
        RiskEvaluation(**setup).run(c, progress=lambda *t: ticks.append(t)).result_,
        RiskEvaluation(**setup).run(c).result_,
    ]
    # the progress bar counts every fit: 3 models x (3 folds + the hold-out fit)
    assert [t[1] for t in ticks] == list(range(1, 13)) and {t[2] for t in ticks} == {12}
    assert {t[0] for t in ticks} == {c.approach}
    assert runs[0].models == runs[1].models
    np.testing.assert_array_equal(runs[0].oof["ours"], runs[1].oof["ours"])
    assert runs[0].models["ours"]["auc_grouped_cv"] > 0.6
    other = RiskEvaluation(n_splits=3, cv_seeds=(1,), n_holdout=4, fast=True).run(c).result_
    assert not np.array_equal(other.oof["ours"], runs[0].oof["ours"])


def test_missing_data_folder_is_a_one_line_error(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_DATA, str(tmp_path / "nowhere"))
    res = run_cli("risk", "evaluate", "--fast")
    assert res.code == 2 and "injury data set was not found" in res.stderr and "Traceback" not in res.stderr


def test_bad_approach_is_rejected(run_cli):
    res = run_cli("risk", "evaluate", "--approach", "month")
    assert res.code == 2 and "month" in res.stderr


def test_show_scores_a_stored_athlete(run_cli):
    from hipcheck.store import Activity, DiaryEntry, get_database
    from hipcheck.store.repo import add_athlete

    db = get_database()
    start = datetime(2024, 1, 1, 7, tzinfo=timezone.utc)
    with db.session() as s:
        who = add_athlete(s, "Ann")
        for i in range(90):
            if i % 7 in (0, 3):
                continue
            km = 12.0 if i >= 83 else 8.0
            s.add(
                Activity(
                    athlete=who,
                    start_time=start + timedelta(days=i),
                    sport="running",
                    is_run=True,
                    distance_m=km * 1000,
                    duration_s=km * 330,
                    avg_hr=150,
                    max_hr=185,
                    source_format="csv",
                    source_name="t.csv",
                    content_hash=f"h{i}",
                )
            )
        s.add(DiaryEntry(athlete=who, date=(start + timedelta(days=88)).date(), pain_after=4))
    res = run_cli("risk", "show", "--format", "json")
    assert res.code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["as_of_date"] == "2024-03-30" and 0 <= doc["percentile_vs_cohort"] <= 100
    assert doc["pain_days_in_window"] == 1
    text = run_cli("risk", "show", "--as-of", "2024-03-30")
    assert text.code == 0 and "not a prediction for you" in text.stdout
    bad = run_cli("risk", "show", "--as-of", "30/03/2024")
    assert bad.code == 2 and "YYYY-MM-DD" in bad.stderr
