"""Camera roll: how far the picture is turned about the lens axis. Every frontal-plane angle (pelvic drop,
shoulder tilt) and the side-view segment angles shift one-for-one with it, so it is measured and removed.

Sign: positive when a level line runs down to the right in the picture. Correcting turns the points back
by the same angle.
"""
from __future__ import annotations

import numpy as np

from .geometry import robust_line_slope, rotate
from .keypoints import Keypoints


def correct_roll(kp: Keypoints, roll_deg: float) -> Keypoints:
    """The keypoints turned so that a level line is level again (about the picture centre)."""
    if not np.isfinite(roll_deg) or roll_deg == 0:
        return kp.copy()
    centre = ((kp.width or np.nanmax(kp.xy[..., 0])) / 2, (kp.height or np.nanmax(kp.xy[..., 1])) / 2)
    out = kp.copy()
    out.xy = rotate(kp.xy, -roll_deg, centre)
    return out


class RunnerRoll:
    """Roll from the runner: the ground the feet stand on is level.

    Side view: the lowest foot point of each frame traces the running surface while a foot is down; a
    robust line through those contact points (refined to the ones on the lowest line) gives the tilt.
    Rear view: the trunk averaged over whole strides is vertical. Results: `roll_deg_`, `points_`.
    """

    def __init__(self, ground_tolerance_leg: float = 0.03):
        self.ground_tolerance_leg = ground_tolerance_leg
        self.roll_deg_ = float("nan")
        self.points_ = 0

    def estimate(self, kp: Keypoints, view: str, leg_px: float) -> RunnerRoll:
        if view == "side":
            self.roll_deg_ = self._side(kp, leg_px)
        else:
            self.roll_deg_ = self._frontal(kp)
        return self

    def _side(self, kp: Keypoints, leg_px: float) -> float:
        pts = np.stack([kp.p(f"{s}_{j}") for s in ("l", "r") for j in ("heel", "toe")], axis=1)  # (T, 4, 2)
        y = np.where(np.isfinite(pts[..., 1]), pts[..., 1], -np.inf)
        best = np.argmax(y, axis=1)
        low = pts[np.arange(kp.n_frames), best]
        low = low[np.isfinite(low).all(axis=1)]
        if len(low) < 6 or np.ptp(low[:, 0]) < 0.2 * leg_px:
            return float("nan")
        x, yy = low[:, 0], low[:, 1]
        keep = yy >= np.percentile(yy, 60)
        slope = robust_line_slope(x[keep], yy[keep])
        for _ in range(3):
            if not np.isfinite(slope):
                return float("nan")
            icpt = np.median(yy[keep] - slope * x[keep])
            resid = yy - (icpt + slope * x)
            # at or below the line (image y down) within tolerance: the feet on the ground
            keep = resid >= -self.ground_tolerance_leg * leg_px
            if keep.sum() < 4:
                break
            slope = robust_line_slope(x[keep], yy[keep])
        self.points_ = int(keep.sum())
        return float(np.degrees(np.arctan(slope)))

    def _frontal(self, kp: Keypoints) -> float:
        """The trunk (pelvis centre to shoulder centre) averaged over whole strides stands vertical: leaning
        over the left and the right stance leg cancels. The line between the feet is too short (a few
        centimetres of different foot placement tilt it by degrees)."""
        d = kp.mid("shoulder") - kp.mid("hip")
        ok = np.isfinite(d).all(axis=1)
        if ok.sum() < 10:
            return float("nan")
        self.points_ = int(ok.sum())
        mean = d[ok].mean(axis=0)
        return float(np.degrees(np.arctan2(mean[0], -mean[1])))


def feet_line_roll(kp: Keypoints, t: int = 0) -> float:
    """Roll from a standing photo's feet: both stand on the same floor, side by side (ankle and heel of
    each foot averaged). NaN when a foot is missing."""
    feet = []
    for s in ("l", "r"):
        pts = np.array([kp.p(f"{s}_{j}")[t] for j in ("ankle", "heel")])
        pts = pts[np.isfinite(pts).all(axis=1)]
        if not len(pts):
            return float("nan")
        feet.append(pts.mean(axis=0))
    a, b = sorted(feet, key=lambda p: p[0])
    if b[0] - a[0] <= 0:
        return float("nan")
    return float(np.degrees(np.arctan2(b[1] - a[1], b[0] - a[0])))


