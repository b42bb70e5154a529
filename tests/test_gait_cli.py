"""`hipcheck gait analyze` and the store: keypoint files in, JSON/CSV/media out, results kept per athlete."""
from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("scipy")
pytest.importorskip("cv2")

from hipcheck.gait.formats import write_keypoints
from hipcheck.gait.synthetic import Camera, RunnerSpec, SyntheticRunner, film, stand

SPEC = RunnerSpec()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("kp")
    run = SyntheticRunner(SPEC, fps=30, seconds=8).generate().run_
    side = write_keypoints(film(run, Camera(view="side"), noise_px=1.0, seed=2), d / "side.json")
    rear = write_keypoints(film(run, Camera(view="rear"), noise_px=1.0, seed=2), d / "rear.json")
    front = write_keypoints(film(run, Camera(view="front"), noise_px=1.0, seed=2), d / "front.json")
    standing = film(stand(SPEC), Camera(view="rear"), seed=2)
    standing = write_keypoints(standing.copy(xy=np.repeat(standing.xy, 3, 0), conf=np.repeat(standing.conf, 3, 0)),
                               d / "standing.json")
    return {"side": side, "rear": rear, "front": front, "standing": standing}


def test_side_keypoints_to_json_and_outputs(run_cli, files, tmp_path):
    out = tmp_path / "out"
    res = run_cli("gait", "analyze", "--keypoints", files["side"], "--format", "json", "--out", out, "--no-store")
    assert res.code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert {"view", "frames", "fps", "cadence_spm", "steps", "metrics", "findings", "quality"} <= set(doc)
    assert doc["view"] == "side" and doc["frames"] == 240 and doc["fps"] == 30
    assert doc["cadence_spm"] == pytest.approx(170, rel=0.01)
    assert doc["steps"]["left"] >= 10 and doc["steps"]["right"] >= 10
    assert doc["metrics"]["contact_time_ms"]["unit"] == "ms"
    assert (out / "steps.csv").exists() and (out / "annotated.mp4").stat().st_size > 10_000
    assert (out / "contact_left.png").exists() and (out / "contact_right.png").exists()
    assert json.loads((out / "gait.json").read_text())["cadence_spm"] == doc["cadence_spm"]
    assert "stored" not in res.stderr


def test_text_output_is_plain_and_says_likely(run_cli, files, tmp_path):
    res = run_cli("gait", "analyze", "--keypoints", files["side"], "--no-store")
    assert res.code == 0, res.stderr
    assert "cadence 170" in res.stdout and "No findings beyond measurement error" in res.stdout
    res = run_cli("posture", "analyze", "--keypoints", files["standing"], "--facing", "back", "--out", tmp_path,
                  "--no-store")
    assert res.code == 0, res.stderr
    assert "1.5° lower on the right" in res.stdout and (tmp_path / "posture.png").exists()
    res = run_cli("gait", "analyze", "--keypoints", files["rear"], "--baseline", tmp_path / "posture.json",
                  "--no-store")
    assert res.code == 0, res.stderr
    assert "likely contributors, not a diagnosis" in res.stdout
    assert "Your pelvis drops more when you stand on your right leg" in " ".join(res.stdout.split())


def test_without_an_athlete_nothing_is_stored_and_it_says_so(run_cli, files):
    res = run_cli("gait", "analyze", "--keypoints", files["side"], "--format", "json")
    assert res.code == 0, res.stderr
    assert "not stored" in res.stderr and "athlete add" in res.stderr
    json.loads(res.stdout)  # stdout stays pure JSON


