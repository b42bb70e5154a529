"""Keypoints made elsewhere: OpenPose BODY_25 JSON folders, Sports2D/Pose2Sim TRC, GaitLab pose JSON,
and hipcheck's own keypoint JSON (documented in docs/gait-metrics.md, written by `gait analyze`)."""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np

from ..errors import InputError
from .keypoints import INDEX, KEYPOINTS, Keypoints, empty

SCHEMA = "hipcheck.keypoints/v1"

# OpenPose BODY_25 index -> our name (OpenPose's "BigToe" is our toe).
BODY_25 = {0: "nose", 2: "r_shoulder", 3: "r_elbow", 4: "r_wrist", 5: "l_shoulder", 6: "l_elbow",
           7: "l_wrist", 9: "r_hip", 10: "r_knee", 11: "r_ankle", 12: "l_hip", 13: "l_knee",
           14: "l_ankle", 17: "r_ear", 18: "l_ear", 19: "l_toe", 21: "l_heel", 22: "r_toe", 24: "r_heel"}

# Marker / keypoint names used by Sports2D, Pose2Sim (HALPE_26, COCO, BODY_25 in TRC) and GaitLab.
_ALIASES = {
    "nose": "nose", "lear": "l_ear", "rear": "r_ear",
    "lshoulder": "l_shoulder", "rshoulder": "r_shoulder", "lelbow": "l_elbow", "relbow": "r_elbow",
    "lwrist": "l_wrist", "rwrist": "r_wrist", "lhip": "l_hip", "rhip": "r_hip", "lknee": "l_knee",
    "rknee": "r_knee", "lankle": "l_ankle", "rankle": "r_ankle", "lheel": "l_heel", "rheel": "r_heel",
    "lbigtoe": "l_toe", "rbigtoe": "r_toe", "ltoe": "l_toe", "rtoe": "r_toe",
    "lfootindex": "l_toe", "rfootindex": "r_toe",
}


def canonical_name(raw: str) -> str | None:
    """Our keypoint name for a marker name such as 'RBigToe', 'l_big_toe' or 'left_heel'."""
    key = raw.strip().lower().replace("left", "l").replace("right", "r")
    key = re.sub(r"[^a-z]", "", key)
    return _ALIASES.get(key)


def read_keypoints(path: str | Path, fps: float | None = None) -> Keypoints:
    """Read keypoints from any supported format, chosen from the path and its content."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"keypoint file {path} does not exist")
    if path.is_dir():
        return read_openpose_dir(path, fps)
    suffix = path.suffix.lower()
    if suffix == ".trc":
        return read_trc(path, fps)
    if suffix != ".json":
        raise InputError(f"{path}: keypoints must be a .json file, a .trc file or a folder of OpenPose "
                         "JSON files (one per frame)")
    doc = _load_json(path)
    if isinstance(doc, dict) and doc.get("schema") == SCHEMA:
        return read_hipcheck_json(path, doc, fps)
    if isinstance(doc, dict) and "keypoint_names" in doc and "frames" in doc:
        return read_named_frames_json(path, doc, fps)
    if isinstance(doc, dict) and "people" in doc:
        raise InputError(f"{path} is a single OpenPose frame: pass the folder holding one file per frame")
    raise InputError(f"{path}: not a keypoint file hipcheck knows (expected schema '{SCHEMA}', a GaitLab "
                     "pose file with 'keypoint_names' and 'frames', a TRC file or an OpenPose folder)")


def _load_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text: is it really a JSON keypoint file?") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None


def _fps(path: Path, from_file, given: float | None) -> float:
    fps = given if given else from_file
    try:
        fps = float(fps)
    except (TypeError, ValueError):
        fps = float("nan")
    if not math.isfinite(fps) or fps <= 0:
        raise InputError(f"{path}: the frame rate is not in the file; give it with --fps (e.g. --fps 60)")
    return fps


def _point(p, path: Path, where: str) -> tuple[float, float, float]:
    if p is None:
        return (math.nan, math.nan, math.nan)
    if not isinstance(p, (list, tuple)) or len(p) < 2:
        raise InputError(f"{path}: {where} must be [x, y] or [x, y, confidence], got {p!r}")
    try:
        x, y = float(p[0]), float(p[1])
        c = float(p[2]) if len(p) > 2 and p[2] is not None else math.nan
    except (TypeError, ValueError):
        raise InputError(f"{path}: {where} has a value that is not a number: {p!r}") from None
    return (x, y, c)


def read_named_frames_json(path: Path, doc: dict, fps: float | None = None) -> Keypoints:
    """GaitLab's pose JSON (gaitlab.pose/v1, e.g. RTMPose-Halpe26): named keypoints, [x, y, conf] per frame."""
    names = doc.get("keypoint_names")
    frames = doc.get("frames")
    if not isinstance(names, list) or not isinstance(frames, list):
        raise InputError(f"{path}: 'keypoint_names' and 'frames' must be lists")
    mapping = {j: canonical_name(str(n)) for j, n in enumerate(names)}
    xy, conf = empty(len(frames))
    for t, frame in enumerate(frames):
        if frame is None:
            continue
        if not isinstance(frame, list) or len(frame) != len(names):
            raise InputError(f"{path}: frame {t} has {len(frame) if isinstance(frame, list) else 'no'} "
                             f"points, expected {len(names)} (one per keypoint name)")
        for j, p in enumerate(frame):
            name = mapping[j]
            if name is None:
                continue
            x, y, c = _point(p, path, f"frame {t} point '{names[j]}'")
            xy[t, INDEX[name]] = (x, y)
            conf[t, INDEX[name]] = c
    return Keypoints(xy, conf, _fps(path, doc.get("fps"), fps), _int(doc.get("width")), _int(doc.get("height")),
                     source=str(doc.get("source") or doc.get("schema") or "pose json"),
                     meta={"view_hint": doc.get("view"), "file": str(path)})


