"""Which way the camera looks at the runner (side or rear) and which way a side-view runner faces."""
from __future__ import annotations

import numpy as np

from .keypoints import Keypoints

# A side view sees the hips and shoulders nearly on top of each other; a rear view sees them side by
# side (shoulder width is about 0.7 and hip width 0.4 of the torso length). Half-way between the two
# ratios separates the views; the feet's fore-aft travel breaks a tie.
FRONTAL_WIDTH_RATIO = 0.3


class ViewDetector:
    """Detect the view from body proportions and the direction of running from the feet.

    Results: `view_` ('side' or 'rear'), `direction_` (+1 runner faces image right, -1 left; 0 in rear
    view), `width_ratio_`, `foot_travel_ratio_` and `evidence_` (a sentence for the report).
    """

    def __init__(self, frontal_width_ratio: float = FRONTAL_WIDTH_RATIO):
        self.frontal_width_ratio = frontal_width_ratio
        self.view_: str | None = None
        self.direction_: int = 0
        self.width_ratio_ = float("nan")
        self.foot_travel_ratio_ = float("nan")
        self.evidence_ = ""

    def detect(self, kp: Keypoints, view: str | None = None) -> ViewDetector:
        torso = np.linalg.norm(kp.mid("shoulder") - kp.mid("hip"), axis=1)
        widths = (np.abs(kp.p("l_hip")[:, 0] - kp.p("r_hip")[:, 0])
                  + np.abs(kp.p("l_shoulder")[:, 0] - kp.p("r_shoulder")[:, 0])) / 2
        self.width_ratio_ = float(np.nanmedian(widths / torso)) if np.isfinite(widths / torso).any() else np.nan
        leg = np.nanmedian(np.linalg.norm(kp.mid("hip") - kp.mid("ankle"), axis=1))
        rel = np.concatenate([kp.p("l_ankle")[:, 0] - kp.mid("hip")[:, 0],
                              kp.p("r_ankle")[:, 0] - kp.mid("hip")[:, 0]])
        rel = rel[np.isfinite(rel)]
        self.foot_travel_ratio_ = float(np.subtract(*np.percentile(rel, [95, 5])) / leg) if len(rel) > 4 else np.nan
        if view is None:
            if np.isfinite(self.width_ratio_):
                frontal = self.width_ratio_ > self.frontal_width_ratio
            else:
                frontal = not (self.foot_travel_ratio_ > 0.5)
            self.view_ = "rear" if frontal else "side"
            self.evidence_ = (f"detected a {self.view_} view: shoulder and hip width {self.width_ratio_:.2f} of "
                              f"the torso length, feet travel {self.foot_travel_ratio_:.2f} leg lengths fore-aft")
            if frontal:
                self.evidence_ += ("; taken as filmed from behind (the runner's left on the left): for a video "
                                   "of the runner coming towards the camera, give the view as front, or left "
                                   "and right are swapped")
        else:
            self.view_ = view
            self.evidence_ = f"view given as {view}"
        self.direction_ = self._direction(kp) if self.view_ == "side" else 0
        return self

    @staticmethod
    def _direction(kp: Keypoints) -> int:
        """+1 when the runner faces image right. Toes lie ahead of heels; the nose lies ahead of the ears;
        over ground the pelvis moves forward."""
        votes = []
        for side in ("l", "r"):
            d = kp.p(f"{side}_toe")[:, 0] - kp.p(f"{side}_heel")[:, 0]
            d = d[np.isfinite(d)]
            if len(d):
                votes.append(np.sign(np.median(d)) * min(1.0, len(d) / max(kp.n_frames, 1)) * 2)
        face = kp.p("nose")[:, 0] - kp.mid("ear")[:, 0]
        face = face[np.isfinite(face)]
        if len(face):
            votes.append(np.sign(np.median(face)))
        hip_x = kp.mid("hip")[:, 0]
        ok = np.isfinite(hip_x)
        if ok.sum() > 2:
            leg = np.nanmedian(np.linalg.norm(kp.mid("hip") - kp.mid("ankle"), axis=1))
            travel = hip_x[ok][-1] - hip_x[ok][0]
            if abs(travel) > leg:  # over ground: the runner crosses the frame
                votes.append(3 * np.sign(travel))
        total = float(np.sum(votes)) if votes else 0.0
        return 1 if total >= 0 else -1
