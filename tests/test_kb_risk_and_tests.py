"""Risk factors and self-tests in the knowledge base: ids, intake links, safety gating, rules on real intakes.

The two YAML files are loaded here with yaml + the pydantic models directly, so these tests do not
depend on the rest of the knowledge base being complete.
"""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from kb_registry import REGISTRY_EXERCISES

from hipcheck.contracts import intake_fields, intake_schema
from hipcheck.knowledge.loader import CONTRACT_CONDITIONS, DATA_DIR
from hipcheck.knowledge.models import RiskFactor, SelfTest
from hipcheck.knowledge.rules import Rule

# The shared id registry (owner: risk-factor helper). These ids may never be renamed or dropped.
REGISTRY_RISK_FACTORS = {
    "training": ["training_spike", "long_run_spike", "hills_added", "speed_added", "intensity_stacking",
                 "back_after_break", "insufficient_recovery", "no_warm_up", "no_strength_training",
                 "race_or_longer_distance", "lack_of_cross_training", "overuse"],
    "body": ["weak_hip_abductors", "tight_hip_flexors", "prolonged_sitting", "muscle_imbalance", "weak_core",
             "leg_length_difference", "pelvic_asymmetry", "high_body_weight", "older_age", "female_sex",
             "tight_it_band", "tight_hamstrings_or_glutes", "postural_habits"],
    "form": ["pelvic_drop", "overstride", "heel_striking", "low_cadence", "hip_adduction", "crossover_gait",
             "trunk_lean", "poor_running_form"],
    "footwear": ["worn_shoes", "new_shoes", "unsupportive_shoes"],
    "surface": ["cambered_road", "hard_surface", "uneven_surface"],
    "history": ["previous_hip_injury", "previous_stress_fracture", "childhood_hip_problem", "steroid_or_alcohol",
                "adolescent_growth_spurt"],
    "energy": ["low_energy_availability", "menstrual_dysfunction", "low_bone_density"],
}
REGISTRY_SELF_TESTS = ["fadir", "faber", "single_leg_stance_30s", "outer_hip_pressure", "resisted_hip_flexion",
                       "resisted_adduction", "seated_buttock_pressure", "straight_leg_raise", "hop"]
# Red flags under which a stress fracture or other fracture is possible: no bone-loading test then.
BONE_STRESS_FLAGS = {"cannot_bear_weight_after_injury", "leg_shortened_or_turned_out",
                     "weight_bearing_groin_pain_after_mileage_increase", "bone_stress_energy_deficiency",
                     "unrelenting_night_pain", "child_hip_or_knee_pain_with_limp", "avn_risk_with_groin_pain",
                     "limp_or_pain_walking", "cancer_history_or_weight_loss"}
EMERGENCY_FLAGS = {"cauda_equina_symptoms", "cannot_bear_weight_after_injury", "leg_shortened_or_turned_out",
                   "hot_joint_with_fever", "dvt_signs"}
REGISTRY_RED_FLAGS = EMERGENCY_FLAGS | BONE_STRESS_FLAGS | {
    "swelling_redness_warmth", "bruising_after_injury", "numbness_or_tingling", "pain_radiating_below_knee",
    "mechanical_locking_or_giving_way", "pain_persisting_or_worsening", "progressive_leg_weakness"}


def _load(fname: str, model):
    raw = yaml.safe_load((DATA_DIR / fname).read_text(encoding="utf-8"))
    assert isinstance(raw, list), f"{fname} must be a YAML list"
    records = [model.model_validate(item) for item in raw]
    ids = [r.id for r in records]
    assert len(ids) == len(set(ids)), f"duplicate ids in {fname}"
    return {r.id: r for r in records}


@pytest.fixture(scope="module")
def risk_factors() -> dict[str, RiskFactor]:
    return _load("risk_factors.yaml", RiskFactor)


@pytest.fixture(scope="module")
def self_tests() -> dict[str, SelfTest]:
    return _load("self_tests.yaml", SelfTest)


