"""Plane geometry on keypoint tracks: angles in degrees, rotations, sub-frame sampling."""
from __future__ import annotations

import numpy as np


def angle_to_vertical_deg(top: np.ndarray, bottom: np.ndarray, forward_sign: float = 1.0) -> np.ndarray:
    """Angle of the segment bottom->top against the image vertical, positive when `top` lies ahead.

    Points are image coordinates (y down); "ahead" is +x times `forward_sign`.
    """
    d = np.asarray(top, float) - np.asarray(bottom, float)
    return np.degrees(np.arctan2(forward_sign * d[..., 0], -d[..., 1]))


def line_tilt_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Tilt of the line through a and b, in (-90, 90]: positive when the right-hand (larger x) end is lower."""
    d = np.asarray(b, float) - np.asarray(a, float)
    flip = np.where(d[..., 0] < 0, -1.0, 1.0)
    return np.degrees(np.arctan2(d[..., 1] * flip, d[..., 0] * flip))


def inner_angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The angle a-b-c at b, 0..180 degrees."""
    u = np.asarray(a, float) - np.asarray(b, float)
    v = np.asarray(c, float) - np.asarray(b, float)
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = (u * v).sum(-1)
    return np.degrees(np.abs(np.arctan2(cross, dot)))


def flexion_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Joint flexion: 0 when a, b, c are in line (Sports2D's convention for the knee)."""
    return 180.0 - inner_angle_deg(a, b, c)


def rotate(xy: np.ndarray, deg: float, centre: tuple[float, float]) -> np.ndarray:
    """Rotate image points by `deg` about `centre`; positive turns the image clockwise on screen (y down)."""
    t = np.radians(deg)
    c, s = np.cos(t), np.sin(t)
    p = np.asarray(xy, float) - centre
    out = np.empty_like(p)
    out[..., 0] = c * p[..., 0] - s * p[..., 1]
    out[..., 1] = s * p[..., 0] + c * p[..., 1]
    return out + centre


def sample(track: np.ndarray, t: float) -> np.ndarray:
    """A track's value at fractional frame index t (linear between frames)."""
    n = len(track)
    t = min(max(t, 0.0), n - 1.0)
    i = int(np.floor(t))
    if i >= n - 1:
        return np.asarray(track[n - 1], float)
    w = t - i
    return (1 - w) * np.asarray(track[i], float) + w * np.asarray(track[i + 1], float)


def parabolic_peak(y: np.ndarray, i: int) -> tuple[float, float]:
    """Sub-frame position and height of a peak at sample i from a parabola through its neighbours."""
    if i <= 0 or i >= len(y) - 1:
        return float(i), float(y[i])
    y0, y1, y2 = float(y[i - 1]), float(y[i]), float(y[i + 1])
    den = y0 - 2 * y1 + y2
    if not np.isfinite(den) or den == 0:
        return float(i), y1
    off = 0.5 * (y0 - y2) / den
    off = max(-0.5, min(0.5, off))
    return i + off, y1 - 0.25 * (y0 - y2) * off


def robust_line_slope(x: np.ndarray, y: np.ndarray, max_pairs: int = 20000, seed: int = 0) -> float:
    """Theil-Sen slope of y against x (median of pairwise slopes), NaN with too few points."""
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = np.asarray(x, float)[ok], np.asarray(y, float)[ok]
    n = len(x)
    if n < 3:
        return float("nan")
    i, j = np.triu_indices(n, 1)
    if len(i) > max_pairs:
        pick = np.random.default_rng(seed).choice(len(i), max_pairs, replace=False)
        i, j = i[pick], j[pick]
    dx = x[j] - x[i]
    keep = np.abs(dx) > 1e-9 * (np.ptp(x) + 1e-12)
    if keep.sum() < 3:
        return float("nan")
    return float(np.median((y[j] - y[i])[keep] / dx[keep]))
