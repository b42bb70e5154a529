"""Cleaning the signal: confidence gate, left/right repair, glitches, gaps, low-pass, view, roll."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("scipy")

from hipcheck.errors import InputError
from hipcheck.gait.clean import (
    ConfidenceGate,
    FrontalLabels,
    GapFiller,
    GlitchRejector,
    LowPassFilter,
    SideSwapRepair,
)
from hipcheck.gait.keypoints import INDEX, Keypoints, empty
from hipcheck.gait.roll import RunnerRoll, VanishingRoll, correct_roll
from hipcheck.gait.synthetic import Camera, SyntheticRunner, film
from hipcheck.gait.view import ViewDetector


@pytest.fixture(scope="module")
def run():
    return SyntheticRunner(fps=30, seconds=6).generate().run_


def test_side_swap_repair_restores_the_labels(run):
    truth = film(run, Camera(view="side"))
    swapped = film(run, Camera(view="side"), swap_frames=30, seed=5)
    assert not np.allclose(swapped.xy, truth.xy)
    fixed = SideSwapRepair().apply(swapped)
    # away from the moments the legs pass each other (where either labelling fits), labels are right
    apart = np.abs(truth.p("l_ankle")[:, 0] - truth.p("r_ankle")[:, 0]) > 40
    np.testing.assert_allclose(fixed.p("l_ankle")[apart], truth.p("l_ankle")[apart], atol=1e-6)
    np.testing.assert_allclose(fixed.p("r_heel")[apart], truth.p("r_heel")[apart], atol=1e-6)


def test_swap_anchors_decide_which_foot_leads(run):
    kp = film(run, Camera(view="side"))
    everything_swapped = kp.copy()
    for j in ("knee", "ankle", "heel", "toe"):
        li, ri = INDEX[f"l_{j}"], INDEX[f"r_{j}"]
        everything_swapped.xy[:, [li, ri]] = everything_swapped.xy[:, [ri, li]]
    # with the contacts known, the left foot must lead at the left contacts: the whole track flips back
    anchors = [(int(round(t * kp.fps)), foot, -1) for foot, t in run.contacts if t * kp.fps < kp.n_frames]
    fixed = SideSwapRepair().apply(everything_swapped, anchors)
    np.testing.assert_allclose(fixed.p("l_heel"), kp.p("l_heel"), atol=1e-6)


def test_rear_view_labels_by_picture_side(run):
    kp = film(run, Camera(view="rear"))
    mirrored = kp.copy()
    for j in ("hip", "knee", "ankle", "heel", "toe", "shoulder"):
        li, ri = INDEX[f"l_{j}"], INDEX[f"r_{j}"]
        mirrored.xy[::3, [li, ri]] = mirrored.xy[::3, [ri, li]]
    fixed = FrontalLabels().apply(mirrored)
    np.testing.assert_allclose(fixed.p("l_hip"), kp.p("l_hip"))
    np.testing.assert_allclose(fixed.p("r_ankle"), kp.p("r_ankle"))


def test_glitch_and_gap_and_low_pass(run):
    kp = film(run, Camera(view="side"))
    broken = kp.copy()
    broken.xy[40, INDEX["l_knee"]] += [120, -80]  # a one-frame jump
    broken.xy[60:64, INDEX["r_ankle"]] = np.nan  # a 4-frame gap (0.13 s)
    broken.xy[100:120, INDEX["r_toe"]] = np.nan  # a 20-frame gap (0.67 s): too long to invent
    g = GlitchRejector()
    out = g.apply(broken)
    assert np.isnan(out.xy[40, INDEX["l_knee"]]).all() and g.rejected_ >= 1
    filled = GapFiller(max_gap_s=0.2).apply(out)
    assert np.isfinite(filled.xy[60:64, INDEX["r_ankle"]]).all()
    assert np.isnan(filled.xy[100:120, INDEX["r_toe"]]).all()
    assert np.abs(filled.xy[40, INDEX["l_knee"]] - kp.xy[40, INDEX["l_knee"]]).max() < 15
    noisy = kp.copy()
    noisy.xy += np.random.default_rng(0).normal(scale=3, size=noisy.xy.shape)
    lp = LowPassFilter(6.0)
    smooth = lp.apply(noisy)
    assert lp.applied_
    trunk = [INDEX[n] for n in ("l_shoulder", "r_shoulder", "nose")]  # smooth tracks: only noise is removed
    assert np.std(smooth.xy[:, trunk] - kp.xy[:, trunk]) < 0.75 * np.std(noisy.xy[:, trunk] - kp.xy[:, trunk])
    slow = kp.copy(fps=10.0)
    lp10 = LowPassFilter(6.0)
    lp10.apply(slow)
    assert not lp10.applied_  # 6 Hz is above a 10 fps video's Nyquist frequency


def test_confidence_gate(run):
    kp = film(run, Camera(view="side"))
    kp.conf[:, INDEX["r_toe"]] = 0.1
    out = ConfidenceGate(0.2).apply(kp)
    assert np.isnan(out.p("r_toe")).all() and np.isfinite(out.p("l_toe")).all()


def test_view_and_direction(run):
    side = ViewDetector().detect(film(run, Camera(view="side")))
    assert side.view_ == "side" and side.direction_ == -1  # the virtual runner faces image-left
    mirrored = film(run, Camera(view="side"))
    mirrored.xy[..., 0] = 720 - mirrored.xy[..., 0]
    assert ViewDetector().detect(mirrored).direction_ == 1
    assert ViewDetector().detect(film(run, Camera(view="rear"))).view_ == "rear"


@pytest.mark.parametrize("roll", [-6.0, -2.0, 3.0, 7.0])
def test_roll_from_the_feet_without_yaw(run, roll):
    for view in ("side", "rear"):
        kp = film(run, Camera(view=view, roll_deg=roll))
        leg = np.nanmedian(np.linalg.norm(kp.mid("hip") - kp.mid("ankle"), axis=1))
        est = RunnerRoll().estimate(kp, view, leg).roll_deg_
        # rear: the trunk over whole strides; the virtual runner leans 2 and 4 degrees over each leg
        assert est == pytest.approx(roll, abs=0.6)


@pytest.mark.parametrize("roll,yaw", [(0.0, 0.0), (5.0, 8.0), (-4.0, -12.0)])
def test_roll_from_scene_verticals_with_a_turned_camera(roll, yaw):
    cam = Camera(view="side", roll_deg=roll, yaw_deg=yaw, height_m=1.3)  # above the posts' middle: pitch-free
    edges = cam.vertical_edges(8)
    est = VanishingRoll().estimate(edges, (360.0, 700.0))
    assert est.roll_deg_ == pytest.approx(roll, abs=0.05)
    assert est.inliers_ == 8


def test_scene_roll_refuses_edges_that_meet_inside_the_picture():
    # a fan of edges converging on a point in the picture: not verticals seen in perspective
    edges = np.array([[360 + 80 * np.sin(a), 300 - 80 * np.cos(a), 360 + 600 * np.sin(a), 300 - 600 * np.cos(a)]
                      for a in np.radians([170, 174, 178, 182, 186, 190])], float)
    est = VanishingRoll(min_vp_distance=2000).estimate(edges, (360, 640))
    assert np.isnan(est.roll_deg_)


def test_correct_roll_levels_a_tilted_line():
    xy, conf = empty(1)
    xy[0, INDEX["l_hip"]] = (100, 100)
    xy[0, INDEX["r_hip"]] = (200, 100 + 100 * np.tan(np.radians(4)))
    kp = Keypoints(xy, conf, 30.0, 400, 400)
    level = correct_roll(kp, 4.0)
    assert level.p("r_hip")[0, 1] - level.p("l_hip")[0, 1] == pytest.approx(0, abs=1e-9)


def test_unusable_keypoints_are_refused():
    xy, conf = empty(50)
    with pytest.raises(InputError, match="film the whole body"):
        Keypoints(xy, conf, 30.0).check_usable("clip.json")
    with pytest.raises(InputError, match="--fps"):
        Keypoints(xy, conf, 0.0)
