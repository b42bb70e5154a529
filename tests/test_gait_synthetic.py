"""Synthetic validation: a 3D runner with known angles, filmed by virtual side and rear cameras.

Noise-free (no pixel noise, no keypoint offsets) every angle must come back within 1 degree with the
camera rolled and slightly turned; with realistic noise and 40 mm hip/knee offsets the error must stay
inside the band documented in docs/gait-metrics.md.
"""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("scipy")

from hipcheck.gait.pipeline import GaitAnalyzer
from hipcheck.gait.posture import PostureAnalyzer
from hipcheck.gait.roll import VanishingRoll, correct_roll
from hipcheck.gait.synthetic import Camera, RunnerSpec, SyntheticRunner, film, stand
from hipcheck.gait.thresholds import load_gait_thresholds

SPEC = RunnerSpec()
ANGLES_SIDE = ("tibia_angle_deg", "knee_flexion_contact_deg", "foot_inclination_deg", "trunk_lean_deg")
ANGLES_REAR = ("pelvic_drop_deg", "hip_adduction_deg")


@pytest.fixture(scope="module")
def runs():
    return {fps: SyntheticRunner(SPEC, fps=fps, seconds=10).generate().run_ for fps in (30, 60)}


def analyse(run, view, roll=0.0, yaw=0.0, noise=0.0, hip_off=0.0, knee_off=0.0, swaps=0, seed=0, told=None):
    cam = Camera(view=view, roll_deg=roll, yaw_deg=yaw)
    kp = film(run, cam, noise, hip_off, knee_off, swaps, seed)
    edges = cam.vertical_edges()
    scene = VanishingRoll().estimate(edges, tuple(np.nanmedian(kp.mid("hip"), axis=0))).roll_deg_
    baseline = None
    if view in ("rear", "front"):
        st = film(stand(SPEC), cam, noise, hip_off, knee_off, 0, seed)
        st_roll = VanishingRoll().estimate(edges, tuple(st.mid("hip")[0])).roll_deg_
        facing = "back" if view == "rear" else "front"
        m = PostureAnalyzer(load_gait_thresholds(), facing).analyze(correct_roll(st, st_roll)).metrics_
        baseline = {"pelvic_tilt_deg": m["pelvic_tilt_deg"], "hip_adduction_deg": m["hip_adduction_deg"]}
    return GaitAnalyzer().analyze(kp, view=told or view, scene_roll_deg=scene, baseline=baseline)


def errors(g, run, metrics):
    return {m: max(abs(g.summary_[m][s]["mean"] - run.truth[m][s]) for s in ("left", "right")) for m in metrics}


@pytest.mark.parametrize("fps", [30, 60])
@pytest.mark.parametrize("roll,yaw", [(0.0, 0.0), (4.0, 2.0), (-3.0, -2.0)])
def test_side_view_noise_free_within_one_degree(runs, fps, roll, yaw):
    run = runs[fps]
    g = analyse(run, "side", roll, yaw)
    assert g.view_ == "side" and g.direction_ == -1
    assert g.roll_.deg == pytest.approx(roll, abs=0.05)
    assert g.cadence_spm_ == pytest.approx(SPEC.cadence_spm, rel=0.002)
    for metric, err in errors(g, run, ANGLES_SIDE).items():
        assert err < 1.0, f"{metric}: {err:.2f} deg"
    assert errors(g, run, ["overstride_pct_leg"])["overstride_pct_leg"] < 1.5  # % of leg length
    counts = g.step_counts()
    assert abs(counts["left"] - counts["right"]) <= 1


@pytest.mark.parametrize("fps", [30, 60])
@pytest.mark.parametrize("roll", [0.0, 4.0, -5.0])
def test_rear_view_noise_free_within_one_degree(runs, fps, roll):
    run = runs[fps]
    g = analyse(run, "rear", roll, 0.0)
    assert g.view_ == "rear"
    assert g.cadence_spm_ == pytest.approx(SPEC.cadence_spm, rel=0.002)
    for metric, err in errors(g, run, ANGLES_REAR).items():
        assert err < 1.0, f"{metric}: {err:.2f} deg"
    # the right-stance drop was built larger: the sides must not be mixed up
    assert g.summary_["pelvic_drop_deg"]["right"]["mean"] > g.summary_["pelvic_drop_deg"]["left"]["mean"] + 2


