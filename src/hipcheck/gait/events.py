"""Gait events and cadence.

Side view: initial contact (IC) is the forward peak of the leading heel relative to the pelvis (Zeni
2008's rule, taken on whichever foot is in front, so a left/right mix-up cannot add or lose a step).
Toe-off is peak knee extension after the stance flexion peak (Fellin 2010): the walking rule (rearmost
toe) is late in running because the foot keeps moving back after it leaves the ground.
Rear view: midstance is the lowest point of the pelvis; the stance foot is the lower foot.
Cadence counts steps over the whole span, with sub-frame peak times, and is checked against the period
of the pelvis' vertical bounce (one bounce per step) so a doubled or halved count is caught.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geometry import flexion_deg, parabolic_peak
from .keypoints import Keypoints

CADENCE_RANGE_SPM = (100.0, 260.0)  # walking-jog to sprint: the stride (half) and double rates fall outside


@dataclass
class Step:
    """One foot contact. Frame indices are fractional (sub-frame)."""
    foot: str  # 'left' | 'right'
    ic: float  # initial contact (side view) or midstance (rear view) frame
    to: float | None = None  # toe-off frame (side view)
    peak_flexion_frame: float | None = None
    segment: int = 0  # steps in one segment follow each other without a missed step

    def contact_frames(self) -> float | None:
        return None if self.to is None else self.to - self.ic


def _series_period(y: np.ndarray, fps: float) -> float:
    """Step period in frames from the autocorrelation of a bouncing signal (NaN when none is found)."""
    ok = np.isfinite(y)
    if ok.sum() < 8:
        return float("nan")
    t = np.arange(len(y))
    y = np.interp(t, t[ok], y[ok])
    y = y - np.polyval(np.polyfit(t, y, 1), t)
    lo = int(np.floor(fps * 60 / CADENCE_RANGE_SPM[1]))
    hi = int(np.ceil(fps * 60 / CADENCE_RANGE_SPM[0]))
    hi = min(hi, len(y) // 2)
    if hi <= lo + 2:
        return float("nan")
    ac = np.correlate(y, y, "full")[len(y) - 1:]
    ac = ac / (ac[0] + 1e-12)
    seg = ac[lo:hi + 1]
    i = int(np.argmax(seg)) + lo
    if ac[i] <= 0.1 or i in (lo, hi):
        return float("nan")
    lag, _ = parabolic_peak(ac, i)
    return lag


def _peaks(sig: np.ndarray, min_distance: float) -> list[float]:
    from scipy.signal import find_peaks

    ok = np.isfinite(sig)
    if ok.sum() < 3:
        return []
    filled = np.where(ok, sig, np.nanmin(sig))
    spread = np.nanpercentile(sig, 95) - np.nanpercentile(sig, 5)
    idx, _ = find_peaks(filled, distance=max(1, int(min_distance)), prominence=0.15 * spread)
    return [parabolic_peak(filled, int(i))[0] for i in idx if ok[i]]


class PelvisBounce:
    """The step period from the pelvis' vertical oscillation. Results: `period_frames_`, `cadence_spm_`."""

    def __init__(self):
        self.period_frames_ = float("nan")
        self.cadence_spm_ = float("nan")

    def estimate(self, kp: Keypoints) -> PelvisBounce:
        self.period_frames_ = _series_period(kp.mid("hip")[:, 1], kp.fps)
        self.cadence_spm_ = 60 * kp.fps / self.period_frames_ if np.isfinite(self.period_frames_) else np.nan
        return self


