"""Standing posture from one front or back photo: pelvic tilt, shoulder tilt, lateral trunk shift and an
apparent leg-length flag, after the camera's roll is removed.

Sign convention (anatomical, whichever way the runner faces): a tilt is positive when the runner's right
side is lower, so a standing pelvic tilt can be subtracted from the running pelvis (rear view).
"""
from __future__ import annotations

import numpy as np

from ..errors import InputError
from .clean import swap_sides
from .geometry import flexion_deg, line_tilt_deg
from .keypoints import INDEX, Keypoints
from .metrics import frontal_angles
from .thresholds import GaitThresholds


def relabel_by_facing(kp: Keypoints, facing: str) -> Keypoints:
    """Set left/right from the picture: seen from the back the runner's left is on the image left, seen
    from the front it is on the image right."""
    out = kp.copy()
    for j in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "toe", "ear"):
        lx, rx = out.xy[:, INDEX[f"l_{j}"], 0], out.xy[:, INDEX[f"r_{j}"], 0]
        swap_sides(out, (lx > rx) if facing == "back" else (lx < rx), (j,))
    return out


class PostureAnalyzer:
    """Measure a standing photo's keypoints (already roll-corrected). Parameters: thresholds, `facing`
    ('front', 'back' or None to trust the pose model's labels). Results: `metrics_`, `facing_`."""

    def __init__(self, thresholds: GaitThresholds, facing: str | None = None):
        self.th = thresholds
        self.facing = facing
        self.metrics_: dict = {}
        self.facing_: str | None = None

    def analyze(self, kp: Keypoints) -> PostureAnalyzer:
        needed = ("l_hip", "r_hip", "l_shoulder", "r_shoulder", "l_knee", "r_knee", "l_ankle", "r_ankle")
        missing = [n for n in needed if not np.isfinite(kp.p(n)[0]).all()]
        if missing:
            raise InputError(f"the photo does not show the runner's {', '.join(missing)}: stand facing or with "
                             "your back to the camera, whole body in the picture, feet hip-width apart")
        if self.facing:
            kp = relabel_by_facing(kp, self.facing)
            self.facing_ = self.facing
        else:  # the model's own labels: the runner's left on the image right means they face the camera
            self.facing_ = "front" if kp.p("l_hip")[0, 0] > kp.p("r_hip")[0, 0] else "back"
        # image tilt is + when the image-right end is lower; anatomical right is image right from behind
        to_anat = 1.0 if self.facing_ == "back" else -1.0
        p = {n: kp.p(n)[0] for n in needed}

        def tilt(joint: str) -> float:
            return to_anat * float(line_tilt_deg(p[f"l_{joint}"], p[f"r_{joint}"]))

        pelvic, shoulder = tilt("hip"), tilt("shoulder")
        hip_mid, sh_mid = (p["l_hip"] + p["r_hip"]) / 2, (p["l_shoulder"] + p["r_shoulder"]) / 2
        hip_width = float(np.linalg.norm(p["r_hip"] - p["l_hip"]))
        # + towards the runner's right: image +x from behind, image -x from the front
        shift_x = to_anat * float(sh_mid[0] - hip_mid[0])
        trunk_deg = float(np.degrees(np.arctan2(shift_x, hip_mid[1] - sh_mid[1])))
        knees = {s: float(flexion_deg(p[f"{s[0]}_hip"], p[f"{s[0]}_knee"], p[f"{s[0]}_ankle"]))
                 for s in ("left", "right")}
        legs = {s: float(np.linalg.norm(p[f"{s[0]}_hip"] - p[f"{s[0]}_knee"])
                         + np.linalg.norm(p[f"{s[0]}_knee"] - p[f"{s[0]}_ankle"])) for s in ("left", "right")}
        frontal = frontal_angles(kp, left_medial=1.0 if self.facing_ == "back" else -1.0)
        hip_add = {s: round(float(frontal[f"{s}_hip_adduction"][0]), 2) for s in ("left", "right")}
        straight = max(knees.values()) <= self.th.value("posture_straight_knee_max_deg")
        beyond = abs(pelvic) > self.th.value("posture_tilt_sdd_deg")
        self.metrics_ = {
            "facing": self.facing_,
            "pelvic_tilt_deg": round(pelvic, 2),
            "pelvis_lower_side": "right" if pelvic > 0 else "left",
            "shoulder_tilt_deg": round(shoulder, 2),
            "shoulder_lower_side": "right" if shoulder > 0 else "left",
            "trunk_shift_deg": round(trunk_deg, 2),
            "trunk_shift_pct_hip_width": round(100 * shift_x / hip_width, 1) if hip_width > 0 else None,
            "trunk_shift_side": "right" if shift_x > 0 else "left",
            "knee_flexion_deg": {s: round(v, 1) for s, v in knees.items()},
            "hip_adduction_deg": hip_add,
            "apparent_leg_length_px": {s: round(v, 1) for s, v in legs.items()},
            "apparent_leg_length_diff_pct": round(100 * (legs["left"] - legs["right"])
                                                  / max(legs.values()), 2),
            "knees_straight": bool(straight),
            "leg_length_flag": bool(straight and beyond),
        }
        return self