@pytest.fixture(scope="module")
def dev_intakes() -> dict[str, dict]:
    vdir = Path(__file__).resolve().parent.parent.parent / "shared" / "vignettes" / "dev"
    if not vdir.is_dir():
        pytest.skip(f"dev vignettes not found at {vdir}")
    return {p.stem: json.loads(p.read_text(encoding="utf-8"))["intake"] for p in sorted(vdir.glob("*.json"))}


def _intake(**sections) -> dict:
    """A small intake that must itself be valid against the published schema."""
    doc = {"schema": "hipcheck.intake/v1", **sections}
    jsonschema.validate(doc, intake_schema())
    return doc


# ------------------------------------------------------------------ ids and references

def test_every_registry_risk_factor_exists_in_its_category(risk_factors):
    for category, ids in REGISTRY_RISK_FACTORS.items():
        for rid in ids:
            assert rid in risk_factors, f"registry risk factor '{rid}' is missing"
            assert risk_factors[rid].category == category, f"'{rid}' should be in category {category}"


def test_every_registry_self_test_exists_and_reads_its_own_intake_field(self_tests):
    fields = intake_fields()
    for tid in REGISTRY_SELF_TESTS:
        assert tid in self_tests, f"registry self-test '{tid}' is missing"
        test = self_tests[tid]
        assert test.intake_field == f"tests.{tid}"
        assert test.intake_field in fields, f"{tid}: {test.intake_field} is not in the intake contract"
        assert set(fields[test.intake_field].values) == {"pain", "no_pain", "not_done"}


def test_risk_factors_reference_contract_conditions_and_registry_exercises(risk_factors):
    for rf in risk_factors.values():
        assert set(rf.raises) <= set(CONTRACT_CONDITIONS), f"{rf.id} raises unknown conditions"
        assert set(rf.exercises) <= REGISTRY_EXERCISES, f"{rf.id} names unknown exercises"


def _red_flag_file() -> list[dict] | None:
    """The red-flag records as raw YAML (another helper's file), or None while it is not written."""
    path = DATA_DIR / "red_flags.yaml"
    if not path.exists():
        return None
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [f for f in raw if isinstance(f, dict)]


def test_self_tests_reference_contract_conditions_and_known_red_flags(self_tests):
    known = REGISTRY_RED_FLAGS | {f.get("id") for f in _red_flag_file() or []}
    for t in self_tests.values():
        assert t.suggests, f"{t.id} suggests no condition"
        assert set(t.suggests) <= set(CONTRACT_CONDITIONS), f"{t.id} suggests unknown conditions"
        assert set(t.forbidden_by) <= known, f"{t.id} names unknown red flags {set(t.forbidden_by) - known}"


def test_the_weak_side_glute_and_sitting_factors_lead_to_their_exercises(risk_factors):
    assert {"side_lying_leg_raise", "clamshell", "side_plank", "single_leg_glute_bridge", "monster_walk",
            "hip_hike"} <= set(risk_factors["weak_hip_abductors"].exercises)
    for rid in ("tight_hip_flexors", "prolonged_sitting"):
        assert "half_kneeling_hip_flexor_stretch" in risk_factors[rid].exercises
    overstride = risk_factors["overstride"]
    assert any("5-10 %" in change for change in overstride.running_changes)
    assert "heiderscheit_2011" in overstride.sources


def test_bone_stress_factors_raise_stress_fracture_conditions(risk_factors):
    for rid in ("previous_stress_fracture", "low_energy_availability", "menstrual_dysfunction",
                "low_bone_density", "training_spike", "long_run_spike"):
        assert "fnsf" in risk_factors[rid].raises, f"{rid} must raise femoral neck stress fracture"


# ------------------------------------------------------------------ safety gating of self-tests

