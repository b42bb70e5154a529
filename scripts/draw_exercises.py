"""Draw the exercise illustrations: one small SVG line drawing per exercise.

Reads the pose keyframes in src/hipcheck/knowledge/data/illustration_poses.yaml and the exercise names in
exercises.yaml, and writes src/hipcheck/knowledge/data/illustrations/<id>.svg for every exercise.

    .venv/bin/python scripts/draw_exercises.py            # rewrite the illustrations
    .venv/bin/python scripts/draw_exercises.py --out DIR  # write them somewhere else (the tests do this)

Pose coordinates are in body units (about a centimetre), x to the right, y up, the floor at y = 0.
With two poses the first (the start) is drawn faded and the last (the end) solid.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent.parent / "src" / "hipcheck" / "knowledge" / "data"

JOINTS = ("head", "neck", "shoulder_l", "shoulder_r", "elbow_l", "elbow_r", "hand_l", "hand_r",
          "hip_l", "hip_r", "knee_l", "knee_r", "ankle_l", "ankle_r", "toe_l", "toe_r")
OPTIONAL_JOINTS = ("spine",)  # mid-back point, for a rounded or arched back
LIMBS = {
    "arm_l": ("shoulder_l", "elbow_l", "hand_l"),
    "arm_r": ("shoulder_r", "elbow_r", "hand_r"),
    "leg_l": ("hip_l", "knee_l", "ankle_l", "toe_l"),
    "leg_r": ("hip_r", "knee_r", "ankle_r", "toe_r"),
}
PROP_KINDS = ("mat", "box", "bench", "ball", "roller", "band", "weight", "hold")
LAYERS = ("back", "mid", "front")

INK, FAR, ACCENT, ACCENT_FAR = "#243b53", "#9fb3c8", "#e8590c", "#f7a46b"
ARROW, FLOOR = "#1971c2", "#adb5bd"
WIDTH = {"trunk": 9, "arm": 6, "leg": 7, "neck": 6}
HEAD_R = 9
FADED_OPACITY = 0.3
MARGIN = 8
# A drawn segment can look shorter than the body part (it may point towards the viewer) but never longer.
STRETCH_TOLERANCE = 1.12


class PoseError(ValueError):
    """A pose file entry that cannot be drawn; the message names the exercise and the problem."""


def _pt(value, where: str) -> tuple[float, float]:
    if (not isinstance(value, (list, tuple)) or len(value) != 2
            or not all(isinstance(v, (int, float)) for v in value)):
        raise PoseError(f"{where}: expected a point [x, y], got {value!r}")
    return float(value[0]), float(value[1])


def _f(v: float) -> str:
    """A compact number for SVG output (whole units, one decimal only where it matters)."""
    r = round(v, 1)
    return str(int(r)) if r == int(r) else f"{r:.1f}"


class Canvas:
    """Collects SVG elements in pose units (y up) and tracks the drawn extent."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.xs: list[float] = []
        self.ys: list[float] = []

    def _use(self, pts, pad: float = 0.0) -> None:
        for x, y in pts:
            self.xs += [x - pad, x + pad]
            self.ys += [y - pad, y + pad]

    @staticmethod
    def _p(x: float, y: float) -> str:
        return f"{_f(x)} {_f(-y)}"

    def path(self, pts, stroke: str, width: float) -> None:
        if all(_f(x) == _f(pts[0][0]) and _f(y) == _f(pts[0][1]) for x, y in pts):
            return  # a segment seen end-on draws nothing
        self._use(pts, width / 2)
        d = "M" + " L".join(self._p(x, y) for x, y in pts)
        self.parts.append(f'<path d="{d}" stroke="{stroke}" stroke-width="{_f(width)}"/>')

    def curve(self, a, control, b, stroke: str, width: float) -> None:
        self._use([a, b, control], width / 2)
        d = f"M{self._p(*a)} Q{self._p(*control)} {self._p(*b)}"
        self.parts.append(f'<path d="{d}" stroke="{stroke}" stroke-width="{_f(width)}"/>')

    def circle(self, c, r: float, fill: str, stroke: str = "none", width: float = 0) -> None:
        self._use([c], r + width / 2)
        s = f' stroke="{stroke}" stroke-width="{_f(width)}"' if stroke != "none" else ""
        self.parts.append(f'<circle cx="{_f(c[0])}" cy="{_f(-c[1])}" r="{_f(r)}" fill="{fill}"{s}/>')

    def polygon(self, pts, fill: str, stroke: str = "none", width: float = 0) -> None:
        self._use(pts, width / 2)
        s = f' stroke="{stroke}" stroke-width="{_f(width)}"' if stroke != "none" else ""
        d = " ".join(f"{_f(x)},{_f(-y)}" for x, y in pts)
        self.parts.append(f'<polygon points="{d}" fill="{fill}"{s}/>')

    def open_group(self, attrs: str) -> None:
        self.parts.append(f"<g {attrs}>")

    def close_group(self) -> None:
        self.parts.append("</g>")


