"""Per-step gait metrics and their per-side summaries. Definitions, units and sources: docs/gait-metrics.md.

All angles are degrees in the roll-corrected picture. Side view: "forward" is the running direction.
Rear view: the runner's left is on the picture's left.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .events import Step
from .geometry import flexion_deg, inner_angle_deg, line_tilt_deg, sample
from .keypoints import Keypoints


@dataclass(frozen=True)
class MetricInfo:
    unit: str
    view: str  # 'side' | 'rear'
    validity: str = "normal"  # 'normal' | 'low' (2D value known not to track the 3D angle)


METRICS: dict[str, MetricInfo] = {
    "step_time_ms": MetricInfo("ms", "side"),
    "contact_time_ms": MetricInfo("ms", "side"),
    "duty_factor_pct": MetricInfo("%", "side"),
    "overstride_pct_leg": MetricInfo("% leg length", "side"),
    "tibia_angle_deg": MetricInfo("deg", "side"),
    "knee_flexion_contact_deg": MetricInfo("deg", "side"),
    "knee_flexion_peak_deg": MetricInfo("deg", "side"),
    "trunk_lean_deg": MetricInfo("deg", "side"),
    "vertical_oscillation_pct_leg": MetricInfo("% leg length", "side"),
    "vertical_oscillation_cm": MetricInfo("cm", "side"),
    "foot_inclination_deg": MetricInfo("deg", "side"),
    "pelvic_drop_deg": MetricInfo("deg", "rear"),
    "hip_adduction_deg": MetricInfo("deg", "rear"),
    "femoral_adduction_deg": MetricInfo("deg", "rear"),
    "foot_to_midline_pct_hip_width": MetricInfo("% hip width", "rear"),
    "step_width_pct_leg": MetricInfo("% leg length", "rear"),
    "lateral_trunk_lean_deg": MetricInfo("deg", "rear"),
    "knee_valgus_deg": MetricInfo("deg", "rear", validity="low"),
}


@dataclass
class StepRecord:
    """One step's values; `values` keys are names in METRICS."""
    index: int
    foot: str
    ic_s: float
    to_s: float | None
    values: dict[str, float] = field(default_factory=dict)
    strike: str | None = None  # 'rearfoot' | 'midfoot' | 'forefoot' (side view)


def _at(kp: Keypoints, name: str, t: float) -> np.ndarray:
    return sample(kp.p(name), t)


def _finite(v) -> bool:
    return v is not None and bool(np.all(np.isfinite(v)))