def test_bone_loading_tests_are_forbidden_by_every_bone_stress_and_fracture_flag(self_tests):
    loading = {tid for tid, t in self_tests.items() if t.loads_bone}
    assert loading == {"hop", "single_leg_stance_30s"}
    for tid in loading:
        lacking = BONE_STRESS_FLAGS - set(self_tests[tid].forbidden_by)
        assert not lacking, f"{tid} loads bone but is not forbidden by {sorted(lacking)}"


def test_every_test_is_forbidden_by_every_emergency_flag(self_tests):
    for t in self_tests.values():
        lacking = EMERGENCY_FLAGS - set(t.forbidden_by)
        assert not lacking, f"{t.id} could be suggested during an emergency: {sorted(lacking)}"


def test_loading_tests_cover_bone_stress_flags_of_the_red_flag_file_when_present(self_tests):
    flags = _red_flag_file()
    if flags is None:
        pytest.skip("red_flags.yaml not written yet")
    bone = {f.get("id") for f in flags if f.get("bone_stress")}
    for tid in ("hop", "single_leg_stance_30s"):
        lacking = bone - set(self_tests[tid].forbidden_by)
        assert not lacking, f"{tid} is not forbidden by bone-stress flags {sorted(lacking)}"


def test_self_test_wording_points_towards_and_figures_carry_tags(self_tests):
    for t in self_tests.values():
        assert "points towards" in t.positive_means, f"{t.id}: say what a result points towards"
        assert "you have" not in t.positive_means.lower(), f"{t.id}: positive_means must not diagnose"
        assert t.figures, f"{t.id}: state the published figures or that none were found"
        assert any(tag in t.figures for tag in ("[V]", "[V2]", "[R]", "[NF]")), f"{t.id}: tag the figures"


def test_a_painful_hop_points_only_to_bone_stress(self_tests):
    assert set(self_tests["hop"].suggests) == {"fnsf", "femoral_shaft_sf", "pubic_ramus_sf", "sacral_sf"}


# ------------------------------------------------------------------ intake rules

def test_intake_rules_read_only_contract_fields_and_values(risk_factors):
    fields = intake_fields()
    for rf in risk_factors.values():
        if rf.intake_rule is None:
            continue
        for path in rf.intake_rule.fields():
            assert path in fields, f"{rf.id} reads unknown intake field {path}"
        for path, value in rf.intake_rule.values():
            allowed = fields[path].values
            assert not allowed or value in allowed, f"{rf.id}: '{value}' is not allowed for {path}"


def _thresholds(rule: Rule) -> list[float]:
    if rule.field is not None:
        return [v for v in (rule.gt, rule.gte, rule.lt, rule.lte) if v is not None]
    out: list[float] = []
    for child in (rule.all or []) + (rule.any or []) + ([rule.not_] if rule.not_ else []):
        out += _thresholds(child)
    return out


def test_every_numeric_threshold_is_explained_in_the_description(risk_factors):
    for rf in risk_factors.values():
        for value in _thresholds(rf.intake_rule) if rf.intake_rule else []:
            assert f"{value:g}" in rf.description, f"{rf.id}: justify the threshold {value:g} in the description"


def test_form_factors_are_left_to_gait_analysis(risk_factors):
    for rid in REGISTRY_RISK_FACTORS["form"]:
        assert risk_factors[rid].intake_rule is None, f"{rid} is measured by gait analysis, not the intake"


def test_missing_answers_leave_every_rule_unknown(risk_factors):
    empty = _intake()
    for rf in risk_factors.values():
        if rf.intake_rule is not None:
            assert rf.intake_rule.evaluate(empty) is None, f"{rf.id}: a missing answer must not mean 'no'"