def _check_pose(ex_id: str, i: int, pose: dict, skeleton: dict) -> dict[str, tuple[float, float]]:
    where = f"illustration_poses.yaml: '{ex_id}' pose {i + 1}"
    raw = pose.get("joints")
    if not isinstance(raw, dict):
        raise PoseError(f"{where}: needs a `joints` mapping")
    missing = [j for j in JOINTS if j not in raw]
    unknown = [j for j in raw if j not in JOINTS + OPTIONAL_JOINTS]
    if missing or unknown:
        raise PoseError(f"{where}: missing joints {missing or '-'}; unknown joints {unknown or '-'}")
    joints = {name: _pt(v, f"{where} joint {name}") for name, v in raw.items()}
    pelvis = _mid(joints["hip_l"], joints["hip_r"])
    lengths = {(a, b): (math.dist(joints[a], joints[b]), ref) for (a, b), ref in _segments(skeleton).items()}
    lengths[("neck", "pelvis")] = (math.dist(joints["neck"], pelvis), skeleton["trunk"])
    for (a, b), (length, ref) in lengths.items():
        if length > ref * STRETCH_TOLERANCE:
            raise PoseError(f"{where}: {a}-{b} is {length:.0f} units long but the body part is {ref:.0f}; "
                            "move the joints closer")
    for limb in pose.get("far", []):
        if limb not in LIMBS:
            raise PoseError(f"{where}: `far` names unknown limb '{limb}' (use {', '.join(LIMBS)})")
    return joints


def _segments(sk: dict) -> dict[tuple[str, str], float]:
    seg = {}
    for s in "lr":
        seg[(f"shoulder_{s}", f"elbow_{s}")] = sk["upper_arm"]
        seg[(f"elbow_{s}", f"hand_{s}")] = sk["forearm"]
        seg[(f"hip_{s}", f"knee_{s}")] = sk["thigh"]
        seg[(f"knee_{s}", f"ankle_{s}")] = sk["shin"]
        seg[(f"ankle_{s}", f"toe_{s}")] = sk["foot"]
    seg[("neck", "head")] = sk["neck_to_head"]
    return seg


def _mid(a, b):
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


def _draw_figure(cv: Canvas, joints: dict, far: set[str], accent: set[str], between=None) -> None:
    """Far limbs, then `between` (a prop such as a ball held between the knees), trunk, near limbs, head."""
    def colour(limb: str) -> str:
        if limb in accent:
            return ACCENT_FAR if limb in far else ACCENT
        return FAR if limb in far else INK

    def limb(name: str) -> None:
        kind = name.split("_")[0]
        cv.path([joints[j] for j in LIMBS[name]], colour(name), WIDTH[kind])

    for name in LIMBS:
        if name in far:
            limb(name)
    if between:
        between()
    trunk_colour = ACCENT if "trunk" in accent else INK
    pelvis = _mid(joints["hip_l"], joints["hip_r"])
    if "spine" in joints:  # a quadratic curve through the spine point
        s = joints["spine"]
        mid = _mid(joints["neck"], pelvis)
        ctrl = (2 * s[0] - mid[0], 2 * s[1] - mid[1])
        cv.curve(joints["neck"], ctrl, pelvis, trunk_colour, WIDTH["trunk"])
    else:
        cv.path([joints["neck"], pelvis], trunk_colour, WIDTH["trunk"])
    cv.path([joints["hip_l"], joints["hip_r"]], trunk_colour, WIDTH["leg"])
    cv.path([joints["shoulder_l"], joints["neck"], joints["shoulder_r"]], INK, WIDTH["arm"])
    for name in LIMBS:
        if name not in far:
            limb(name)
    head, neck = joints["head"], joints["neck"]
    cv.path([neck, head], INK, WIDTH["neck"])
    cv.circle(head, HEAD_R, INK)


