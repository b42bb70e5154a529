"""Turn raw keypoints into a clean signal: drop unsure points, repair left/right swaps, reject glitches,
fill short gaps and low-pass filter. Each step is a small class with one action method."""
from __future__ import annotations

import numpy as np

from .keypoints import INDEX, LEG_JOINTS, Keypoints

_FOOT = ("ankle", "heel", "toe")


def leg_length_px(kp: Keypoints) -> float:
    """Median hip-knee-ankle length over frames and both sides (the scale for everything else)."""
    lengths = []
    for s in ("l", "r"):
        thigh = np.linalg.norm(kp.p(f"{s}_hip") - kp.p(f"{s}_knee"), axis=1)
        shank = np.linalg.norm(kp.p(f"{s}_knee") - kp.p(f"{s}_ankle"), axis=1)
        lengths.append(thigh + shank)
    v = np.concatenate(lengths)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if len(v) else float("nan")


class ConfidenceGate:
    """Set points below `min_confidence` to NaN (a NaN confidence means "not given" and passes)."""

    def __init__(self, min_confidence: float = 0.2):
        self.min_confidence = min_confidence
        self.dropped_fraction_ = 0.0

    def apply(self, kp: Keypoints) -> Keypoints:
        out = kp.copy()
        low = np.isfinite(out.conf) & (out.conf < self.min_confidence)
        out.xy[low] = np.nan
        self.dropped_fraction_ = float(low.mean()) if low.size else 0.0
        return out


class SideSwapRepair:
    """Undo left/right leg swaps in a side view by dynamic programming over frames.

    Each frame may swap the knees and/or the feet (ankle, heel, toe) between the labels. The chosen
    sequence minimises how far each point strays from a constant-velocity prediction (temporal
    continuity) plus how far each shank's length strays from the runner's median (limb-length
    consistency); a small cost per swapped frame keeps the model's labels when both readings fit.
    `anchors` (frame, foot, direction) from detected contacts pin which foot leads at each contact: the
    contacts alternate, so they fix the labels where continuity alone cannot.
    Results: `states_` (per frame: bit 0 knees swapped, bit 1 feet swapped), `swapped_frames_`.
    """

    def __init__(self, length_weight: float = 1.0, swap_cost: float = 0.02, anchor_cost: float = 10.0):
        self.length_weight = length_weight
        self.swap_cost = swap_cost
        self.anchor_cost = anchor_cost
        self.states_: np.ndarray | None = None
        self.swapped_frames_ = 0

    @staticmethod
    def _candidates(kp: Keypoints) -> np.ndarray:
        """(T, 4 states, 2 sides, 4 joints, 2) leg points under each swap state."""
        base = np.stack([np.stack([kp.p(f"{s}_{j}") for j in LEG_JOINTS], axis=1) for s in ("l", "r")],
                        axis=1)  # (T, 2, 4, 2)
        out = np.repeat(base[:, None], 4, axis=1).copy()
        for state in range(4):
            if state & 1:
                out[:, state, :, 0] = base[:, ::-1, 0]
            if state & 2:
                out[:, state, :, 1:] = base[:, ::-1, 1:]
        return out

    def apply(self, kp: Keypoints, anchors: list[tuple[int, str, int]] | None = None) -> Keypoints:
        T = kp.n_frames
        leg = leg_length_px(kp)
        if T < 3 or not np.isfinite(leg) or leg <= 0:
            self.states_ = np.zeros(T, int)
            return kp.copy()
        cand = self._candidates(kp) / leg  # scale-free
        shank = np.linalg.norm(cand[:, :, :, 0] - cand[:, :, :, 1], axis=-1)  # (T, 4, 2)
        ref = np.nanmedian(shank[:, 0])
        unary = self.length_weight * np.nansum((shank / ref - 1.0) ** 2, axis=-1)  # (T, 4)
        unary += self.swap_cost * (np.arange(4) > 0)
        hip_x = kp.mid("hip")[:, 0] / leg
        for frame, foot, direction in anchors or []:
            if not 0 <= frame < T or not np.isfinite(hip_x[frame]):
                continue
            heel = cand[frame, :, :, 2, 0]  # (4 states, 2 sides) heel x
            ahead = direction * (heel - hip_x[frame])
            lead = 0 if foot == "left" else 1
            wrong = ahead[:, lead] < ahead[:, 1 - lead]
            unary[frame] += np.where(np.isfinite(ahead).all(axis=1) & wrong, self.anchor_cost, 0.0)
        # V[a, b]: best cost with state a at t-1 and b at t.
        V = unary[0][:, None] + unary[1][None, :] + self._step(cand[0][:, None], cand[1][None, :])
        back = np.zeros((T, 4, 4), int)
        for t in range(2, T):
            c = self._trans(cand[t - 2], cand[t - 1], cand[t])  # (z, a, b)
            total = V[:, :, None] + c  # (z, a, b)
            back[t] = np.argmin(total, axis=0)
            V = np.min(total, axis=0) + unary[t][None, :]
        a, b = np.unravel_index(np.argmin(V), V.shape)
        states = np.zeros(T, int)
        states[T - 1], states[T - 2] = b, a
        for t in range(T - 1, 1, -1):
            states[t - 2] = back[t, states[t - 1], states[t]]
        self.states_ = states
        self.swapped_frames_ = int(np.count_nonzero(states))
        return self._swap(kp, states)

    @staticmethod
    def _step(p1: np.ndarray, p2: np.ndarray) -> np.ndarray:
        d = np.linalg.norm(p2 - p1, axis=-1)
        return np.nansum(d, axis=(-1, -2))

    @staticmethod
    def _trans(p0: np.ndarray, p1: np.ndarray, p2: np.ndarray) -> np.ndarray:
        a0, a1, a2 = p0[:, None, None], p1[None, :, None], p2[None, None, :]
        d2 = np.linalg.norm(a2 - (2 * a1 - a0), axis=-1)  # constant-velocity prediction error
        d1 = np.linalg.norm(a2 - a1, axis=-1)
        d = np.where(np.isfinite(d2), d2, np.where(np.isfinite(d1), d1, 0.0))
        return d.sum(axis=(-1, -2))

    @staticmethod
    def _swap(kp: Keypoints, states: np.ndarray) -> Keypoints:
        out = kp.copy()
        for bit, joints in ((1, ("knee",)), (2, _FOOT)):
            swap_sides(out, (states & bit) > 0, joints)
        return out