class SideViewMetrics:
    """Side-view metrics per step. Parameters: `strike_margin_deg` (foot inclination beyond which a landing
    counts as rearfoot or forefoot), `contact_time_min_fps` (below it contact time is not reported),
    `leg_length_cm` (optional, to give vertical oscillation in cm). Results: `steps_`, `flat_foot_deg_`."""

    def __init__(self, strike_margin_deg: float, contact_time_min_fps: float, leg_length_cm: float | None = None):
        self.strike_margin_deg = strike_margin_deg
        self.contact_time_min_fps = contact_time_min_fps
        self.leg_length_cm = leg_length_cm
        self.steps_: list[StepRecord] = []
        self.flat_foot_deg_: dict[str, float] = {}

    def compute(self, kp: Keypoints, steps: list[Step], direction: int, leg_px: float, period: float,
                contact: Keypoints | None = None) -> SideViewMetrics:
        """`kp`: low-passed keypoints; `contact`: the same, filtered less, for values at the contact instant
        (defaults to `kp`)."""
        d = float(direction)
        fps = kp.fps
        ck = contact if contact is not None else kp

        def foot_angle(s: str, t: float) -> float:
            heel, toe = _at(ck, f"{s}_heel", t), _at(ck, f"{s}_toe", t)
            if not (_finite(heel) and _finite(toe)):
                return float("nan")
            return float(np.degrees(np.arctan2(heel[1] - toe[1], d * (toe[0] - heel[0]))))

        # The runner's own flat-foot reading (keypoint placement differs between models) at midstance.
        for foot in ("left", "right"):
            s = foot[0]
            mids = [st.ic + (st.to - st.ic) / 2 if st.to is not None else st.ic + 0.3 * period
                    for st in steps if st.foot == foot]
            vals = [foot_angle(s, t) for t in mids]
            vals = [v for v in vals if np.isfinite(v)]
            self.flat_foot_deg_[foot] = float(np.median(vals)) if vals else float("nan")

        hip_mid, sh_mid = kp.mid("hip"), kp.mid("shoulder")
        records = []
        for i, st in enumerate(steps):
            s = st.foot[0]
            t = st.ic
            v: dict[str, float] = {}
            heel = _at(ck, f"{s}_heel", t)
            if not _finite(heel):
                heel = _at(ck, f"{s}_ankle", t)
            hip = sample(ck.mid("hip"), t)
            if _finite(heel) and _finite(hip):
                v["overstride_pct_leg"] = 100 * d * (heel[0] - hip[0]) / leg_px
            knee, ankle, hip_s = _at(ck, f"{s}_knee", t), _at(ck, f"{s}_ankle", t), _at(ck, f"{s}_hip", t)
            if _finite(knee) and _finite(ankle):
                v["tibia_angle_deg"] = float(np.degrees(np.arctan2(d * (ankle[0] - knee[0]), ankle[1] - knee[1])))
            if _finite(knee) and _finite(ankle) and _finite(hip_s):
                v["knee_flexion_contact_deg"] = float(flexion_deg(hip_s, knee, ankle))
            fa = foot_angle(s, t) - self.flat_foot_deg_.get(st.foot, np.nan)
            if np.isfinite(fa):
                v["foot_inclination_deg"] = fa
                st_strike = ("rearfoot" if fa > self.strike_margin_deg
                             else "forefoot" if fa < -self.strike_margin_deg else "midfoot")
            else:
                st_strike = None
            end = st.to if st.to is not None else st.ic + 0.6 * period
            flex = flexion_deg(kp.p(f"{s}_hip"), kp.p(f"{s}_knee"), kp.p(f"{s}_ankle"))
            lo, hi = int(np.ceil(st.ic)), int(np.floor(end))
            if hi >= lo and np.isfinite(flex[lo:hi + 1]).any():
                v["knee_flexion_peak_deg"] = float(np.nanmax(flex[lo:hi + 1]))
            mid_t = st.ic + (end - st.ic) / 2
            sh, hp = sample(sh_mid, mid_t), sample(hip_mid, mid_t)
            if _finite(sh) and _finite(hp):
                v["trunk_lean_deg"] = float(np.degrees(np.arctan2(d * (sh[0] - hp[0]), hp[1] - sh[1])))
            nxt = steps[i + 1] if i + 1 < len(steps) and steps[i + 1].segment == st.segment else None
            if nxt is not None:
                v["step_time_ms"] = 1000 * (nxt.ic - st.ic) / fps
                lo2, hi2 = int(np.floor(st.ic)), int(np.ceil(nxt.ic))
                y = hip_mid[lo2:hi2 + 1, 1]
                if np.isfinite(y).sum() >= 3:
                    v["vertical_oscillation_pct_leg"] = 100 * float(np.nanmax(y) - np.nanmin(y)) / leg_px
                    if self.leg_length_cm:
                        v["vertical_oscillation_cm"] = v["vertical_oscillation_pct_leg"] * self.leg_length_cm / 100
            if st.to is not None and fps >= self.contact_time_min_fps:
                v["contact_time_ms"] = 1000 * (st.to - st.ic) / fps
                same = next((o for o in steps[i + 1:] if o.foot == st.foot and o.segment == st.segment), None)
                stride = (same.ic - st.ic) if same is not None else 2 * period
                v["duty_factor_pct"] = 100 * (st.to - st.ic) / stride
            records.append(StepRecord(i, st.foot, st.ic / fps, st.to / fps if st.to is not None else None,
                                      {k: float(x) for k, x in v.items() if np.isfinite(x)}, st_strike))
        self.steps_ = records
        return self


def frontal_angles(kp: Keypoints, left_medial: float = 1.0) -> dict[str, np.ndarray]:
    """Per-frame frontal-plane angles (degrees). `left_medial` is the picture direction (+1: +x) towards the
    midline from the left leg: +1 seen from behind, -1 seen from the front.

    pelvic_tilt: hip line against level, + when the runner's right hip is lower.
    {side}_femoral_adduction: thigh against the vertical, + towards the midline.
    {side}_hip_adduction: thigh against the pelvis' own "down" (perpendicular to the hip line), + towards
    the midline, so it includes the pelvis' tilt. {side}_knee_valgus: the knee's angle in the picture,
    + when the knee lies inside the hip-ankle line.
    """
    lh, rh = kp.p("l_hip"), kp.p("r_hip")
    right_on_plus_x = left_medial  # seen from behind the right hip is at +x
    out = {"pelvic_tilt": right_on_plus_x * line_tilt_deg(lh, rh)}
    pel = (rh - lh) * right_on_plus_x  # points from left to right hip, turned to +x
    down = np.stack([-pel[:, 1], pel[:, 0]], axis=1)  # the hip line turned 90 degrees towards image-down
    for side in ("left", "right"):
        s = side[0]
        medial = left_medial if side == "left" else -left_medial
        hip, knee, ankle = kp.p(f"{s}_hip"), kp.p(f"{s}_knee"), kp.p(f"{s}_ankle")
        femur = knee - hip
        out[f"{side}_femoral_adduction"] = np.degrees(np.arctan2(medial * femur[:, 0], femur[:, 1]))
        ang = np.degrees(np.arctan2(down[:, 0] * femur[:, 1] - down[:, 1] * femur[:, 0], (femur * down).sum(axis=1)))
        out[f"{side}_hip_adduction"] = -medial * ang
        inner = inner_angle_deg(hip, knee, ankle)
        line = ankle - hip
        cross = line[:, 0] * femur[:, 1] - line[:, 1] * femur[:, 0]
        out[f"{side}_knee_valgus"] = (180 - inner) * np.where(cross * -medial > 0, 1.0, -1.0)
    return out