def _draw_prop(cv: Canvas, prop: dict, where: str) -> None:
    kind = prop.get("kind")
    if kind == "mat":
        cv.polygon([_pt(p, where) for p in prop["points"]], "#e9ecef")
    elif kind == "box":  # bench, step, chair or wall: [x, y] is the lower left corner
        x, y = _pt(prop["at"], where)
        w, h = _pt(prop["size"], where)
        cv.polygon([(x, y), (x + w, y), (x + w, y + h), (x, y + h)], "#dee2e6", "#868e96", 2)
    elif kind == "bench":  # a plank on two legs, so a limb can pass under it
        x, y = _pt(prop["at"], where)
        w, h = _pt(prop["size"], where)
        for lx in (x + 2, x + w - 6):
            cv.polygon([(lx, y), (lx + 4, y), (lx + 4, y + h - 6), (lx, y + h - 6)], "#ced4da")
        cv.polygon([(x, y + h - 6), (x + w, y + h - 6), (x + w, y + h), (x, y + h)], "#dee2e6", "#868e96", 2)
    elif kind == "ball":
        cv.circle(_pt(prop["at"], where), float(prop.get("r", 12)), "#d0ebff", "#4dabf7", 2.5)
    elif kind == "roller":
        c, r = _pt(prop["at"], where), float(prop.get("r", 7))
        cv.circle(c, r, "#ffe8cc", "#d9480f", 2)
        cv.circle(c, r / 3, "#d9480f")
    elif kind == "band":
        cv.path([_pt(p, where) for p in prop["points"]], "#2f9e44", 3)
    elif kind == "weight":
        cv.circle(_pt(prop["at"], where), float(prop.get("r", 6)), "#495057")
    elif kind == "hold":  # a clock: this position is held
        (x, y), r = _pt(prop["at"], where), 8.0
        cv.circle((x, y), r, "#fff", ARROW, 2.5)
        cv.path([(x, y + r * 0.6), (x, y), (x + r * 0.45, y - r * 0.2)], ARROW, 2)
    else:
        raise PoseError(f"{where}: unknown prop kind {kind!r} (use {', '.join(PROP_KINDS)})")


def _smooth(pts: list[tuple[float, float]], steps: int = 6) -> list[tuple[float, float]]:
    """A Catmull-Rom curve through the points (arrows that bend)."""
    if len(pts) < 3:
        return pts
    out = [pts[0]]
    ext = [pts[0]] + pts + [pts[-1]]
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1], ext[i], ext[i + 1], ext[i + 2]
        for k in range(1, steps + 1):
            t = k / steps
            out.append(tuple(
                0.5 * (2 * p1[d] + (-p0[d] + p2[d]) * t
                       + (2 * p0[d] - 5 * p1[d] + 4 * p2[d] - p3[d]) * t * t
                       + (-p0[d] + 3 * p1[d] - 3 * p2[d] + p3[d]) * t ** 3)
                for d in (0, 1)))
    return out


def _arrow_head(cv: Canvas, tip, before) -> None:
    dx, dy = tip[0] - before[0], tip[1] - before[1]
    n = math.hypot(dx, dy) or 1.0
    ux, uy = dx / n, dy / n
    size = 7.0
    base = (tip[0] - ux * size, tip[1] - uy * size)
    left = (base[0] - uy * size * 0.6, base[1] + ux * size * 0.6)
    right = (base[0] + uy * size * 0.6, base[1] - ux * size * 0.6)
    cv.polygon([tip, left, right], ARROW)


def _draw_arrow(cv: Canvas, arrow: dict, where: str) -> None:
    pts = [_pt(p, where) for p in arrow.get("points", [])]
    if len(pts) < 2:
        raise PoseError(f"{where}: an arrow needs at least two points")
    line = _smooth(pts)
    cv.path(line, ARROW, 2.5)
    _arrow_head(cv, line[-1], line[-2])
    if arrow.get("both"):
        _arrow_head(cv, line[0], line[1])


