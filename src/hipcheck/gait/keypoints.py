"""The keypoint series every pose backend and importer produces, in one fixed vocabulary.

Coordinates are image pixels (origin top-left, x right, y down) unless `units` says otherwise; a point
that was not seen is NaN. Confidence is the backend's own score (MediaPipe visibility, OpenPose and
RTMPose scores), kept only to gate low-confidence points.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import InputError

KEYPOINTS: tuple[str, ...] = (
    "nose", "l_ear", "r_ear",
    "l_shoulder", "r_shoulder", "l_elbow", "r_elbow", "l_wrist", "r_wrist",
    "l_hip", "r_hip", "l_knee", "r_knee", "l_ankle", "r_ankle",
    "l_heel", "r_heel", "l_toe", "r_toe",
)
INDEX = {name: i for i, name in enumerate(KEYPOINTS)}
SIDES = ("left", "right")
PREFIX = {"left": "l_", "right": "r_"}
# The points that move together when a pose model confuses the two legs.
LEG_JOINTS = ("knee", "ankle", "heel", "toe")
# Needed for any gait analysis.
REQUIRED = ("l_hip", "r_hip", "l_knee", "r_knee", "l_ankle", "r_ankle")


@dataclass
class Keypoints:
    """A (frames x keypoints x 2) track of one runner, with confidences and timing."""
    xy: np.ndarray  # float (T, K, 2)
    conf: np.ndarray  # float (T, K); NaN where the source gives none
    fps: float
    width: int | None = None
    height: int | None = None
    source: str = "unknown"
    units: str = "px"
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        self.xy = np.asarray(self.xy, dtype=float)
        self.conf = np.asarray(self.conf, dtype=float)
        if self.xy.ndim != 3 or self.xy.shape[1:] != (len(KEYPOINTS), 2):
            raise ValueError(f"keypoints must be (frames, {len(KEYPOINTS)}, 2), got {self.xy.shape}")
        if self.conf.shape != self.xy.shape[:2]:
            raise ValueError("confidence must be (frames, keypoints)")
        if not (self.fps and np.isfinite(self.fps) and self.fps > 0):
            raise InputError(f"frame rate {self.fps!r} is not a positive number: give it with --fps")

    @property
    def n_frames(self) -> int:
        return int(self.xy.shape[0])

    @property
    def duration_s(self) -> float:
        return self.n_frames / self.fps

    def p(self, name: str) -> np.ndarray:
        """One point's (T, 2) track (a view, not a copy)."""
        return self.xy[:, INDEX[name]]

    def side(self, side: str, joint: str) -> np.ndarray:
        return self.p(PREFIX[side] + joint)

    def mid(self, joint: str) -> np.ndarray:
        """Midpoint of the left and right point (NaN where either is missing)."""
        return (self.p("l_" + joint) + self.p("r_" + joint)) / 2.0

    def copy(self, **changes) -> Keypoints:
        out = replace(self, xy=self.xy.copy(), conf=self.conf.copy(), meta=dict(self.meta))
        for k, v in changes.items():
            setattr(out, k, v)
        return out

    def seen_fraction(self, name: str) -> float:
        return float(np.mean(np.isfinite(self.p(name)[:, 0]))) if self.n_frames else 0.0

    def check_usable(self, where: str) -> None:
        """Raise a clear error when the legs were never found (wrong file, no person in view)."""
        if self.n_frames < 2:
            raise InputError(f"{where}: only {self.n_frames} frame(s) of keypoints; a gait analysis needs "
                             "a video of several strides")
        missing = [n for n in REQUIRED if self.seen_fraction(n) < 0.2]
        if missing:
            raise InputError(f"{where}: the runner's {', '.join(missing)} were found in under 20% of the "
                             "frames; film the whole body, hips to feet, in good light")


def empty(n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """NaN arrays to fill, shaped for `Keypoints`."""
    return (np.full((n_frames, len(KEYPOINTS), 2), np.nan), np.full((n_frames, len(KEYPOINTS)), np.nan))