class VanishingRoll:
    """Roll from near-vertical straight edges of the scene (door frames, posts, wall corners).

    Under camera pitch, verticals converge on one vanishing point, so edges away from the centre lean
    even in a level picture. The vanishing point is found robustly (pairs of edges, kept when most other
    edges point at it) and the roll is the lean of the true vertical at `reference` (the runner's
    pelvis). Results: `roll_deg_` (NaN when too few edges agree), `inliers_`, `edges_`.
    """

    def __init__(self, inlier_deg: float = 0.75, min_inliers: int = 3, max_pairs: int = 400, seed: int = 0,
                 min_vp_distance: float = 0.0):
        self.inlier_deg = inlier_deg
        self.min_vp_distance = min_vp_distance
        self.min_inliers = min_inliers
        self.max_pairs = max_pairs
        self.seed = seed
        self.roll_deg_ = float("nan")
        self.inliers_ = 0
        self.edges_ = 0
        self.vanishing_point_: np.ndarray | None = None

    def estimate(self, segments: np.ndarray, reference: tuple[float, float]) -> VanishingRoll:
        seg = np.asarray(segments, float).reshape(-1, 4)
        self.edges_ = len(seg)
        if len(seg) < self.min_inliers:
            return self
        p1 = np.c_[seg[:, :2], np.ones(len(seg))]
        p2 = np.c_[seg[:, 2:], np.ones(len(seg))]
        lines = np.cross(p1, p2)
        lines /= np.linalg.norm(lines[:, :2], axis=1, keepdims=True)
        mid = (seg[:, :2] + seg[:, 2:]) / 2
        direction = seg[:, 2:] - seg[:, :2]
        length = np.linalg.norm(direction, axis=1)
        pairs = [(i, j) for i in range(len(seg)) for j in range(i + 1, len(seg))]
        if len(pairs) > self.max_pairs:
            pick = np.random.default_rng(self.seed).choice(len(pairs), self.max_pairs, replace=False)
            pairs = [pairs[k] for k in pick]
        best, best_score = None, -1.0
        for i, j in pairs:
            vp = np.cross(lines[i], lines[j])
            if not self._far(vp, reference):
                continue
            inl = self._inliers(vp, mid, direction)
            score = float(length[inl].sum())
            if score > best_score:
                best, best_score = inl, score
        if best is None or best.sum() < self.min_inliers:
            return self
        w = length[best][:, None]
        _, _, vt = np.linalg.svd(lines[best] * w)
        vp = vt[-1]
        if not self._far(vp, reference):
            return self
        self.inliers_ = int(self._inliers(vp, mid, direction).sum())
        if self.inliers_ < self.min_inliers:
            return self
        self.vanishing_point_ = vp
        d = vp[:2] - np.asarray(reference, float) * vp[2]
        if d[1] > 0:
            d = -d
        self.roll_deg_ = float(np.degrees(np.arctan2(d[0], -d[1])))
        return self

    def _far(self, vp: np.ndarray, reference) -> bool:
        """Verticals meet far outside the picture (a near vanishing point means the edges are not verticals)."""
        if abs(vp[2]) < 1e-12:
            return True
        return float(np.linalg.norm(vp[:2] / vp[2] - np.asarray(reference, float))) >= self.min_vp_distance

    def _inliers(self, vp: np.ndarray, mid: np.ndarray, direction: np.ndarray) -> np.ndarray:
        to_vp = vp[:2][None, :] - mid * vp[2]
        cross = direction[:, 0] * to_vp[:, 1] - direction[:, 1] * to_vp[:, 0]
        dot = (direction * to_vp).sum(axis=1)
        ang = np.degrees(np.abs(np.arctan2(cross, dot)))
        ang = np.minimum(ang, 180 - ang)
        return ang < self.inlier_deg


def scene_edges(images: list[np.ndarray], person_boxes: list[tuple[int, int, int, int] | None],
                max_tilt_deg: float = 12.0, min_length_frac: float = 0.1) -> np.ndarray:
    """Long near-vertical straight edges (x1, y1, x2, y2) in the pictures, the runner masked out."""
    import cv2

    out = []
    for image, box in zip(images, person_boxes):
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
        h, w = gray.shape
        edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 50, 150)
        if box is not None:
            x0, y0, x1, y1 = box
            edges[max(0, y0):max(0, y1), max(0, x0):max(0, x1)] = 0
        lines = cv2.HoughLinesP(edges, 1, np.pi / 720, threshold=60,
                                minLineLength=min_length_frac * min(h, w), maxLineGap=8)
        if lines is None:
            continue
        for x1_, y1_, x2_, y2_ in lines[:, 0].astype(float):
            tilt = np.degrees(np.arctan2(abs(x2_ - x1_), abs(y2_ - y1_)))
            if tilt <= max_tilt_deg:
                out.append((x1_, y1_, x2_, y2_))
    seg = np.asarray(out, float).reshape(-1, 4)
    # a static scene gives the same edge in every frame: count it once
    _, keep = np.unique(np.round(seg / 4), axis=0, return_index=True)
    return seg[np.sort(keep)]


def person_box(kp: Keypoints, t: int, margin: float = 0.15) -> tuple[int, int, int, int] | None:
    pts = kp.xy[t][np.isfinite(kp.xy[t]).all(axis=1)]
    if len(pts) < 3:
        return None
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    mx, my = (x1 - x0) * margin + 10, (y1 - y0) * margin + 10
    return int(x0 - mx), int(y0 - my * 2), int(x1 + mx), int(y1 + my)