class RearViewMetrics:
    """Rear-view metrics per step, read at midstance (the pelvis' lowest point, where Dingenen 2018 read
    them; a peak over the stance would be pushed up by keypoint noise). `baseline` holds the standing
    photo's values (`pelvic_tilt_deg`, `hip_adduction_deg` per side), subtracted first: the hip and knee
    keypoints sit 30-50 mm off the joint centres, the same way standing and running.
    Results: `steps_`, `angles_` (per-frame series)."""

    def __init__(self, baseline: dict | None = None, facing: str = "back"):
        self.baseline = baseline or {}
        self.facing = facing  # 'back': filmed from behind; 'front': the runner comes towards the camera
        self.steps_: list[StepRecord] = []
        self.angles_: dict[str, np.ndarray] = {}

    def compute(self, kp: Keypoints, steps: list[Step], leg_px: float, period: float) -> RearViewMetrics:
        fps = kp.fps
        left_medial = 1.0 if self.facing == "back" else -1.0  # picture direction to the midline, left leg
        ang = frontal_angles(kp, left_medial)
        tilt = ang["pelvic_tilt"] - float(self.baseline.get("pelvic_tilt_deg") or 0.0)
        hip_base = self.baseline.get("hip_adduction_deg") or {}
        self.angles_ = ang
        hip_mid, sh_mid = kp.mid("hip"), kp.mid("shoulder")
        hip_width = np.linalg.norm(kp.p("r_hip") - kp.p("l_hip"), axis=1)
        at = lambda series, t: float(sample(series[:, None], t)[0])
        records = []
        for i, st in enumerate(steps):
            s, side, t = st.foot[0], st.foot, st.ic
            medial = left_medial if side == "left" else -left_medial  # picture direction towards the midline
            v = {"pelvic_drop_deg": at(tilt if side == "left" else -tilt, t),
                 "femoral_adduction_deg": at(ang[f"{side}_femoral_adduction"], t),
                 "hip_adduction_deg": at(ang[f"{side}_hip_adduction"], t) - float(hip_base.get(side) or 0.0),
                 "knee_valgus_deg": at(ang[f"{side}_knee_valgus"], t)}
            foot = sample(kp.p(f"{s}_ankle"), t)
            hm, hw = sample(hip_mid, t), at(hip_width, t)
            if _finite(foot) and _finite(hm) and hw > 0:
                v["foot_to_midline_pct_hip_width"] = 100 * (-medial) * (foot[0] - hm[0]) / hw
            sh = sample(sh_mid, t)
            if _finite(sh) and _finite(hm):
                v["lateral_trunk_lean_deg"] = float(np.degrees(np.arctan2(-medial * (sh[0] - hm[0]), hm[1] - sh[1])))
            nxt = steps[i + 1] if i + 1 < len(steps) and steps[i + 1].segment == st.segment else None
            if nxt is not None:
                v["step_time_ms"] = 1000 * (nxt.ic - st.ic) / fps
                other = sample(kp.p(f"{nxt.foot[0]}_ankle"), nxt.ic)
                if _finite(foot) and _finite(other):
                    v["step_width_pct_leg"] = 100 * abs(other[0] - foot[0]) / leg_px
            records.append(StepRecord(i, side, st.ic / fps, None,
                                      {k: float(x) for k, x in v.items() if np.isfinite(x)}))
        self.steps_ = records
        return self


def summarise(records: list[StepRecord]) -> dict[str, dict]:
    """Per metric: unit, validity, and mean/sd/n for each side and for all steps; left minus right."""
    out: dict[str, dict] = {}
    names = [n for n in METRICS if any(n in r.values for r in records)]
    for name in names:
        info = METRICS[name]
        entry: dict = {"unit": info.unit, "validity": info.validity}
        for side in ("left", "right", "all"):
            vals = np.array([r.values[name] for r in records
                             if name in r.values and (side == "all" or r.foot == side)])
            entry[side] = _stats(vals)
        l, r = entry["left"]["mean"], entry["right"]["mean"]
        entry["left_minus_right"] = round(l - r, 2) if l is not None and r is not None else None
        out[name] = entry
    strikes = [r.strike for r in records if r.strike]
    if strikes:
        out["foot_strike"] = {"unit": "pattern", "validity": "normal",
                              **{side: _pattern([r.strike for r in records if r.strike and r.foot == side])
                                 for side in ("left", "right")}, "all": _pattern(strikes)}
    return out


def _stats(vals: np.ndarray) -> dict:
    if len(vals) == 0:
        return {"mean": None, "sd": None, "n": 0}
    return {"mean": round(float(np.mean(vals)), 2),
            "sd": round(float(np.std(vals, ddof=1)), 2) if len(vals) > 1 else None, "n": len(vals)}


def _pattern(strikes: list[str]) -> dict:
    if not strikes:
        return {"pattern": None, "n": 0}
    counts = {k: strikes.count(k) for k in ("rearfoot", "midfoot", "forefoot")}
    return {"pattern": max(counts, key=counts.get), "n": len(strikes), "counts": counts}