def swap_sides(kp: Keypoints, rows: np.ndarray, joints) -> None:
    """In place: exchange the left and right points (and confidences) of `joints` in the frames `rows`."""
    for j in joints:
        li, ri = INDEX[f"l_{j}"], INDEX[f"r_{j}"]
        for arr in (kp.xy, kp.conf):
            tmp = arr[rows, li].copy()
            arr[rows, li] = arr[rows, ri]
            arr[rows, ri] = tmp


class FrontalLabels:
    """Label legs by image side in a frontal-plane view: seen from behind (`facing` 'back') the runner's
    left is on the image left; filmed from in front ('front') it is on the image right.

    Pose models trained mostly on people facing the camera often mirror a runner seen from behind; hips
    and knees never cross in running, so their image order fixes the labels. Results: `relabelled_`
    (frames changed).
    """

    def __init__(self, facing: str = "back"):
        self.facing = facing
        self.relabelled_ = 0

    def apply(self, kp: Keypoints) -> Keypoints:
        out = kp.copy()
        changed = np.zeros(kp.n_frames, bool)
        groups = (("hip",), ("knee",), _FOOT, ("shoulder",), ("elbow",), ("wrist",), ("ear",))
        for joints in groups:
            key = joints[0]
            lx, rx = out.p(f"l_{key}")[:, 0], out.p(f"r_{key}")[:, 0]
            wrong = lx > rx if self.facing == "back" else lx < rx
            swap_sides(out, wrong, joints)
            changed |= wrong
        self.relabelled_ = int(changed.sum())
        return out


