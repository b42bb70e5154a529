"""Turn gait and posture metrics into findings, with thresholds from the knowledge base.

2D angles are not 3D-lab angles (Needham 2021, Van Hooren 2023), so rules compare the runner with
themselves: one side against the other, running against their standing photo, this video against their
last one. A difference counts only when it is larger than Dingenen 2018's smallest detectable difference.
"""
from __future__ import annotations

from ..findings import Finding
from .thresholds import GaitThresholds

OTHER = {"left": "right", "right": "left"}


def strength_label(weight: float) -> str:
    """The shared Finding's strength word for a 0-1 weight from gait_thresholds.yaml (same cut-offs as
    the training-load findings, so weights read alike across analysers)."""
    return "weak" if weight < 0.35 else "moderate" if weight < 0.65 else "strong"


def _mean(summary: dict, metric: str, side: str) -> float | None:
    return (summary.get(metric) or {}).get(side, {}).get("mean")


def _n(summary: dict, metric: str, side: str) -> int:
    return int((summary.get(metric) or {}).get(side, {}).get("n") or 0)


class GaitFindings:
    """Findings from one analysis. Parameters: the thresholds, and optionally `previous` (the metrics of
    the runner's last analysis from the same view). Results: `findings_`."""

    def __init__(self, thresholds: GaitThresholds, previous: dict | None = None):
        self.th = thresholds
        self.previous = previous or {}
        self.findings_: list[Finding] = []

    # -- helpers ----------------------------------------------------------------------------------------
    def _strength(self, strength_id: str, *ns: int) -> float:
        s = self.th.value(strength_id)
        if ns and min(ns) < self.th.value("gait_min_steps_per_side"):
            s *= self.th.value("gait_few_steps_strength_factor")
        return round(s, 2)

    def _add(self, rf: str, evidence: str, strength: float, threshold_id: str, **data) -> None:
        self.findings_.append(Finding(
            id=rf, evidence=evidence, strength=strength_label(strength), source=self.th.source(threshold_id),
            data={**data, "weight": strength, "threshold": threshold_id, "threshold_value": self.th.value(threshold_id),
                  "sources": self.th.sources(threshold_id), **self.th.advice(rf)}))

    def _asymmetry(self, summary: dict, metric: str, sdd_id: str):
        """(worse side, its mean, other mean, difference) when the sides differ by more than the SDD."""
        left, right = _mean(summary, metric, "left"), _mean(summary, metric, "right")
        if left is None or right is None:
            return None
        diff = left - right
        if abs(diff) <= self.th.value(sdd_id):
            return None
        side = "left" if diff > 0 else "right"
        return side, max(left, right), min(left, right), abs(diff)

    def _changes(self, summary: dict, metric: str, sdd_id: str):
        """Sides where the mean rose by more than the SDD since the previous analysis."""
        out = []
        for side in ("left", "right"):
            now, before = _mean(summary, metric, side), _mean(self.previous, metric, side)
            if now is not None and before is not None and now - before > self.th.value(sdd_id):
                out.append((side, now, before))
        return out

    # -- rules ------------------------------------------------------------------------------------------
    def evaluate(self, view: str, summary: dict, cadence_spm: float | None) -> GaitFindings:
        if view == "rear":
            self._pelvic_drop(summary)
            self._hip_adduction(summary)
            self._crossover(summary)
            self._lateral_trunk(summary)
        else:
            overstride = self._overstride(summary)
            if overstride:
                self._heel_strike(summary)
                self._low_cadence(cadence_spm)
            self._forward_trunk(summary)
        return self

    def _pelvic_drop(self, s: dict) -> None:
        sdd = "gait_pelvic_drop_sdd_deg"
        self._side_metric(
            s, "pelvic_drop", "pelvic_drop_deg", sdd, "gait_strength_pelvic_drop",
            lambda side, worse, better, diff: (
                f"Your pelvis drops more when you stand on your {side} leg: the opposite hip sinks "
                f"{worse:.1f}° against {better:.1f}° when you stand on your {OTHER[side]} leg (a "
                f"{diff:.1f}° difference, more than the {self.th.value(sdd):.1f}° a repeat test varies by)."),
            lambda side, now, before: (
                f"Your pelvis drops more than last time when you stand on your {side} leg: "
                f"{now:.1f}° now against {before:.1f}° in your previous video."))

    def _hip_adduction(self, s: dict) -> None:
        self._side_metric(
            s, "hip_adduction", "hip_adduction_deg", "gait_hip_adduction_sdd_deg", "gait_strength_hip_adduction",
            lambda side, worse, better, diff: (
                f"Your {side} knee swings further in towards the midline while that foot is on the "
                f"ground: hip adduction {worse:.1f}° against {better:.1f}° on the {OTHER[side]} side."),
            lambda side, now, before: (
                f"Your {side} knee swings further in than last time: hip adduction {now:.1f}° now "
                f"against {before:.1f}° before."))

    def _side_metric(self, s: dict, finding: str, metric: str, sdd: str, strength: str,
                     asymmetry_text, change_text) -> None:
        """A finding when one side differs from the other, or from the last video, by more than the SDD."""
        asym = self._asymmetry(s, metric, sdd)
        if asym:
            side, worse, better, diff = asym
            self._add(finding, asymmetry_text(side, worse, better, diff),
                      self._strength(strength, _n(s, metric, "left"), _n(s, metric, "right")),
                      sdd, side=side, metric=metric, rule="left_right_difference",
                      values={"left": _mean(s, metric, "left"), "right": _mean(s, metric, "right")})
        for side, now, before in self._changes(s, metric, sdd):
            self._add(finding, change_text(side, now, before), self._strength(strength, _n(s, metric, side)),
                      sdd, side=side, metric=metric, rule="change_since_last",
                      values={"now": now, "before": before})

    def _crossover(self, s: dict) -> None:
        tid = "gait_crossover_fraction"
        share = (s.get("crossover_share") or {})
        for side in ("left", "right"):
            info = share.get(side)
            if not info or not info["n"]:
                continue
            if info["fraction"] >= self.th.value(tid):
                self._add("crossover_gait",
                          f"Your {side} foot lands on or across the line under your body in "
                          f"{info['crossed']} of {info['n']} steps, as if running on a tightrope.",
                          self._strength("gait_strength_crossover", info["n"]), tid, side=side,
                          metric="foot_to_midline_pct_hip_width", rule="share_of_steps", values=info)

    def _lateral_trunk(self, s: dict) -> None:
        sdd = "gait_trunk_sdd_deg"
        asym = self._asymmetry(s, "lateral_trunk_lean_deg", sdd)
        if asym:
            side, worse, better, _ = asym
            self._add("trunk_lean",
                      f"You lean your upper body over your {side} leg more than over your {OTHER[side]} leg "
                      f"({worse:.1f}° against {better:.1f}°), a common way to spare the side hip muscles.",
                      self._strength("gait_strength_trunk_lean", _n(s, "lateral_trunk_lean_deg", "left"),
                                     _n(s, "lateral_trunk_lean_deg", "right")),
                      sdd, side=side, metric="lateral_trunk_lean_deg", rule="left_right_difference",
                      values={"left": _mean(s, "lateral_trunk_lean_deg", "left"),
                              "right": _mean(s, "lateral_trunk_lean_deg", "right")})

    def _forward_trunk(self, s: dict) -> None:
        sdd = "gait_trunk_sdd_deg"
        now, before = _mean(s, "trunk_lean_deg", "all"), _mean(self.previous, "trunk_lean_deg", "all")
        if now is not None and before is not None and now - before > self.th.value(sdd):
            self._add("trunk_lean",
                      f"You lean further forward than last time: {now:.1f}° now against {before:.1f}° in your "
                      "previous video.",
                      self._strength("gait_strength_trunk_lean", _n(s, "trunk_lean_deg", "all")),
                      sdd, side=None, metric="trunk_lean_deg", rule="change_since_last",
                      values={"now": now, "before": before})

    def _overstride(self, s: dict) -> bool:
        tid = "gait_overstride_tibia_deg"
        limit = self.th.value(tid)
        sides = [side for side in ("left", "right")
                 if (_mean(s, "tibia_angle_deg", side) or -99) > limit]
        if not sides:
            return False
        which = "both feet" if len(sides) == 2 else f"your {sides[0]} foot"
        tib = ", ".join(f"{side} {_mean(s, 'tibia_angle_deg', side):.1f}°" for side in sides)
        ahead = _mean(s, "overstride_pct_leg", "all")
        ahead_txt = f", heel {ahead:.0f}% of your leg length ahead of your hips" if ahead is not None else ""
        self._add("overstride",
                  f"You land with {which} well ahead of your hips: the shin reaches forward at contact "
                  f"({tib}; near vertical is the aim){ahead_txt}.",
                  self._strength("gait_strength_overstride", *[_n(s, "tibia_angle_deg", x) for x in sides]),
                  tid, side=sides[0] if len(sides) == 1 else "both", metric="tibia_angle_deg",
                  rule="above_limit", values={x: _mean(s, "tibia_angle_deg", x) for x in ("left", "right")})
        return True

    def _heel_strike(self, s: dict) -> None:
        strike = (s.get("foot_strike") or {}).get("all") or {}
        angle = _mean(s, "foot_inclination_deg", "all")
        if strike.get("pattern") != "rearfoot" or angle is None:
            return
        tid = "gait_foot_inclination_sdd_deg"
        self._add("heel_striking",
                  f"You land on your heel with the toes up ({angle:.0f}° at contact) while the foot is out in "
                  "front of you; the two together send more braking force up the leg.",
                  self._strength("gait_strength_heel_striking", strike.get("n", 0)), tid, side=None,
                  metric="foot_inclination_deg", rule="rearfoot_with_overstride",
                  values={"foot_inclination_deg": angle, "counts": strike.get("counts")})

    def _low_cadence(self, cadence_spm: float | None) -> None:
        if not cadence_spm:
            return
        lo, hi = self.th.value("gait_cadence_raise_min_pct"), self.th.value("gait_cadence_raise_max_pct")
        self._add("low_cadence",
                  f"Your step rate is {cadence_spm:.0f} steps per minute. With the overstride above, raising it "
                  f"by {lo:.0f}-{hi:.0f}% (to about {cadence_spm * (1 + lo / 100):.0f}-"
                  f"{cadence_spm * (1 + hi / 100):.0f}) at the same pace is the usual way to land closer under "
                  "your hips.",
                  self.th.value("gait_strength_low_cadence"), "gait_cadence_raise_min_pct", side=None,
                  metric="cadence_spm", rule="with_overstride",
                  values={"cadence_spm": round(cadence_spm, 1)})