def _int(v) -> int | None:
    try:
        return int(v) if v is not None else None
    except (TypeError, ValueError):
        return None


def read_hipcheck_json(path: Path, doc: dict, fps: float | None = None) -> Keypoints:
    """hipcheck's own keypoint JSON (see `write_keypoints`)."""
    names = doc.get("keypoints")
    if not isinstance(names, list) or any(canonical_name(str(n)) is None and n not in INDEX for n in names):
        raise InputError(f"{path}: 'keypoints' must list names from: {', '.join(KEYPOINTS)}")
    kp = read_named_frames_json(path, {**doc, "keypoint_names": [str(n) for n in names]}, fps)
    kp.units = str(doc.get("units") or "px")
    return kp


def write_keypoints(kp: Keypoints, path: str | Path) -> Path:
    """Write hipcheck's keypoint JSON: pixels, origin top-left, y down; null for an unseen point."""
    path = Path(path)
    frames = []
    for t in range(kp.n_frames):
        row = []
        for j in range(len(KEYPOINTS)):
            x, y = kp.xy[t, j]
            c = kp.conf[t, j]
            row.append(None if not (np.isfinite(x) and np.isfinite(y))
                       else [round(float(x), 2), round(float(y), 2),
                             round(float(c), 3) if np.isfinite(c) else None])
        frames.append(row)
    doc = {"schema": SCHEMA, "source": kp.source, "units": kp.units, "fps": kp.fps, "width": kp.width,
           "height": kp.height, "keypoints": list(KEYPOINTS), "frames": frames}
    path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    return path


# -- OpenPose -------------------------------------------------------------------------------------------
def _frame_number(p: Path) -> tuple[int, str]:
    nums = re.findall(r"\d+", p.stem)
    return (int(nums[-1]) if nums else -1, p.name)