# (vignette, risk factor, expected evaluation) on the real dev intakes
VIGNETTE_CASES = [
    ("D01", "prolonged_sitting", True), ("D01", "no_warm_up", True), ("D01", "no_strength_training", True),
    ("D01", "training_spike", False), ("D01", "female_sex", True), ("D01", "older_age", False),
    ("D02", "training_spike", True), ("D02", "long_run_spike", True), ("D02", "race_or_longer_distance", True),
    ("D02", "no_warm_up", False), ("D02", "previous_stress_fracture", False),
    ("D02", "low_energy_availability", False),
    ("D03", "hills_added", True), ("D03", "intensity_stacking", True),
    ("D04", "training_spike", False), ("D04", "long_run_spike", None),
    ("D05", "speed_added", True), ("D05", "intensity_stacking", False), ("D05", "prolonged_sitting", True),
    ("D08", "sprint_or_kicking_sport", True),
    ("D09", "prolonged_sitting", True), ("D09", "older_age", True), ("D09", "no_warm_up", False),
    ("D09", "menstrual_dysfunction", False), ("D09", "leg_length_difference", False),
    ("D11", "low_energy_availability", True), ("D11", "menstrual_dysfunction", True),
    ("D11", "previous_stress_fracture", True), ("D11", "training_spike", True),
    ("D12", "uneven_surface", True), ("D12", "intensity_stacking", True), ("D12", "long_run_spike", True),
    ("D13", "cambered_road", True), ("D13", "leg_length_difference", True), ("D13", "training_spike", False),
    ("D19", "adolescent_growth_spurt", True),
    ("D26", "no_strength_training", False), ("D26", "uneven_surface", True),
    ("D29", "childhood_hip_problem", True),
    ("D32", "steroid_or_alcohol", True), ("D32", "training_spike", False),
    ("D35", "back_after_break", True), ("D35", "hard_surface", True), ("D35", "training_spike", True),
    ("D35", "previous_stress_fracture", True),
    ("D37", "worn_shoes", True),
    ("D39", "older_age", True),
    ("D44", "training_spike", None),
]


@pytest.mark.parametrize("vignette,rid,expected", VIGNETTE_CASES)
def test_intake_rules_on_dev_vignettes(risk_factors, dev_intakes, vignette, rid, expected):
    rule = risk_factors[rid].intake_rule
    assert rule is not None, f"{rid} needs an intake rule"
    assert rule.evaluate(dev_intakes[vignette]) is expected


# Factors no dev vignette shows: checked on small schema-valid intakes instead.
SYNTHETIC_CASES = [
    ("insufficient_recovery", {"training": {"recent_changes": ["less_sleep_or_recovery"]}}, True),
    ("overuse", {"training": {"recent_changes": ["more_distance", "less_sleep_or_recovery"]}}, True),
    ("overuse", {"training": {"recent_changes": ["more_distance"]}}, False),
    ("new_shoes", {"training": {"recent_changes": ["new_shoes"]}}, True),
    ("previous_hip_injury", {"history": {"previous_hip_injury": True}}, True),
    ("low_bone_density", {"history": {"low_bone_density": True}}, True),
    ("training_spike", {"training": {"weekly_change_pct": 10, "recent_changes": []}}, False),
    ("training_spike", {"training": {"weekly_change_pct": 11}}, True),
    ("long_run_spike", {"training": {"longest_run_change_pct": 10}}, False),
    ("prolonged_sitting", {"history": {"sits_hours_per_day": 5}}, False),
    ("intensity_stacking", {"training": {"recent_changes": ["more_speed"], "weekly_change_pct": 20}}, True),
]


@pytest.mark.parametrize("rid,sections,expected", SYNTHETIC_CASES)
def test_intake_rules_on_small_valid_intakes(risk_factors, rid, sections, expected):
    assert risk_factors[rid].intake_rule.evaluate(_intake(**sections)) is expected


def test_every_intake_rule_has_a_case_where_it_fires():
    shown = {rid for (_, rid, exp) in VIGNETTE_CASES if exp} | {rid for (rid, _, exp) in SYNTHETIC_CASES if exp}
    rules = {rid for rid, rf in _load("risk_factors.yaml", RiskFactor).items() if rf.intake_rule is not None}
    assert rules - shown == set(), "add a vignette or synthetic case where these rules fire"
