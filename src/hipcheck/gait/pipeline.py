"""The gait analysis from keypoints to findings: clean, correct roll, detect events, measure, judge."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..findings import Finding
from .clean import (
    ConfidenceGate,
    FrontalLabels,
    GapFiller,
    GlitchRejector,
    LowPassFilter,
    SideSwapRepair,
    leg_length_px,
)
from .events import StepDetector
from .keypoints import Keypoints
from .metrics import METRICS, RearViewMetrics, SideViewMetrics, StepRecord, summarise
from .quality import CaptureQuality, QualityNote, rear_foot_drift
from .roll import RunnerRoll, correct_roll
from .thresholds import GaitThresholds, load_gait_thresholds
from .view import ViewDetector

SCHEMA = "hipcheck.gait/v1"
VIEWS = ("side", "rear", "front")  # 'front': a frontal-plane view filmed from ahead (runner coming towards you)


@dataclass
class RollEstimate:
    deg: float
    source: str  # 'given' | 'scene' | 'runner' | 'none'
    scene_deg: float | None = None
    runner_deg: float | None = None

    def to_dict(self) -> dict:
        r = lambda v: None if v is None or not np.isfinite(v) else round(float(v), 2)
        return {"deg": r(self.deg), "source": self.source, "scene_deg": r(self.scene_deg),
                "runner_deg": r(self.runner_deg)}


class GaitAnalyzer:
    """Analyse one runner's keypoints.

    Parameters: `thresholds` (knowledge base), `min_confidence` (pose score below which a point is
    dropped), `leg_length_cm` (optional, for centimetres). Results after `analyze`: `view_`,
    `direction_`, `image_` (clean keypoints in picture coordinates, for drawing), `clean_` (clean and
    roll-corrected, what is measured), `leg_px_`, `roll_`, `steps_` (events), `records_` (per-step
    values), `summary_`, `cadence_spm_`, `findings_`, `quality_`.
    """

    def __init__(self, thresholds: GaitThresholds | None = None, min_confidence: float = 0.2,
                 leg_length_cm: float | None = None):
        self.th = thresholds or load_gait_thresholds()
        self.min_confidence = min_confidence
        self.leg_length_cm = leg_length_cm
        self.quality_: list[QualityNote] = []
        self.findings_: list[Finding] = []
        self.records_: list[StepRecord] = []
        self.summary_: dict = {}
        self.steps_ = []
        self.cadence_spm_ = float("nan")
        self.baseline_: dict | None = None
        self.facing_: str | None = None  # frontal-plane views: 'back' (filmed from behind) or 'front'

    def analyze(self, kp: Keypoints, view: str | None = None, roll_deg: float | None = None,
                scene_roll_deg: float | None = None, baseline: dict | None = None,
                previous_by_view: dict | None = None, where: str = "keypoints") -> GaitAnalyzer:
        """`baseline`: standing-photo values (`pelvic_tilt_deg`, `hip_adduction_deg` per side) subtracted in a
        rear view. `previous_by_view`: the runner's last metrics per view ('side'/'rear'), for change
        findings."""
        if view is not None and view not in VIEWS:
            raise InputError(f"view '{view}' is not one of: {', '.join(VIEWS)}")
        kp.check_usable(where)
        th, notes = self.th, self.quality_
        self.raw_ = kp
        gated = ConfidenceGate(self.min_confidence).apply(kp)
        # a video from in front measures the same frontal-plane metrics as one from behind, mirrored:
        # it is analysed (and compared with earlier videos) as the 'rear' view, with facing_ 'front'
        self.facing_ = "front" if view == "front" else None
        detector = ViewDetector().detect(gated, "rear" if view == "front" else view)
        self.view_, self.direction_ = detector.view_, detector.direction_
        if self.view_ == "rear":
            self.facing_ = self.facing_ or "back"
            if view == "front":
                detector.evidence_ = "view given as front: filmed from ahead, the runner's left on the image right"
        notes.append(QualityNote("view", "info", detector.evidence_ + (
            f"; runner faces image-{'right' if self.direction_ > 0 else 'left'}" if self.view_ == "side" else "")))

        self._clean(gated)
        self.leg_px_ = leg_length_px(self.image_)
        if not np.isfinite(self.leg_px_) or self.leg_px_ <= 0:
            raise InputError(f"{where}: could not measure the runner's legs (hips, knees and ankles)")
        self.roll_ = self._roll(roll_deg, scene_roll_deg)
        self.clean_ = correct_roll(self.image_, self.roll_.deg)
        self.sharp_ = correct_roll(self.sharp_image_, self.roll_.deg)
        self._roll_notes()

        quality = CaptureQuality(th).check(gated, kp, self.view_)
        notes.extend(quality.notes_)
        self.capture_ = quality

        events = StepDetector(th.value("gait_cadence_guard_tolerance")).detect(
            self.clean_, self.view_, self.direction_, self.leg_px_)
        if self.view_ == "side" and len(events.steps_) >= 2:
            # second pass: the alternating contacts pin which foot leads at each contact
            anchors = [(int(round(s.ic)), s.foot, self.direction_) for s in events.steps_]
            self._clean(gated, anchors)
            self.clean_ = correct_roll(self.image_, self.roll_.deg)
            self.sharp_ = correct_roll(self.sharp_image_, self.roll_.deg)
            events = StepDetector(th.value("gait_cadence_guard_tolerance")).detect(
                self.clean_, self.view_, self.direction_, self.leg_px_, sharp=self.sharp_)
        self.events_ = events
        self.steps_ = events.steps_
        if len(self.steps_) < 2:
            raise InputError(f"{where}: no running steps were found; film at least 10 s of steady running "
                             "with the whole body in view")
        self.cadence_spm_ = events.cadence_spm_
        if events.guard_:
            notes.append(QualityNote("cadence_guard", "warning", events.guard_))
        period = events.step_period_frames_

        if self.view_ == "side":
            m = SideViewMetrics(th.value("gait_foot_inclination_sdd_deg"), th.value("gait_contact_time_min_fps"),
                                self.leg_length_cm).compute(self.clean_, self.steps_, self.direction_,
                                                            self.leg_px_, period, contact=self.sharp_)
            self.flat_foot_deg_ = m.flat_foot_deg_
        else:
            self.baseline_ = baseline
            m = RearViewMetrics(baseline, self.facing_).compute(self.clean_, self.steps_, self.leg_px_, period)
            if not baseline:
                notes.append(QualityNote("no_posture_baseline", "info",
                                         "pelvic drop and hip adduction are measured against level; add a "
                                         "standing photo (hipcheck posture analyze) so your own standing "
                                         "values, and the pose model's keypoint offsets, are subtracted"))
        self.records_ = m.steps_
        self.summary_ = summarise(self.records_)
        self.summary_ = {"cadence_spm": {"unit": "steps/min", "validity": "normal",
                                         "all": {"mean": round(float(self.cadence_spm_), 1),
                                                 "n": events.span_steps_},
                                         "pelvis_bounce": _round(events.pelvis_cadence_spm_, 1)},
                         **self.summary_}
        if self.view_ == "rear":
            self.summary_["crossover_share"] = self._crossover_share()
            self.foot_drift_ = rear_foot_drift(self.clean_, self.steps_, period)
            limit = th.value("gait_rear_foot_drift_max")
            if np.isfinite(self.foot_drift_) and abs(self.foot_drift_) > limit:
                notes.append(QualityNote(
                    "camera_not_square", "warning",
                    f"the feet drift sideways {abs(self.foot_drift_):.2f} px per px as they pass under you, so the "
                    "camera is turned away from straight behind; the runner's forward leg swing then shows up as "
                    "sideways movement and hip adduction reads several degrees off. Put the camera directly "
                    "behind the treadmill's centre line."))
        self._step_notes()
        from .findings import GaitFindings

        previous = (previous_by_view or {}).get(self.view_)
        self.findings_ = GaitFindings(th, previous).evaluate(self.view_, self.summary_, self.cadence_spm_).findings_
        return self

    # -- parts ----------------------------------------------------------------------------------------------
    def _clean(self, gated: Keypoints, anchors: list | None = None) -> None:
        """Labels, glitches, gaps, then two low-pass versions in picture coordinates: `image_` (the
        standard cut-off, for events and smooth measures) and `sharp_image_` (a higher cut-off, for the
        angles at the instant of contact, which heavy filtering rounds off)."""
        th = self.th
        notes = [n for n in self.quality_ if n.code not in ("left_right_repaired", "not_filtered")]
        if self.view_ == "side":
            repair = SideSwapRepair()
            labelled = repair.apply(gated, anchors)
            if repair.swapped_frames_:
                notes.append(QualityNote("left_right_repaired", "info",
                                         f"repaired left/right leg mix-ups of the pose model in "
                                         f"{repair.swapped_frames_} of {gated.n_frames} frames"))
        else:
            labels = FrontalLabels(self.facing_)
            labelled = labels.apply(gated)
            if labels.relabelled_:
                rule = ("seen from behind, the runner's left is on the left" if self.facing_ == "back"
                        else "filmed from ahead, the runner's left is on the right")
                notes.append(QualityNote("left_right_repaired", "info",
                                         f"set left/right by picture side in {labels.relabelled_} frames ({rule})"))
        filled = GapFiller(th.value("gait_max_gap_s")).apply(GlitchRejector().apply(labelled))
        lowpass = LowPassFilter(th.value("gait_filter_cutoff_hz"))
        self.image_ = lowpass.apply(filled)
        self.sharp_image_ = LowPassFilter(th.value("gait_contact_filter_cutoff_hz")).apply(filled)
        if not lowpass.applied_:
            notes.append(QualityNote("not_filtered", "warning",
                                     f"at {gated.fps:.0f} fps the {th.value('gait_filter_cutoff_hz'):.0f} Hz "
                                     "low-pass filter cannot be applied; values are noisier"))
        self.quality_[:] = notes

    def _roll(self, given: float | None, scene: float | None) -> RollEstimate:
        runner = RunnerRoll().estimate(self.image_, self.view_, self.leg_px_).roll_deg_
        runner_v = runner if np.isfinite(runner) else None
        if given is not None:
            return RollEstimate(float(given), "given", scene, runner_v)
        if scene is not None and np.isfinite(scene):
            return RollEstimate(float(scene), "scene", scene, runner_v)
        if runner_v is not None:
            return RollEstimate(runner_v, "runner", None, runner_v)
        return RollEstimate(0.0, "none", None, None)

    def _roll_notes(self) -> None:
        r, notes = self.roll_, self.quality_
        how = {"given": "as given", "scene": "from straight vertical edges in the scene",
               "runner": "from the line the feet land on (no usable scene edges)",
               "none": "not measurable; assumed level"}[r.source]
        notes.append(QualityNote("camera_roll", "info", f"camera roll {r.deg:+.1f}° {how}, corrected"))
        if r.source == "runner":
            notes.append(QualityNote("roll_from_runner", "info",
                                     "roll came from the feet: a camera not square to the runner tilts that "
                                     "line too (about 2° per 10° of turn at hip height), so film square-on "
                                     "or include a door frame or post in the picture"))
        if abs(r.deg) > self.th.value("gait_roll_warn_deg"):
            notes.append(QualityNote("camera_tilted", "warning",
                                     f"the camera was turned {abs(r.deg):.1f}° about its axis; it was corrected, "
                                     "but level the camera next time"))

    def _step_notes(self) -> None:
        need = int(self.th.value("gait_min_steps_per_side"))
        counts = self.step_counts()
        if min(counts.values()) < need:
            self.quality_.append(QualityNote(
                "few_steps", "warning",
                f"only {counts['left']} left and {counts['right']} right steps: fewer than {need} per side give "
                "an unreliable average (Dingenen 2018), so findings carry less weight; film 15-20 s of steady "
                "running"))
        df = (self.summary_.get("duty_factor_pct") or {}).get("all", {}).get("mean")
        lo, hi = self.th.value("gait_duty_factor_min_pct"), self.th.value("gait_duty_factor_max_pct")
        if df is not None and not lo <= df <= hi:
            self.quality_.append(QualityNote(
                "implausible_contact", "warning",
                f"duty factor {df:.0f}% is outside the {lo:.0f}-{hi:.0f}% a runner shows; the contact or "
                "toe-off times are probably off, so treat contact time with caution"))
        pb = self.events_.pelvis_cadence_spm_
        if np.isfinite(pb) and np.isfinite(self.cadence_spm_) and \
                abs(pb / self.cadence_spm_ - 1) > self.th.value("gait_cadence_guard_tolerance"):
            self.quality_.append(QualityNote(
                "cadence_disagrees", "warning",
                f"counted cadence {self.cadence_spm_:.0f} steps/min disagrees with the pelvis bounce "
                f"({pb:.0f}); some steps may be missed or doubled"))

    def _crossover_share(self) -> dict:
        out = {}
        for side in ("left", "right"):
            vals = [r.values["foot_to_midline_pct_hip_width"] for r in self.records_
                    if r.foot == side and "foot_to_midline_pct_hip_width" in r.values]
            crossed = sum(1 for v in vals if v <= 0)
            out[side] = {"crossed": crossed, "n": len(vals), "fraction": round(crossed / len(vals), 2) if vals else None}
        return out

    # -- output ---------------------------------------------------------------------------------------------
    def step_counts(self) -> dict[str, int]:
        return {side: sum(1 for s in self.steps_ if s.foot == side) for side in ("left", "right")}

    def document(self) -> dict:
        fps = self.raw_.fps
        doc = {
            "schema": SCHEMA,
            "view": self.view_,
            "direction": ({1: "right", -1: "left"}.get(self.direction_) if self.view_ == "side" else None),
            "filmed_from": {"back": "behind", "front": "ahead"}.get(self.facing_ or "", "side"),
            "frames": self.raw_.n_frames,
            "fps": round(float(fps), 3),
            "duration_s": round(self.raw_.duration_s, 3),
            "cadence_spm": _round(self.cadence_spm_, 1),
            "steps": self.step_counts(),
            "metrics": self.summary_,
            "findings": [f.to_dict() for f in self.findings_],
            "quality": [n.to_dict() for n in self.quality_],
            "roll": self.roll_.to_dict(),
            "pose": {"source": self.raw_.source, "leg_length_px": _round(self.leg_px_, 1),
                     "runner_height_px": _round(self.capture_.runner_height_px_, 1)},
            "events": [{"foot": s.foot, "contact_s" if self.view_ == "side" else "midstance_s": round(s.ic / fps, 4),
                        "toe_off_s": round(s.to / fps, 4) if s.to is not None else None} for s in self.steps_],
            "per_step": [{"index": r.index, "foot": r.foot, "time_s": round(r.ic_s, 4),
                          "toe_off_s": None if r.to_s is None else round(r.to_s, 4), "strike": r.strike,
                          **{k: round(v, 2) for k, v in r.values.items()}} for r in self.records_],
        }
        if self.view_ == "rear":
            doc["posture_baseline"] = self.baseline_
        return doc

    def steps_csv(self) -> str:
        """One row per step: foot, times and every metric (empty where not measured)."""
        names = [n for n in METRICS if any(n in r.values for r in self.records_)]
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["step", "foot", "time_s", "toe_off_s", "strike", *names])
        for r in self.records_:
            w.writerow([r.index, r.foot, f"{r.ic_s:.4f}", "" if r.to_s is None else f"{r.to_s:.4f}",
                        r.strike or "", *[("" if n not in r.values else f"{r.values[n]:.2f}") for n in names]])
        return buf.getvalue()


def _round(v, nd):
    return None if v is None or not np.isfinite(v) else round(float(v), nd)
