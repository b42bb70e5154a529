"""Standing posture from a photo: tilt signs whichever way the runner faces, roll correction, the
apparent leg-length flag, and the photo path through the pose model."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hipcheck.errors import InputError
from hipcheck.gait.keypoints import INDEX
from hipcheck.gait.posture import PostureAnalyzer
from hipcheck.gait.roll import correct_roll, feet_line_roll
from hipcheck.gait.synthetic import Camera, RunnerSpec, film, stand
from hipcheck.gait.thresholds import load_gait_thresholds

CLIP = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "running-video" / "male_side.mp4"


def photo(tilt=2.0, facing="back", roll=0.0, knee_bend=0.0):
    kp = film(stand(RunnerSpec(standing_pelvic_tilt_deg=tilt)), Camera(view="rear", roll_deg=roll))
    if facing == "front":  # seen from the front: the picture is mirrored and the labels say the same
        kp.xy[..., 0] = 720 - kp.xy[..., 0]
    if knee_bend:
        kp.xy[:, [INDEX["l_knee"], INDEX["r_knee"]], 0] += knee_bend  # knees pushed sideways: bent legs
    return kp


@pytest.mark.parametrize("facing", ["back", "front"])
def test_tilt_is_anatomical_whichever_way_the_runner_faces(facing):
    m = PostureAnalyzer(load_gait_thresholds(), facing).analyze(photo(2.0, facing)).metrics_
    assert m["pelvic_tilt_deg"] == pytest.approx(2.0, abs=0.2)
    assert m["pelvis_lower_side"] == "right" and m["facing"] == facing
    assert m["shoulder_tilt_deg"] == pytest.approx(0.0, abs=0.2)
    assert m["knees_straight"]


def test_facing_is_read_from_the_labels_when_not_given():
    assert PostureAnalyzer(load_gait_thresholds()).analyze(photo(facing="front")).facing_ == "front"
    assert PostureAnalyzer(load_gait_thresholds()).analyze(photo(facing="back")).facing_ == "back"


@pytest.mark.parametrize("roll", [-5.0, 3.0])
def test_camera_roll_is_removed_using_the_feet(roll):
    kp = photo(1.0, roll=roll)
    est = feet_line_roll(kp)
    assert est == pytest.approx(roll, abs=0.2)
    m = PostureAnalyzer(load_gait_thresholds(), "back").analyze(correct_roll(kp, est)).metrics_
    assert m["pelvic_tilt_deg"] == pytest.approx(1.0, abs=0.3)


def test_leg_length_flag_needs_a_real_tilt_and_straight_knees():
    th = load_gait_thresholds()
    big = PostureAnalyzer(th, "back").analyze(photo(4.0)).metrics_
    assert big["leg_length_flag"] and big["pelvis_lower_side"] == "right"
    small = PostureAnalyzer(th, "back").analyze(photo(1.0)).metrics_
    assert not small["leg_length_flag"]
    bent = PostureAnalyzer(th, "back").analyze(photo(4.0, knee_bend=60)).metrics_
    assert not bent["knees_straight"] and not bent["leg_length_flag"]


def test_missing_body_parts_are_a_clear_error():
    kp = photo()
    kp.xy[:, INDEX["l_knee"]] = np.nan
    with pytest.raises(InputError, match="l_knee"):
        PostureAnalyzer(load_gait_thresholds()).analyze(kp)


@pytest.mark.skipif(not CLIP.exists(), reason="shared clip not present")
def test_photo_through_the_pose_model(run_cli, tmp_path):
    cv2 = pytest.importorskip("cv2")
    pytest.importorskip("mediapipe")
    cap = cv2.VideoCapture(str(CLIP))
    for _ in range(16):
        _ok, frame = cap.read()
    cap.release()
    img = tmp_path / "frame.jpg"
    cv2.imwrite(str(img), frame)
    res = run_cli("posture", "analyze", img, "--format", "json", "--out", tmp_path / "out", "--no-store")
    assert res.code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["schema"] == "hipcheck.posture/v1" and doc["source"]["pose"].startswith("mediapipe")
    assert {"pelvic_tilt_deg", "shoulder_tilt_deg", "trunk_shift_deg", "leg_length_flag"} <= set(doc["metrics"])
    assert doc["metrics"]["roll"]["source"] in ("scene", "feet")
    assert cv2.imread(str(tmp_path / "out" / "posture.png")) is not None
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((400, 300, 3), 200, np.uint8))
    res = run_cli("posture", "analyze", blank, "--no-store")
    assert res.code == 2 and "does not show the runner" in res.stderr