def read_openpose_dir(folder: Path, fps: float | None = None) -> Keypoints:
    """OpenPose BODY_25 output: one JSON file per frame. With several people, follow the one nearest the
    runner chosen in the first frame (the largest)."""
    files = sorted(folder.glob("*.json"), key=_frame_number)
    if not files:
        raise InputError(f"{folder}: no .json files; an OpenPose folder holds one *_keypoints.json per frame")
    fps = _fps(folder, None, fps)
    xy, conf = empty(len(files))
    prev_centre = None
    for t, f in enumerate(files):
        doc = _load_json(f)
        people = doc.get("people") if isinstance(doc, dict) else None
        if people is None:
            raise InputError(f"{f}: not an OpenPose frame (no 'people' list)")
        persons = []
        for person in people:
            flat = person.get("pose_keypoints_2d") or []
            if len(flat) != 75:
                raise InputError(f"{f}: pose_keypoints_2d has {len(flat)} values; hipcheck reads the BODY_25 "
                                 "model (75 values: x, y, score for 25 points)")
            arr = np.asarray(flat, float).reshape(25, 3)
            arr[arr[:, 2] <= 0] = np.nan  # OpenPose writes 0, 0, 0 for a point it did not find
            persons.append(arr)
        if not persons:
            continue
        pick = _pick_person(persons, prev_centre)
        arr = persons[pick]
        for j, name in BODY_25.items():
            xy[t, INDEX[name]] = arr[j, :2]
            conf[t, INDEX[name]] = arr[j, 2]
        centre = np.nanmean(arr[:, :2], axis=0)
        if np.all(np.isfinite(centre)):
            prev_centre = centre
    return Keypoints(xy, conf, fps, None, None, source="openpose-body25", meta={"file": str(folder)})


def _pick_person(persons: list[np.ndarray], prev_centre) -> int:
    def size(a):
        pts = a[np.isfinite(a[:, 0]), :2]
        return float(np.ptp(pts[:, 1]) + np.ptp(pts[:, 0])) if len(pts) > 1 else 0.0

    if prev_centre is None:
        return int(np.argmax([size(a) for a in persons]))
    dist = [float(np.linalg.norm(np.nanmean(a[:, :2], axis=0) - prev_centre)) for a in persons]
    dist = [d if math.isfinite(d) else math.inf for d in dist]
    return int(np.argmin(dist))


# -- TRC (Sports2D, Pose2Sim, OpenSim) --------------------------------------------------------------------
def read_trc(path: Path, fps: float | None = None) -> Keypoints:
    """A TRC marker file. Sports2D's `_px.trc` holds image pixels (y down, Z = 0); a metric TRC (Sports2D
    `_m.trc`, Pose2Sim) has Y up, so it is turned into image-like coordinates (y down) in metres, using
    X (forward) and Y (up): a sagittal projection."""
    try:
        lines = path.read_text(encoding="utf-8", errors="strict").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a text TRC file") from None
    if len(lines) < 6 or not lines[0].startswith("PathFileType"):
        raise InputError(f"{path}: not a TRC file (the first line must start with 'PathFileType')")
    keys, vals = lines[1].split("\t"), lines[2].split("\t")
    header = dict(zip((k.strip() for k in keys), (v.strip() for v in vals)))
    names = [n.strip() for n in lines[3].split("\t")[2:] if n.strip()]
    rows = []
    for k, line in enumerate(lines[5:], start=6):
        if not line.strip():
            continue
        cells = line.split("\t")
        try:
            rows.append([float(c) if c.strip() not in ("", "nan", "NaN") else math.nan for c in cells])
        except ValueError:
            raise InputError(f"{path}: line {k} has a value that is not a number") from None
    if not rows:
        raise InputError(f"{path}: the TRC file has a header but no frames")
    width = 2 + 3 * len(names)
    data = np.full((len(rows), width), np.nan)
    for i, r in enumerate(rows):
        data[i, :min(width, len(r))] = r[:width]
    units = header.get("Units", "").lower()
    pixels = "px" in path.stem.lower() or units in ("px", "pixel", "pixels") or np.nanmax(np.abs(data[:, 2:])) > 50
    xy, conf = empty(len(rows))
    for j, raw in enumerate(names):
        name = canonical_name(raw)
        if name is None:
            continue
        x, y = data[:, 2 + 3 * j], data[:, 3 + 3 * j]
        xy[:, INDEX[name], 0] = x
        xy[:, INDEX[name], 1] = y if pixels else -y
        conf[:, INDEX[name]] = np.where(np.isfinite(x) & np.isfinite(y), 1.0, np.nan)
    rate = header.get("DataRate") or header.get("CameraRate")
    return Keypoints(xy, conf, _fps(path, rate, fps), None, None, source="trc",
                     units="px" if pixels else (units or "m"), meta={"file": str(path)})
