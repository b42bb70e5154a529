"""Capture-quality gates: each says plainly what limits the analysis and how to film better."""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .keypoints import INDEX, Keypoints
from .thresholds import GaitThresholds


@dataclass
class QualityNote:
    code: str
    level: str  # 'info' | 'warning' | 'error'
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


def runner_height_px(kp: Keypoints) -> float:
    """Median head-to-foot extent of the runner in the picture."""
    top = np.fmin(kp.p("nose")[:, 1], np.fmin(kp.p("l_shoulder")[:, 1], kp.p("r_shoulder")[:, 1]))
    feet = np.stack([kp.p(n)[:, 1] for n in ("l_heel", "r_heel", "l_ankle", "r_ankle", "l_toe", "r_toe")], 1)
    with np.errstate(all="ignore"):
        bottom = np.nanmax(np.where(np.isfinite(feet), feet, -np.inf), axis=1)
    h = bottom - top
    h = h[np.isfinite(h)]
    return float(np.median(h)) if len(h) else float("nan")


class CaptureQuality:
    """Gates on the raw (confidence-gated) keypoints: frame rate, runner size, far-leg occlusion.

    Results: `notes_`, `far_leg_` ('left'/'right' in a side view), `far_leg_seen_fraction_`,
    `runner_height_px_`.
    """

    def __init__(self, thresholds: GaitThresholds):
        self.th = thresholds
        self.notes_: list[QualityNote] = []
        self.far_leg_: str | None = None
        self.far_leg_seen_fraction_ = float("nan")
        self.runner_height_px_ = float("nan")

    def check(self, gated: Keypoints, raw: Keypoints, view: str) -> CaptureQuality:
        th = self.th
        notes = self.notes_
        fps_min = th.value("gait_warn_below_fps")
        if gated.fps < fps_min:
            per_frame = 1000 / gated.fps
            limited = ("contact time and duty factor are not reported"
                       if gated.fps < th.value("gait_contact_time_min_fps") else
                       f"contact time and duty factor are only good to about one frame ({per_frame:.0f} ms)")
            notes.append(QualityNote(
                "low_frame_rate", "warning",
                f"the video is {gated.fps:.0f} frames per second; below {fps_min:.0f} fps {limited}, and the "
                "angles at contact may be taken up to half a frame from the true moment. Film at 60 fps or "
                "more (120 or 240 fps slow motion is better)."))
        if gated.units == "px":
            self.runner_height_px_ = runner_height_px(gated)
            min_h = th.value("gait_min_runner_height_px")
            if np.isfinite(self.runner_height_px_) and self.runner_height_px_ < min_h:
                notes.append(QualityNote(
                    "runner_small", "warning",
                    f"the runner is only about {self.runner_height_px_:.0f} pixels tall (under {min_h:.0f}); "
                    "small keypoint errors become large angle errors. Move the camera closer or film in a "
                    "higher resolution."))
        if view == "side":
            self._far_leg(gated, raw)
        return self

    def _far_leg(self, gated: Keypoints, raw: Keypoints) -> None:
        def seen(kp, s):
            return float(np.mean([kp.seen_fraction(f"{s}_{j}") for j in ("ankle", "heel", "toe")]))

        def conf(s):
            c = raw.conf[:, _indices(s)]
            return float(np.nanmean(c)) if np.isfinite(c).any() else seen(gated, s)

        far = "l" if conf("l") < conf("r") else "r"
        self.far_leg_ = "left" if far == "l" else "right"
        self.far_leg_seen_fraction_ = seen(gated, far)
        need = self.th.value("gait_far_leg_min_seen_fraction")
        if self.far_leg_seen_fraction_ < need:
            hidden = 100 * (1 - self.far_leg_seen_fraction_)
            self.notes_.append(QualityNote(
                "far_leg_hidden", "warning",
                f"the far ({self.far_leg_}) foot was hidden or unsure in {hidden:.0f}% of frames; its contacts "
                "and angles are partly filled in and less certain. Film with nothing between the camera and "
                "the runner, from hip height, square to the treadmill."))


def _indices(s: str) -> list[int]:
    return [INDEX[f"{s}_{j}"] for j in ("ankle", "heel", "toe")]


def rear_foot_drift(kp: Keypoints, steps, period: float) -> float:
    """How far the stance foot drifts sideways per unit of downward travel in a rear view (a treadmill belt
    carries it straight towards a camera that is square behind the runner). Perspective pushes the two
    feet apart equally, so the side-to-side part common to both feet is what a turned camera adds."""
    drifts = []
    for st in steps:
        s = st.foot[0]
        a = kp.p(f"{s}_ankle")
        lo, hi = int(np.ceil(st.ic - 0.3 * period)), int(np.floor(st.ic + 0.3 * period))
        if lo < 0 or hi >= kp.n_frames or hi - lo < 2:
            continue
        dx, dy = a[hi, 0] - a[lo, 0], a[hi, 1] - a[lo, 1]
        if np.isfinite(dx) and np.isfinite(dy) and abs(dy) > 1e-6:
            drifts.append(dx / abs(dy))
    return float(np.median(drifts)) if len(drifts) >= 4 else float("nan")