class PostureFindings:
    """Findings from a standing photo: a tilted pelvis, and an apparent leg-length difference.
    Results: `findings_`."""

    def __init__(self, thresholds: GaitThresholds):
        self.th = thresholds
        self.findings_: list[Finding] = []

    def evaluate(self, metrics: dict) -> PostureFindings:
        tid = "posture_tilt_sdd_deg"
        tilt = metrics.get("pelvic_tilt_deg")
        if tilt is not None and abs(tilt) > self.th.value(tid):
            low = metrics.get("pelvis_lower_side")
            self.findings_.append(Finding(
                id="pelvic_asymmetry",
                evidence=f"Standing, your pelvis sits lower on the {low} side by {abs(tilt):.1f}° (more than the "
                         f"{self.th.value(tid):.1f}° the keypoints can tell apart).",
                strength=strength_label(self.th.value("posture_strength_pelvic_asymmetry")),
                source=self.th.source(tid),
                data={"weight": self.th.value("posture_strength_pelvic_asymmetry"), "side": low, "metric": "pelvic_tilt_deg", "value": tilt, "threshold": tid,
                      "sources": self.th.sources(tid), **self.th.advice("pelvic_asymmetry")}))
        if metrics.get("leg_length_flag"):
            short = metrics.get("pelvis_lower_side")
            self.findings_.append(Finding(
                id="leg_length_difference",
                evidence=f"With both knees straight, your {short} leg looks shorter: the pelvis is "
                         f"{abs(tilt):.1f}° lower on that side. A photo cannot tell a shorter bone from a tilted "
                         "pelvis; ask a physiotherapist to check before trying a heel lift.",
                strength=strength_label(self.th.value("posture_strength_leg_length")),
                source=self.th.source("posture_straight_knee_max_deg"),
                data={"weight": self.th.value("posture_strength_leg_length"), "side": short, "metric": "pelvic_tilt_deg", "value": tilt,
                      "threshold": "posture_straight_knee_max_deg",
                      "sources": self.th.sources("posture_straight_knee_max_deg"),
                      **self.th.advice("leg_length_difference")}))
        return self
