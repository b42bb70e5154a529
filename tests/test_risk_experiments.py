"""scripts/risk_experiments.py: the candidate feature blocks obey the causal protocol; references are marked."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

import numpy as np
import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "risk_experiments.py"
DATA = SHARED / "data" / "injury-dataset"


@pytest.fixture(scope="module")
def lab():
    if not DATA.is_dir():
        pytest.skip(f"injury data set not found at {DATA}")
    spec = importlib.util.spec_from_file_location("risk_experiments", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod, mod.Lab(DATA)


def _relabelled(lab, seed: int):
    """The same lab with every label replaced by a random one (same injury rate)."""
    rng = np.random.RandomState(seed)
    c = lab.c
    other = dataclasses.replace(c, injury=rng.permutation(c.injury))
    clone = object.__new__(type(lab))
    clone.__dict__.update(lab.__dict__, c=other)
    return clone


def test_candidate_blocks_never_read_labels(lab):
    _, real = lab
    shuffled = _relabelled(real, 0)
    for block in ("fatigue", "weekday_profile"):
        a, names = getattr(real, block)()
        b, _ = getattr(shuffled, block)()
        assert a.shape == (len(real.c.date), len(names))
        np.testing.assert_array_equal(a, b, err_msg=block)
    # the injury-history block does read labels, which is why it is only a reference experiment
    assert not np.array_equal(real.injury_history()[0], shuffled.injury_history()[0])


def test_week_context_marks_rows_without_a_week_row_instead_of_leaving_nan(lab):
    _, real = lab
    extra, names, missing = real.week_context
    assert extra.shape == (len(real.c.date), len(names))
    assert missing.sum() == 86  # 8 injury + 78 healthy day rows have no week-file row
    assert real.c.injury[missing].sum() == 8
    assert np.isnan(extra[missing]).all() and not np.isnan(extra[~missing]).all(axis=1).any()


def test_only_label_or_calendar_experiments_are_references(lab):
    mod, real = lab
    refs = {name for name, reference, _ in mod.experiments(real) if reference}
    assert refs == {
        "+ calendar weekday (team schedule)",
        "+ previous injuries up to t - 29",
        "baseline up to t - 8 (all rows before the window)",
        "baseline up to t - 2 (all earlier rows)",
    }
    X, names, rows, _ = dict((n, b) for n, _, b in mod.experiments(real))["+ the athlete's weekday profile"]()
    assert X.shape == (len(real.c.date), len(names)) and rows is None