def _windows(a: np.ndarray, w: int) -> np.ndarray:
    pad = w // 2
    padded = np.concatenate([np.repeat(a[:1], pad, 0), a, np.repeat(a[-1:], pad, 0)])
    return np.lib.stride_tricks.sliding_window_view(padded, w, axis=0)


class GlitchRejector:
    """Drop single-frame jumps: a point further than `k` robust deviations (and at least `min_leg_frac`
    of a leg length) from the running median of its neighbours. Results: `rejected_`."""

    def __init__(self, window_s: float = 0.1, k: float = 6.0, min_leg_frac: float = 0.1):
        self.window_s = window_s
        self.k = k
        self.min_leg_frac = min_leg_frac
        self.rejected_ = 0

    def apply(self, kp: Keypoints) -> Keypoints:
        out = kp.copy()
        w = max(3, int(round(self.window_s * kp.fps)) | 1)
        leg = leg_length_px(kp)
        if kp.n_frames < w or not np.isfinite(leg):
            return out
        import warnings

        with warnings.catch_warnings():  # all-NaN windows (a point never seen) stay NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(_windows(out.xy, w), axis=-1)
            dev = np.linalg.norm(out.xy - med, axis=-1)  # (T, K)
            scale = 1.4826 * np.nanmedian(dev, axis=0)
        bad = dev > np.maximum(self.k * scale, self.min_leg_frac * leg)[None, :]
        out.xy[bad] = np.nan
        self.rejected_ = int(bad.sum())
        return out


class GapFiller:
    """Fill gaps up to `max_gap_s` by shape-preserving (PCHIP) interpolation; longer gaps stay empty.
    Results: `filled_` (points filled)."""

    def __init__(self, max_gap_s: float = 0.2):
        self.max_gap_s = max_gap_s
        self.filled_ = 0

    def apply(self, kp: Keypoints) -> Keypoints:
        from scipy.interpolate import PchipInterpolator

        out = kp.copy()
        max_gap = max(1, int(round(self.max_gap_s * kp.fps)))
        t = np.arange(kp.n_frames)
        for k in range(out.xy.shape[1]):
            ok = np.isfinite(out.xy[:, k, 0]) & np.isfinite(out.xy[:, k, 1])
            if ok.sum() < 2 or ok.all():
                continue
            fill = _short_gaps(~ok, max_gap)
            if not fill.any():
                continue
            f = PchipInterpolator(t[ok], out.xy[ok, k], axis=0, extrapolate=False)
            out.xy[fill, k] = f(t[fill])
            self.filled_ += int(fill.sum())
        return out


def _short_gaps(missing: np.ndarray, max_gap: int) -> np.ndarray:
    """Missing samples in interior runs no longer than max_gap."""
    fill = np.zeros_like(missing)
    n = len(missing)
    i = 0
    while i < n:
        if missing[i]:
            j = i
            while j < n and missing[j]:
                j += 1
            if i > 0 and j < n and j - i <= max_gap:
                fill[i:j] = True
            i = j
        else:
            i += 1
    return fill


class LowPassFilter:
    """Zero-lag Butterworth low-pass (second order, run forward and back) on each unbroken run.

    Results: `applied_` (False when the frame rate is too low for the cut-off)."""

    def __init__(self, cutoff_hz: float = 6.0, order: int = 2):
        self.cutoff_hz = cutoff_hz
        self.order = order
        self.applied_ = False

    def apply(self, kp: Keypoints) -> Keypoints:
        from scipy.signal import butter, filtfilt

        out = kp.copy()
        nyquist = kp.fps / 2
        if self.cutoff_hz >= nyquist * 0.95:
            self.applied_ = False
            return out
        b, a = butter(self.order, self.cutoff_hz / nyquist)
        padlen = 3 * max(len(a), len(b))
        for k in range(out.xy.shape[1]):
            ok = np.isfinite(out.xy[:, k, 0]) & np.isfinite(out.xy[:, k, 1])
            for start, stop in _runs(ok):
                if stop - start > padlen:
                    out.xy[start:stop, k] = filtfilt(b, a, out.xy[start:stop, k], axis=0)
        self.applied_ = True
        return out


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], mask.astype(int), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))