@pytest.mark.parametrize("roll", [0.0, 4.0])
def test_front_view_is_the_rear_view_mirrored(runs, roll):
    """Filmed from ahead and told so: the same frontal-plane metrics, with left and right kept apart."""
    run = runs[60]
    g = analyse(run, "front", roll)
    assert g.view_ == "rear" and g.facing_ == "front" and g.document()["filmed_from"] == "ahead"
    err = errors(g, run, ANGLES_REAR)
    assert err["pelvic_drop_deg"] < 1.0
    # from ahead the flexed knee is nearer the camera than the hip, and perspective pulls it outwards:
    # hip adduction reads about 1.3 deg low at 4 m (docs/gait-metrics.md)
    assert err["hip_adduction_deg"] < 1.6
    assert g.summary_["pelvic_drop_deg"]["right"]["mean"] > g.summary_["pelvic_drop_deg"]["left"]["mean"] + 2
    behind = analyse(run, "rear", roll)
    for metric in ("foot_to_midline_pct_hip_width", "lateral_trunk_lean_deg", "femoral_adduction_deg"):
        for side in ("left", "right"):  # the metrics without a built-in truth agree with the view from behind
            assert g.summary_[metric][side]["mean"] == pytest.approx(behind.summary_[metric][side]["mean"], abs=1.6)


def test_front_view_read_as_rear_swaps_the_sides(runs):
    """Why the view must be given: read as filmed from behind, a video from ahead swaps left and right."""
    kp = film(runs[60], Camera(view="front"))
    told = {v: GaitAnalyzer().analyze(kp, view=v, roll_deg=0.0).summary_ for v in ("front", "rear")}
    for metric in ("femoral_adduction_deg", "foot_to_midline_pct_hip_width"):
        right, left = told["front"][metric]["right"]["mean"], told["front"][metric]["left"]["mean"]
        assert abs(right - left) > 2
        assert told["rear"][metric]["left"]["mean"] == pytest.approx(right, abs=0.5)
        assert told["rear"][metric]["right"]["mean"] == pytest.approx(left, abs=0.5)


def test_view_is_detected_without_being_told(runs):
    run = runs[30]
    for view in ("side", "rear"):
        g = GaitAnalyzer().analyze(film(run, Camera(view=view)), roll_deg=0.0)
        assert g.view_ == view


def test_swapped_labels_are_repaired(runs):
    run = runs[30]
    clean = analyse(run, "side", 2.0, 0.0)
    swapped = analyse(run, "side", 2.0, 0.0, swaps=40, seed=3)  # 40 of 300 frames with legs swapped
    assert swapped.cadence_spm_ == pytest.approx(clean.cadence_spm_, rel=0.005)
    for metric in ANGLES_SIDE:
        for s in ("left", "right"):
            assert swapped.summary_[metric][s]["mean"] == pytest.approx(clean.summary_[metric][s]["mean"], abs=0.5)


def test_turned_rear_camera_is_flagged(runs):
    g = analyse(runs[30], "rear", 0.0, 6.0)
    assert "camera_not_square" in {q.code for q in g.quality_}
    straight = analyse(runs[30], "rear", 0.0, 0.0)
    assert "camera_not_square" not in {q.code for q in straight.quality_}


# The realistic-noise band (90th percentile over seeds) documented in docs/gait-metrics.md: 2 px noise,
# 40 mm hip and knee keypoint offsets, 10 swapped frames, roll 3 deg (side also yaw 3 deg).
BAND = {"tibia_angle_deg": 6.0, "knee_flexion_contact_deg": 12.0, "foot_inclination_deg": 2.0,
        "trunk_lean_deg": 4.5, "pelvic_drop_deg": 5.0, "hip_adduction_deg": 5.5}


@pytest.mark.parametrize("view", ["side", "rear"])
def test_realistic_noise_stays_in_documented_band(runs, view):
    run = runs[30]
    metrics = ANGLES_SIDE if view == "side" else ANGLES_REAR
    worst = {m: 0.0 for m in metrics}
    for seed in range(3):
        g = analyse(run, view, 3.0, 3.0 if view == "side" else 0.0, noise=2.0, hip_off=0.04, knee_off=0.04,
                    swaps=10, seed=seed)
        for m, e in errors(g, run, metrics).items():
            worst[m] = max(worst[m], e)
    for m, e in worst.items():
        assert e < BAND[m], f"{m}: {e:.2f} deg"


def test_side_camera_turn_error_grows_as_documented(runs):
    """A side camera turned 10 degrees from square: frontal-plane knee movement leaks into the picture;
    docs/gait-metrics.md gives the bound (2 degrees) for angles at contact."""
    run = runs[30]
    g = analyse(run, "side", 0.0, 10.0)
    errs = errors(g, run, ANGLES_SIDE)
    assert max(errs.values()) < 2.0
    assert max(errs.values()) > max(errors(analyse(run, "side", 0.0, 0.0), run, ANGLES_SIDE).values())