class StepDetector:
    """Detect steps, assign feet and count cadence.

    Parameters: `guard_tolerance` (relative disagreement with the pelvis bounce that triggers the
    double-count guard). Results: `steps_`, `cadence_spm_`, `pelvis_cadence_spm_`, `step_period_frames_`,
    `guard_` (what the guard did, or None), `span_steps_`.
    """

    def __init__(self, guard_tolerance: float = 0.15):
        self.guard_tolerance = guard_tolerance
        self.steps_: list[Step] = []
        self.cadence_spm_ = float("nan")
        self.pelvis_cadence_spm_ = float("nan")
        self.step_period_frames_ = float("nan")
        self.span_steps_ = 0
        self.guard_: str | None = None
        self.fps_ = float("nan")

    def detect(self, kp: Keypoints, view: str, direction: int, leg_px: float,
               sharp: Keypoints | None = None) -> StepDetector:
        """`kp`: the low-passed keypoints the steps are found on. `sharp` (optional): the same keypoints
        filtered less; each contact is then re-timed on it within a frame or two, because low-pass
        filtering rounds the contact peak (sharp on the stance side) and moves it early."""
        self.fps_ = kp.fps
        bounce = PelvisBounce().estimate(kp)
        self.pelvis_cadence_spm_ = bounce.cadence_spm_
        period = bounce.period_frames_
        if view == "side":
            signal, votes = self._side_signals(kp, direction, leg_px)
        else:
            signal, votes = self._rear_signals(kp, leg_px)
        guess = period if np.isfinite(period) else kp.fps * 60 / 170.0
        times = _peaks(signal, 0.6 * guess)
        times = self._guard(signal, times, period)
        if sharp is not None and view == "side":
            times = self._refine(times, self._side_signals(sharp, direction, leg_px)[0], kp.fps)
        if len(times) < 2:
            self.steps_ = []
            return self
        self.step_period_frames_ = float(np.median(np.diff(times)))
        self.steps_ = self._assign_feet(times, votes, self.step_period_frames_)
        self._count(times)
        if view == "side":
            self._toe_offs(kp)
        return self

    # -- signals ------------------------------------------------------------------------------------------
    @staticmethod
    def _side_signals(kp: Keypoints, direction: int, leg_px: float):
        hip_x = kp.mid("hip")[:, 0]
        fwd = {}
        for side in ("left", "right"):
            s = side[0]
            heel = kp.p(f"{s}_heel")[:, 0]
            heel = np.where(np.isfinite(heel), heel, kp.p(f"{s}_ankle")[:, 0])
            fwd[side] = direction * (heel - hip_x) / leg_px
        lead = np.fmax(fwd["left"], fwd["right"])
        return lead, fwd["left"] - fwd["right"]  # > 0: left foot is the forward one

    @staticmethod
    def _rear_signals(kp: Keypoints, leg_px: float):
        def low(s):
            pts = np.stack([kp.p(f"{s}_{j}")[:, 1] for j in ("ankle", "heel", "toe")], axis=1)
            with np.errstate(all="ignore"):
                return np.nanmax(np.where(np.isfinite(pts), pts, -np.inf), axis=1)

        pelvis_down = kp.mid("hip")[:, 1] / leg_px
        l, r = low("l"), low("r")
        votes = np.where(np.isfinite(l) & np.isfinite(r), (l - r) / leg_px, np.nan)  # > 0: left foot lower
        return pelvis_down, votes

    # -- guard and counting ---------------------------------------------------------------------------------
    def _guard(self, signal: np.ndarray, times: list[float], period: float) -> list[float]:
        if len(times) < 3 or not np.isfinite(period):
            return times
        step = float(np.median(np.diff(times)))
        ratio = period / step
        if abs(ratio - 1) <= self.guard_tolerance:
            return times
        if ratio > 1 + self.guard_tolerance:  # more peaks than bounces: double counting
            again = _peaks(signal, 0.85 * period)
            self.guard_ = (f"step peaks came {ratio:.2f} times as often as the pelvis bounce; re-detected with "
                           "a longer minimum spacing")
            return again
        self.guard_ = (f"found fewer steps than pelvis bounces (ratio {ratio:.2f}); some steps were probably "
                       "missed, so cadence counts the gaps as the steps they span")
        return times

    @staticmethod
    def _refine(times: list[float], sharp: np.ndarray, fps: float) -> list[float]:
        reach = max(1, int(round(0.03 * fps)))
        out = []
        for t in times:
            lo, hi = max(0, int(round(t)) - reach), min(len(sharp) - 1, int(round(t)) + reach)
            seg = sharp[lo:hi + 1]
            if not np.isfinite(seg).all():
                out.append(t)
                continue
            i = lo + int(np.argmax(seg))
            out.append(parabolic_peak(sharp, i)[0] if lo < i < hi else t)
        return out

    def _count(self, times: list[float]) -> None:
        period = self.step_period_frames_
        n = sum(max(1, int(round(d / period))) for d in np.diff(times))
        span = times[-1] - times[0]
        self.span_steps_ = n
        self.cadence_spm_ = 60.0 * n / (span / self.fps_) if span > 0 else float("nan")

    # -- feet -----------------------------------------------------------------------------------------------
    def _assign_feet(self, times: list[float], votes: np.ndarray, period: float) -> list[Step]:
        t_idx = np.arange(len(votes))
        ok = np.isfinite(votes)
        v = np.interp(times, t_idx[ok], votes[ok]) if ok.sum() >= 2 else np.zeros(len(times))
        # Segments: a gap longer than 1.5 steps means a missed step, so alternation restarts.
        seg = np.concatenate([[0], np.cumsum(np.diff(times) > 1.5 * period)])
        feet = np.empty(len(times), object)
        for s in np.unique(seg):
            idx = np.flatnonzero(seg == s)
            parity = np.where(np.arange(len(idx)) % 2 == 0, 1.0, -1.0)
            left_first = float(np.sum(parity * v[idx])) >= 0
            for k, i in enumerate(idx):
                feet[i] = "left" if (k % 2 == 0) == left_first else "right"
        return [Step(foot=str(feet[i]), ic=float(times[i]), segment=int(seg[i])) for i in range(len(times))]

    def _toe_offs(self, kp: Keypoints) -> None:
        period = self.step_period_frames_
        for step in self.steps_:
            s = step.foot[0]
            flex = flexion_deg(kp.p(f"{s}_hip"), kp.p(f"{s}_knee"), kp.p(f"{s}_ankle"))
            start = int(np.ceil(step.ic))
            peak_end = int(min(len(flex) - 1, np.floor(step.ic + 0.7 * period)))
            if peak_end - start < 1 or not np.isfinite(flex[start:peak_end + 1]).any():
                continue
            pk = start + int(np.nanargmax(flex[start:peak_end + 1]))
            step.peak_flexion_frame = parabolic_peak(flex, pk)[0]
            end = int(min(len(flex) - 2, np.floor(step.ic + 1.2 * period)))
            window = flex[pk:end + 1]
            if len(window) < 2 or not np.isfinite(window).all():
                continue
            # the first local minimum of flexion after the stance peak: the knee's extension peak
            m = None
            for k in range(1, len(window) - 1):
                if window[k] <= window[k - 1] and window[k] <= window[k + 1]:
                    m = pk + k
                    break
            if m is None:
                continue
            step.to = parabolic_peak(-flex, m)[0]