def render(entry: dict, name: str, skeleton: dict) -> str:
    """The SVG document for one exercise."""
    ex_id = entry["id"]
    poses = entry.get("poses") or []
    if not 1 <= len(poses) <= 2:
        raise PoseError(f"illustration_poses.yaml: '{ex_id}' needs one or two poses, has {len(poses)}")
    accent = set(entry.get("accent", []))
    unknown = accent - set(LIMBS) - {"trunk"}
    if unknown:
        raise PoseError(f"illustration_poses.yaml: '{ex_id}' accent names unknown parts {sorted(unknown)}")
    checked = [(_check_pose(ex_id, i, p, skeleton), set(p.get("far", ["arm_l", "leg_l"])))
               for i, p in enumerate(poses)]
    props = entry.get("props", [])
    for p in props:
        if p.get("layer", "back") not in LAYERS:
            raise PoseError(f"illustration_poses.yaml: '{ex_id}' prop layer must be one of {LAYERS}")

    cv = Canvas()
    cv.open_group('fill="none" stroke-linecap="round" stroke-linejoin="round"')

    def props_in(layer: str) -> None:
        for p in props:
            if p.get("layer", "back") == layer:
                _draw_prop(cv, p, f"illustration_poses.yaml: '{ex_id}' prop {p.get('kind')}")

    props_in("back")
    floor_at = len(cv.parts)
    for k, (joints, far) in enumerate(checked):
        faded = len(checked) == 2 and k == 0
        if faded:
            cv.open_group(f'opacity="{FADED_OPACITY}"')
        _draw_figure(cv, joints, far, accent, None if faded else (lambda: props_in("mid")))
        if faded:
            cv.close_group()
    props_in("front")
    for a in entry.get("arrows", []):
        _draw_arrow(cv, a, f"illustration_poses.yaml: '{ex_id}' arrow")
    if entry.get("floor", True):
        x0, x1 = min(cv.xs) - 4, max(cv.xs) + 4
        cv.parts.insert(floor_at, f'<path d="M{_f(x0)} 0 H{_f(x1)}" stroke="{FLOOR}" stroke-width="3"/>')
        cv.ys += [-1.5, 1.5]
    cv.close_group()

    x0, x1 = min(cv.xs) - MARGIN, max(cv.xs) + MARGIN
    y0, y1 = -max(cv.ys) - MARGIN, -min(cv.ys) + MARGIN
    w, h = x1 - x0, y1 - y0
    title = name.replace("&", "&amp;").replace("<", "&lt;")
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{_f(x0)} {_f(y0)} {_f(w)} {_f(h)}" '
            f'width="{_f(w * 2)}" height="{_f(h * 2)}" role="img" aria-labelledby="t">'
            f'<title id="t">{title}</title>')
    return head + "".join(cv.parts) + "</svg>\n"


def load(data_dir: Path) -> tuple[dict, list[dict], dict[str, str]]:
    poses_doc = yaml.safe_load((data_dir / "illustration_poses.yaml").read_text(encoding="utf-8"))
    exercises = yaml.safe_load((data_dir / "exercises.yaml").read_text(encoding="utf-8"))
    names = {e["id"]: e["name"] for e in exercises}
    entries = poses_doc["illustrations"]
    ids = [e["id"] for e in entries]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    lacking = sorted(set(names) - set(ids))
    extra = sorted(set(ids) - set(names))
    if dupes or lacking or extra:
        raise PoseError("illustration_poses.yaml: " + "; ".join(
            m for m in (f"duplicate ids {dupes}" if dupes else "",
                        f"no poses for exercises {lacking}" if lacking else "",
                        f"poses for unknown exercises {extra}" if extra else "") if m))
    return poses_doc["skeleton"], entries, names


def draw_all(data_dir: Path, out_dir: Path) -> list[Path]:
    skeleton, entries, names = load(data_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for entry in entries:
        path = out_dir / f"{entry['id']}.svg"
        path.write_text(render(entry, names[entry["id"]], skeleton), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA, help="knowledge-base data folder")
    ap.add_argument("--out", type=Path, default=None, help="output folder (default: DATA/illustrations)")
    args = ap.parse_args(argv)
    out = args.out or args.data / "illustrations"
    try:
        written = draw_all(args.data, out)
    except (PoseError, OSError, yaml.YAMLError, KeyError) as exc:
        print(f"draw_exercises: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} illustrations to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
