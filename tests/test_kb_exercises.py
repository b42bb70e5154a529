"""The exercise catalogue and its illustrations.

Loads exercises.yaml directly (yaml + the pydantic model) so these tests do not depend on the other
knowledge-base files, and checks the SVGs against the pose file and the generator that draws them.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from kb_registry import REGISTRY_EXERCISES

from hipcheck.knowledge.models import Exercise

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "src" / "hipcheck" / "knowledge" / "data"
ILLUSTRATIONS = DATA / "illustrations"
GENERATOR = REPO / "scripts" / "draw_exercises.py"
NS = "{http://www.w3.org/2000/svg}"



@pytest.fixture(scope="module")
def exercises() -> dict[str, Exercise]:
    raw = yaml.safe_load((DATA / "exercises.yaml").read_text(encoding="utf-8"))
    records = [Exercise.model_validate(item) for item in raw]
    ids = [r.id for r in records]
    assert len(ids) == len(set(ids)), f"duplicate exercise ids: {sorted({i for i in ids if ids.count(i) > 1})}"
    return {r.id: r for r in records}


@pytest.fixture(scope="module")
def poses() -> dict:
    return yaml.safe_load((DATA / "illustration_poses.yaml").read_text(encoding="utf-8"))


def test_catalogue_covers_the_registry(exercises):
    assert len(exercises) >= 35
    missing = sorted(REGISTRY_EXERCISES - set(exercises))
    assert not missing, f"registry exercise ids without a record: {missing}"


def _svg(ex: Exercise) -> ET.Element:
    return ET.fromstring((ILLUSTRATIONS / ex.illustration).read_bytes())


def test_every_exercise_has_a_titled_svg_line_drawing(exercises):
    for ex in exercises.values():
        path = ILLUSTRATIONS / ex.illustration
        assert ex.illustration == f"{ex.id}.svg"
        assert path.is_file(), f"{ex.id}: {path} is missing; run scripts/draw_exercises.py"
        assert path.stat().st_size < 8 * 1024, f"{ex.id}: illustration is {path.stat().st_size} bytes"
        root = _svg(ex)
        assert root.tag == NS + "svg"
        x, y, w, h = (float(v) for v in root.attrib["viewBox"].split())
        assert w > 0 and h > 0
        title = root.find(NS + "title")
        assert title is not None and title.text == ex.name
        strokes = [el for el in root.iter(NS + "path") if el.get("stroke") and el.get("d")]
        assert len(strokes) >= 8, f"{ex.id}: only {len(strokes)} stroked paths"
        assert root.find(f"{NS}g/{NS}circle") is not None, f"{ex.id}: no round head drawn"


def test_svgs_are_self_contained(exercises):
    for ex in exercises.values():
        text = (ILLUSTRATIONS / ex.illustration).read_text(encoding="utf-8")
        for forbidden in ("href", "<image", "<script", "<text", "font", "url("):
            assert forbidden not in text, f"{ex.id}: illustration contains {forbidden!r}"


def test_no_orphan_illustrations(exercises):
    drawn = {p.name for p in ILLUSTRATIONS.glob("*.svg")}
    assert drawn == {ex.illustration for ex in exercises.values()}


def test_working_side_and_movement_are_shown(exercises):
    """Each drawing highlights the working part, and shows movement as a faded start pose or an arrow."""
    for ex in exercises.values():
        text = (ILLUSTRATIONS / ex.illustration).read_text(encoding="utf-8")
        assert re.search(r'stroke="#(e8590c|f7a46b)"', text), f"{ex.id}: nothing drawn in the accent colour"
        moves = 'opacity="' in text or 'stroke="#1971c2"' in text
        assert moves, f"{ex.id}: neither a start pose nor an arrow or hold symbol"


def test_links_resolve_and_chains_have_no_cycles(exercises):
    for ex in exercises.values():
        for link in (ex.regression, ex.progression):
            if link is not None:
                assert link in exercises, f"{ex.id} links to unknown exercise {link!r}"
                assert link != ex.id
        assert ex.regression is None or ex.regression != ex.progression
    for attr in ("regression", "progression"):
        for start in exercises:
            seen, current = set(), start
            while current is not None:
                assert current not in seen, f"{attr} chain from {start} loops back to {current}"
                seen.add(current)
                current = getattr(exercises[current], attr)


@pytest.mark.parametrize("easier, harder", [
    ("side_plank_knees", "side_plank"),
    ("glute_bridge", "single_leg_glute_bridge"),
    ("copenhagen_short_lever", "copenhagen_adductor"),
    ("isometric_hip_abduction", "side_lying_leg_raise"),
    ("isometric_adductor_squeeze", "lying_inner_thigh_lift"),
    ("romanian_deadlift", "single_leg_deadlift"),
])
def test_progression_pairs_point_both_ways(exercises, easier, harder):
    assert exercises[easier].progression == harder
    assert exercises[harder].regression == easier


def test_dosage_is_complete_and_fits_the_category(exercises):
    for ex in exercises.values():
        d = ex.dosage
        assert d.sets >= 1 and d.days_per_week >= 1 and d.rest_s >= 0
        assert d.reps or d.hold_s, f"{ex.id}: dosage needs reps or a hold"
        if ex.category == "isometric":  # tendon-pain holds: several long, moderate holds (rio_2015)
            assert d.hold_s and 30 <= d.hold_s <= 60 and d.sets >= 4, ex.id
        if ex.category == "stretch":  # static stretches of about 30 s, repeated (garber_2011)
            assert d.hold_s and 20 <= d.hold_s <= 60 and d.sets >= 2, ex.id
        if ex.category == "strength":  # 2-3 sets of roughly 5-15 reps, 2-3 days a week (acsm_2009)
            assert d.reps and 5 <= d.reps <= 15 and 2 <= d.sets <= 4 and 2 <= d.days_per_week <= 3, ex.id
    assert "3-4 s" in (exercises["slow_eccentric_squat"].dosage.tempo or "")


def test_side_lying_exercises_warn_about_gluteal_tendon_compression(exercises):
    side_lying = [ex for ex in exercises.values() if ex.steps[0].startswith("Lie on your side")]
    assert len(side_lying) >= 7
    for ex in side_lying:
        assert any("painful outer hip" in c or "side of the hip" in c for c in ex.contraindications), ex.id


def test_standing_exercises_are_barred_while_bone_stress_is_suspected(exercises):
    standing = [ex for ex in exercises.values() if ex.steps[0].startswith("Stand")]
    assert len(standing) >= 12
    for ex in standing:
        assert any("bone-stress injury" in c for c in ex.contraindications), ex.id


def test_every_exercise_cites_an_article_or_study(exercises):
    for ex in exercises.values():
        assert ex.sources, ex.id
        assert all(re.fullmatch(r"[a-z][a-z0-9_]*", s) for s in ex.sources), ex.id


def test_poses_cover_every_exercise(exercises, poses):
    ids = [e["id"] for e in poses["illustrations"]]
    assert sorted(ids) == sorted(exercises)


def test_floor_exercises_rest_on_the_floor(poses):
    supports = {"box", "bench", "ball", "roller"}
    for entry in poses["illustrations"]:
        if not entry.get("floor", True):
            continue
        supported = any(p["kind"] in supports for p in entry.get("props", []))
        for pose in entry["poses"]:
            lowest = min(y for _, y in pose["joints"].values())
            assert lowest >= -4, f"{entry['id']}: a joint sinks {lowest} units below the floor"
            if not supported:
                assert lowest <= 12, f"{entry['id']}: the figure floats {lowest} units above the floor"


def _run_generator(data: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(GENERATOR), "--data", str(data), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)


def test_svgs_are_up_to_date_with_the_generator(tmp_path, exercises):
    result = _run_generator(DATA, tmp_path)
    assert result.returncode == 0, result.stderr
    for ex in exercises.values():
        fresh = (tmp_path / ex.illustration).read_bytes()
        assert fresh == (ILLUSTRATIONS / ex.illustration).read_bytes(), (
            f"{ex.illustration} is stale: run .venv/bin/python scripts/draw_exercises.py")


@pytest.fixture
def data_copy(tmp_path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("exercises.yaml", "illustration_poses.yaml"):
        shutil.copy(DATA / name, data / name)
    return data


def test_generator_rejects_a_stretched_limb(data_copy, tmp_path):
    doc = yaml.safe_load((data_copy / "illustration_poses.yaml").read_text(encoding="utf-8"))
    joints = next(e for e in doc["illustrations"] if e["id"] == "glute_bridge")["poses"][0]["joints"]
    joints["knee_r"] = [joints["hip_r"][0] + 80, joints["hip_r"][1]]  # a thigh far longer than the skeleton's
    (data_copy / "illustration_poses.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    result = _run_generator(data_copy, tmp_path / "out")
    assert result.returncode == 2
    assert "glute_bridge" in result.stderr and "hip_r-knee_r" in result.stderr


def test_generator_names_an_exercise_without_poses(data_copy, tmp_path):
    doc = yaml.safe_load((data_copy / "illustration_poses.yaml").read_text(encoding="utf-8"))
    doc["illustrations"] = [e for e in doc["illustrations"] if e["id"] != "clamshell"]
    (data_copy / "illustration_poses.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    result = _run_generator(data_copy, tmp_path / "out")
    assert result.returncode == 2
    assert "no poses for exercises ['clamshell']" in result.stderr
