"""Keypoint importers: OpenPose BODY_25 folders, Sports2D/Pose2Sim TRC, GaitLab pose JSON, our own JSON."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hipcheck.errors import InputError
from hipcheck.gait.formats import BODY_25, SCHEMA, read_keypoints, write_keypoints
from hipcheck.gait.keypoints import INDEX, KEYPOINTS
from hipcheck.gait.synthetic import Camera, SyntheticRunner, film

CLIP_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "running-video"


@pytest.fixture(scope="module")
def filmed():
    run = SyntheticRunner(fps=30, seconds=3).generate().run_
    return film(run, Camera(view="side"), noise_px=0.5, seed=1)


def test_own_format_round_trips(tmp_path, filmed):
    kp = filmed.copy()
    kp.xy[5, INDEX["r_heel"]] = np.nan  # an unseen point stays unseen
    path = write_keypoints(kp, tmp_path / "kp.json")
    doc = json.loads(path.read_text())
    assert doc["schema"] == SCHEMA and doc["keypoints"] == list(KEYPOINTS)
    assert doc["frames"][5][INDEX["r_heel"]] is None
    back = read_keypoints(path)
    assert back.n_frames == kp.n_frames and back.fps == kp.fps and (back.width, back.height) == (720, 1280)
    np.testing.assert_allclose(back.xy, kp.xy, atol=0.006, equal_nan=True)


def test_gaitlab_pose_json_of_the_real_clip():
    path = CLIP_DIR / "male_side.pose.json"
    if not path.exists():
        pytest.skip("shared clip data not present")
    kp = read_keypoints(path)
    assert kp.n_frames == 360 and kp.fps == 30.0 and kp.width == 720
    assert kp.source == "rtmpose-halpe26" and kp.meta["view_hint"] == "side-left"
    raw = json.loads(path.read_text())
    names = raw["keypoint_names"]
    first = raw["frames"][0]
    assert tuple(kp.xy[0, INDEX["l_toe"]]) == tuple(first[names.index("l_big_toe")][:2])
    assert kp.conf[0, INDEX["r_heel"]] == first[names.index("r_heel")][2]
    assert np.isnan(kp.xy[:, INDEX["l_ear"]]).all()  # not in Halpe26 as named there


def _openpose_frame(points: dict[str, tuple[float, float]], score: float = 0.9) -> list[float]:
    flat = [0.0] * 75
    for j, name in BODY_25.items():
        if name in points and np.all(np.isfinite(points[name])):
            x, y = points[name]
            flat[3 * j:3 * j + 3] = [float(x), float(y), score]
    return flat


def test_openpose_folder_follows_the_runner_not_the_bystander(tmp_path, filmed):
    for t in range(filmed.n_frames):
        runner = {n: filmed.xy[t, INDEX[n]] for n in KEYPOINTS}
        bystander = {n: filmed.xy[t, INDEX[n]] * 0.3 + 500 for n in KEYPOINTS}  # small, far away
        people = [{"person_id": [-1], "pose_keypoints_2d": _openpose_frame(bystander)},
                  {"person_id": [-1], "pose_keypoints_2d": _openpose_frame(runner)}]
        if t % 2:
            people.reverse()
        (tmp_path / f"run_{t:012d}_keypoints.json").write_text(json.dumps({"version": 1.3, "people": people}))
    kp = read_keypoints(tmp_path, fps=30)
    assert kp.n_frames == filmed.n_frames and kp.source == "openpose-body25"
    for name in ("l_hip", "r_knee", "l_heel", "r_toe"):
        np.testing.assert_allclose(kp.p(name), filmed.p(name), atol=1e-6)


def test_openpose_needs_a_frame_rate_and_body25(tmp_path):
    (tmp_path / "a_000000000000_keypoints.json").write_text(json.dumps({"people": []}))
    with pytest.raises(InputError, match="--fps"):
        read_keypoints(tmp_path)
    (tmp_path / "a_000000000000_keypoints.json").write_text(
        json.dumps({"people": [{"pose_keypoints_2d": [1.0] * 54}]}))
    with pytest.raises(InputError, match="BODY_25"):
        read_keypoints(tmp_path, fps=30)
    with pytest.raises(InputError, match="single OpenPose frame"):
        read_keypoints(tmp_path / "a_000000000000_keypoints.json")


def _trc(path: Path, names: list[str], data: np.ndarray, fps: float, units: str) -> Path:
    n_frames = data.shape[0]
    lines = [f"PathFileType\t4\t(X/Y/Z)\t{path.name}",
             "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
             "\t".join(map(str, [fps, fps, n_frames, len(names), units, fps, 0, n_frames])),
             "Frame#\tTime\t" + "\t\t\t".join(names) + "\t\t\t",
             "\t\t" + "\t".join(f"X{i + 1}\tY{i + 1}\tZ{i + 1}" for i in range(len(names)))]
    for t in range(n_frames):
        lines.append("\t".join([str(t), f"{t / fps:.4f}"] + [f"{v:.5f}" for v in data[t]]))
    path.write_text("\n".join(lines) + "\n")
    return path


SPORTS2D = {"RHip": "r_hip", "RKnee": "r_knee", "RAnkle": "r_ankle", "RBigToe": "r_toe", "RHeel": "r_heel",
            "LHip": "l_hip", "LKnee": "l_knee", "LAnkle": "l_ankle", "LBigToe": "l_toe", "LHeel": "l_heel",
            "Neck": None, "Nose": "nose", "RShoulder": "r_shoulder", "LShoulder": "l_shoulder"}


def test_sports2d_pixel_trc(tmp_path, filmed):
    names = list(SPORTS2D)
    data = np.concatenate([np.c_[filmed.p(SPORTS2D[n]) if SPORTS2D[n] else np.zeros((filmed.n_frames, 2)),
                                 np.zeros(filmed.n_frames)] for n in names], axis=1)
    # Sports2D writes 'm' in the header of its _px.trc files too; the name and values say pixels
    kp = read_keypoints(_trc(tmp_path / "clip_Sports2D_px.trc", names, data, 30.0, "m"))
    assert kp.units == "px" and kp.fps == 30.0
    np.testing.assert_allclose(kp.p("r_heel"), filmed.p("r_heel"), atol=1e-4)


def test_metric_trc_turns_y_up_into_picture_coordinates(tmp_path, filmed):
    names = ["LHip", "RHip", "LKnee"]
    metres = np.concatenate([np.c_[filmed.p(SPORTS2D[n]) / 1000, -filmed.p(SPORTS2D[n])[:, 1:] / 1000,
                                   np.zeros(filmed.n_frames)][:, [0, 2, 3]] for n in names], axis=1)
    kp = read_keypoints(_trc(tmp_path / "clip_m.trc", names, metres, 60.0, "m"), fps=None)
    assert kp.units == "m" and kp.fps == 60.0
    np.testing.assert_allclose(kp.p("l_knee"), filmed.p("l_knee") / 1000, atol=1e-5)


def test_bad_files_give_one_clear_line(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_keypoints(tmp_path / "missing.json")
    (tmp_path / "x.json").write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        read_keypoints(tmp_path / "x.json")
    (tmp_path / "y.json").write_text(json.dumps({"hello": 1}))
    with pytest.raises(InputError, match="not a keypoint file"):
        read_keypoints(tmp_path / "y.json")
    (tmp_path / "z.json").write_text(json.dumps({"keypoint_names": ["l_hip"], "frames": [[[1, 2, 3], [4, 5]]]}))
    with pytest.raises(InputError, match="frame 0 has 2 points"):
        read_keypoints(tmp_path / "z.json", fps=30)
    (tmp_path / "w.trc").write_text("hello\n")
    with pytest.raises(InputError, match="PathFileType"):
        read_keypoints(tmp_path / "w.trc")
    (tmp_path / "v.csv").write_text("a,b\n")
    with pytest.raises(InputError, match=".json file, a .trc file"):
        read_keypoints(tmp_path / "v.csv")