def test_posture_baseline_from_the_store_feeds_the_rear_view(run_cli, files):
    from hipcheck.store import GaitAnalysis, get_database

    assert run_cli("athlete", "add", "Sam").code == 0
    res = run_cli("posture", "analyze", "--keypoints", files["standing"], "--facing", "back", "--format", "json")
    assert res.code == 0, res.stderr
    posture = json.loads(res.stdout)
    assert posture["metrics"]["pelvic_tilt_deg"] == pytest.approx(SPEC.standing_pelvic_tilt_deg, abs=0.5)
    assert posture["metrics"]["pelvis_lower_side"] == "right"
    res = run_cli("gait", "analyze", "--keypoints", files["rear"], "--format", "json", "--athlete", "Sam")
    assert res.code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["view"] == "rear"
    assert doc["posture_baseline"]["pelvic_tilt_deg"] == posture["metrics"]["pelvic_tilt_deg"]
    drop = doc["metrics"]["pelvic_drop_deg"]
    assert drop["left"]["mean"] == pytest.approx(SPEC.pelvic_drop_deg[0], abs=1.5)
    assert drop["right"]["mean"] == pytest.approx(SPEC.pelvic_drop_deg[1], abs=1.5)
    assert any(f["id"] == "pelvic_drop" and f["data"]["side"] == "right" for f in doc["findings"])
    assert "stored the gait analysis for Sam" in res.stderr
    with get_database().session() as s:
        rows = s.query(GaitAnalysis).order_by(GaitAnalysis.id).all()
        assert [(r.kind, r.view) for r in rows] == [("posture", "back"), ("gait", "rear")]
        assert rows[1].document["cadence_spm"] == doc["cadence_spm"]


def test_a_second_video_is_compared_with_the_first(run_cli, files):
    assert run_cli("athlete", "add", "Alex").code == 0
    first = run_cli("gait", "analyze", "--keypoints", files["side"], "--format", "json")
    assert first.code == 0
    from hipcheck.services.gait import athlete_context

    ctx = athlete_context("Alex", True)
    assert ctx["previous"]["side"]["cadence_spm"]["all"]["mean"] == json.loads(first.stdout)["cadence_spm"]


def test_baseline_file_and_bad_inputs(run_cli, files, tmp_path):
    res = run_cli("gait", "analyze", "--no-store")
    assert res.code == 2 and "give a video file" in res.stderr
    res = run_cli("gait", "analyze", "--keypoints", tmp_path / "nope.json", "--no-store")
    assert res.code == 2 and "does not exist" in res.stderr
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": "something"}))
    res = run_cli("gait", "analyze", "--keypoints", files["rear"], "--baseline", bad, "--no-store")
    assert res.code == 2 and "not a posture result" in res.stderr
    res = run_cli("gait", "analyze", "--keypoints", files["side"], "--view", "top", "--no-store")
    assert res.code == 2
    res = run_cli("gait", "analyze", "--keypoints", files["side"], "--athlete", "Nobody")
    assert res.code == 2 and "no athlete 'Nobody'" in res.stderr


def test_a_video_from_ahead_is_measured_with_left_and_right_kept(run_cli, files):
    docs = {}
    for view in ("rear", "front"):
        res = run_cli("gait", "analyze", "--keypoints", files[view], "--view", view, "--no-store",
                      "--format", "json")
        assert res.code == 0, res.stderr
        docs[view] = json.loads(res.stdout)
    front, rear = docs["front"], docs["rear"]
    assert front["view"] == "rear" and front["filmed_from"] == "ahead" and rear["filmed_from"] == "behind"
    for side in ("left", "right"):  # the same runner, filmed from either end: the same sides
        a = front["metrics"]["foot_to_midline_pct_hip_width"][side]["mean"]
        b = rear["metrics"]["foot_to_midline_pct_hip_width"][side]["mean"]
        assert abs(a - b) < 3


def test_missing_gait_extra_names_it(run_cli, files, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "scipy", None)  # as if `pip install hipcheck` without [gait]
    res = run_cli("gait", "analyze", "--keypoints", files["side"], "--no-store")
    assert res.code == 2
    assert "hipcheck[gait]" in res.stderr and "Traceback" not in res.stderr


def test_core_imports_without_the_gait_extra():
    import subprocess
    import sys

    code = ("import sys\n"
            "class Block:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] in ('mediapipe', 'cv2', 'scipy'):\n"
            "            raise ImportError('blocked ' + name)\n"
            "sys.meta_path.insert(0, Block())\n"
            "import hipcheck.cli, hipcheck.services.gait, hipcheck.commands.gait, hipcheck.gait.pipeline\n"
            "print('ok')\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "ok"
