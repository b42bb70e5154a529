"""Pictures of the analysis: the annotated video (skeleton, angles at contact, a slowed replay of
contacts, a metrics panel) and one key frame per side."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from ..errors import HipcheckError
from .keypoints import INDEX, Keypoints
from .pipeline import GaitAnalyzer

LEFT, RIGHT, CENTRE, MARK = (255, 160, 40), (40, 140, 255), (235, 235, 235), (60, 220, 60)  # BGR
_BONES = [("shoulder", "elbow"), ("elbow", "wrist"), ("hip", "knee"), ("knee", "ankle"), ("ankle", "heel"),
          ("heel", "toe"), ("ankle", "toe")]
PANEL_FRAC = 0.42  # panel width as a share of the picture height (portrait phone video)


def _cv2():
    from .pose import require

    return require("cv2")


def _pt(p) -> tuple[int, int] | None:
    return (int(round(p[0])), int(round(p[1]))) if np.all(np.isfinite(p)) else None


def _text(img, text: str, org, scale: float, color=(255, 255, 255), thick: int = 1) -> None:
    cv2 = _cv2()
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thick + 2, cv2.LINE_AA)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, color, thick, cv2.LINE_AA)


def draw_skeleton(img: np.ndarray, pts: np.ndarray, thick: int) -> None:
    """Draw one frame's points (K, 2): left side blue, right side orange, trunk white."""
    cv2 = _cv2()
    for side, color in (("l", LEFT), ("r", RIGHT)):
        for a, b in _BONES:
            pa, pb = _pt(pts[INDEX[f"{side}_{a}"]]), _pt(pts[INDEX[f"{side}_{b}"]])
            if pa and pb:
                cv2.line(img, pa, pb, color, thick, cv2.LINE_AA)
    for a, b in (("l_shoulder", "r_shoulder"), ("l_hip", "r_hip")):
        pa, pb = _pt(pts[INDEX[a]]), _pt(pts[INDEX[b]])
        if pa and pb:
            cv2.line(img, pa, pb, CENTRE, thick, cv2.LINE_AA)
    sh, hp = (pts[INDEX["l_shoulder"]] + pts[INDEX["r_shoulder"]]) / 2, (pts[INDEX["l_hip"]] + pts[INDEX["r_hip"]]) / 2
    if _pt(sh) and _pt(hp):
        cv2.line(img, _pt(sh), _pt(hp), CENTRE, thick, cv2.LINE_AA)
    for k, p in enumerate(pts):
        q = _pt(p)
        if q:
            cv2.circle(img, q, thick + 1, CENTRE, -1, cv2.LINE_AA)


class Annotator:
    """Draws on frames for one analysis. Parameters: the finished `GaitAnalyzer`, `max_height` (frames
    are scaled down to it: the video stays light to write and to share)."""

    def __init__(self, analysis: GaitAnalyzer, max_height: int | None = None):
        self.a = analysis
        kp = analysis.image_
        self.kp = kp
        h = kp.height or np.nanmax(kp.xy[..., 1]) * 1.05
        w = kp.width or np.nanmax(kp.xy[..., 0]) * 1.05
        zoom = min(1.0, max_height / h) if max_height else 1.0
        self.h, self.w = int(round(h * zoom)), int(round(w * zoom))
        self.xy = kp.xy * zoom
        self.scale = max(0.4, self.h / 1600)
        self.thick = max(2, int(round(self.h / 400)))
        self.panel_w = int(PANEL_FRAC * self.h)
        self.panel = self._panel()
        self.by_frame = {}
        for i, st in enumerate(analysis.steps_):
            self.by_frame.setdefault(int(round(st.ic)), []).append(i)

    # -- frame parts ----------------------------------------------------------------------------------------
    def blank(self) -> np.ndarray:
        return np.full((self.h, self.w, 3), 40, np.uint8)

    def frame(self, image: np.ndarray | None, t: int, label: str | None = None) -> np.ndarray:
        img = self.blank() if image is None else image.copy()
        draw_skeleton(img, self.xy[t], self.thick)
        for i in self.by_frame.get(t, []):
            self.annotate_step(img, i)
        if label:
            _text(img, label, (int(0.03 * self.w), int(0.05 * self.h)), 1.6 * self.scale, MARK, self.thick)
        return np.hstack([img, self.panel])

    def annotate_step(self, img: np.ndarray, i: int) -> None:
        a, st = self.a, self.a.steps_[i]
        rec = a.records_[i].values
        t = int(round(st.ic))
        s = st.foot[0]
        color = LEFT if st.foot == "left" else RIGHT
        cv2 = _cv2()
        P = {n: self.xy[t, INDEX[n]] for n in INDEX}
        x0 = int(0.03 * self.w)
        if a.view_ == "side":
            knee, ankle, heel = _pt(P[f"{s}_knee"]), _pt(P[f"{s}_ankle"]), _pt(P[f"{s}_heel"])
            if knee and ankle:  # vertical reference through the knee, then the shank
                up = int(0.6 * abs(ankle[1] - knee[1])) + 10
                cv2.line(img, knee, (knee[0], knee[1] + up), MARK, 1, cv2.LINE_AA)
                cv2.line(img, knee, ankle, MARK, self.thick + 1, cv2.LINE_AA)
            hip_mid = (P["l_hip"] + P["r_hip"]) / 2
            if _pt(hip_mid) and heel:  # how far the heel lands ahead of the pelvis
                y = heel[1] + 3 * self.thick
                cv2.line(img, (_pt(hip_mid)[0], y), (heel[0], y), MARK, self.thick, cv2.LINE_AA)
            lines = [f"{st.foot} contact",
                     f"knee {rec.get('knee_flexion_contact_deg', float('nan')):.0f} deg",
                     f"shin {rec.get('tibia_angle_deg', float('nan')):+.0f} deg",
                     f"heel {rec.get('overstride_pct_leg', float('nan')):+.0f}% leg"]
        else:
            lh, rh = _pt(P["l_hip"]), _pt(P["r_hip"])
            if lh and rh:
                cv2.line(img, lh, rh, MARK, self.thick + 1, cv2.LINE_AA)
                cv2.line(img, lh, (rh[0], lh[1]), MARK, 1, cv2.LINE_AA)
            lines = [f"{st.foot} stance",
                     f"pelvic drop {rec.get('pelvic_drop_deg', float('nan')):.1f} deg",
                     f"hip add {rec.get('hip_adduction_deg', float('nan')):.1f} deg"]
        y = int(0.10 * self.h)
        for line in lines:
            _text(img, line, (x0, y), 1.3 * self.scale, color, self.thick)
            y += int(0.035 * self.h)

    def _panel(self) -> np.ndarray:
        a = self.a
        panel = np.full((self.h, self.panel_w, 3), 25, np.uint8)
        doc = a.summary_
        rows = [("hipcheck gait", None), (f"{a.view_} view, {a.raw_.fps:.0f} fps", None),
                (f"cadence {a.cadence_spm_:.0f} steps/min", None), ("", None), ("            left  right", None)]
        for name, label in (("contact_time_ms", "contact ms"), ("duty_factor_pct", "duty %"),
                            ("overstride_pct_leg", "heel ahd %"), ("tibia_angle_deg", "shin deg"),
                            ("knee_flexion_contact_deg", "knee IC"), ("knee_flexion_peak_deg", "knee max"),
                            ("trunk_lean_deg", "trunk deg"), ("vertical_oscillation_pct_leg", "bounce %"),
                            ("pelvic_drop_deg", "pelv drop"), ("hip_adduction_deg", "hip add"),
                            ("lateral_trunk_lean_deg", "side lean"), ("knee_valgus_deg", "valgus*")):
            m = doc.get(name)
            if not m:
                continue
            l, r = m["left"]["mean"], m["right"]["mean"]
            fmt = lambda v: "  -  " if v is None else f"{v:5.1f}"
            rows.append((f"{label:<10} {fmt(l)} {fmt(r)}", None))
        if "knee_valgus_deg" in doc:
            rows.append(("* low validity in 2D", None))
        rows.append(("", None))
        rows.append(("findings:", None))
        for f in a.findings_ or []:
            rows.append((f"- {f.id.replace('_', ' ')}", MARK))
        if not a.findings_:
            rows.append(("- none", None))
        y = int(0.05 * self.h)
        for text, color in rows:
            _text(panel, text, (int(0.04 * self.panel_w), y), 1.05 * self.scale, color or (255, 255, 255),
                  max(1, self.thick - 1))
            y += int(0.032 * self.h)
        return panel


def _replay_steps(a: GaitAnalyzer, per_side: int = 2) -> list[int]:
    """Steps to show slowed down: the ones nearest each side's typical values, `per_side` each."""
    key = "tibia_angle_deg" if a.view_ == "side" else "pelvic_drop_deg"
    out = []
    for side in ("left", "right"):
        idx = [i for i, r in enumerate(a.records_) if r.foot == side and key in r.values]
        if not idx:
            continue
        med = np.median([a.records_[i].values[key] for i in idx])
        out += sorted(idx, key=lambda i: abs(a.records_[i].values[key] - med))[:per_side]
    return sorted(out)


class _ThreadedWriter:
    """cv2.VideoWriter fed from a queue by its own thread, so encoding overlaps drawing."""

    def __init__(self, writer):
        import queue
        import threading

        self.writer = writer
        self.q: queue.Queue = queue.Queue(maxsize=8)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="hipcheck-video-writer", daemon=True)
        self.thread.start()

    def _run(self):
        while True:
            img = self.q.get()
            if img is None:
                return
            try:
                self.writer.write(img)
            except BaseException as exc:  # noqa: BLE001 - reported by close()
                self.error = exc

    def write(self, img) -> None:
        self.q.put(img)

    def close(self) -> None:
        self.q.put(None)
        self.thread.join()
        self.writer.release()
        if self.error is not None:
            raise HipcheckError(f"writing the video failed: {self.error}")


def video_size(a: GaitAnalyzer, max_height: int = 720) -> tuple[int, int]:
    """The picture size (w, h) the annotated video uses for the source frames."""
    ann = Annotator(a, max_height)
    return ann.w, ann.h


def write_video(a: GaitAnalyzer, frames: Iterable[np.ndarray] | None, path: Path, slow_factor: int = 4,
                replay_half_window: int = 3, progress: Callable[[int, int], None] | None = None,
                max_height: int = 720) -> Path:
    """The annotated video at normal speed, then each replay step's contact slowed `slow_factor` times.
    Frames are scaled to `max_height` (pass frames already at `video_size` to skip resizing here)."""
    cv2 = _cv2()
    ann = Annotator(a, max_height)
    n = a.image_.n_frames
    size = (ann.w + ann.panel_w, ann.h)
    raw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), float(a.raw_.fps), size)
    if not raw.isOpened():
        raise HipcheckError(f"cannot write the video {path}: check the folder is writable")
    writer = _ThreadedWriter(raw)
    replay = _replay_steps(a)
    keep = {t for i in replay for t in range(int(round(a.steps_[i].ic)) - replay_half_window,
                                             int(round(a.steps_[i].ic)) + replay_half_window + 1)}
    stored: dict[int, np.ndarray] = {}
    try:
        source = iter(frames) if frames is not None else None
        for t in range(n):
            image = next(source, None) if source is not None else None
            if image is not None and image.shape[:2] != (ann.h, ann.w):
                image = cv2.resize(image, (ann.w, ann.h), interpolation=cv2.INTER_LINEAR)
            if t in keep:
                stored[t] = image
            writer.write(ann.frame(image, t))
            if progress and (t % 10 == 0 or t == n - 1):
                progress(t + 1, n)
        for i in replay:
            st = a.steps_[i]
            c = int(round(st.ic))
            for t in range(max(0, c - replay_half_window), min(n, c + replay_half_window + 1)):
                label = f"slow x{slow_factor}: {st.foot} {'contact' if a.view_ == 'side' else 'stance'}"
                img = ann.frame(stored.get(t), t, label)
                for _ in range(slow_factor):
                    writer.write(img)
    finally:
        writer.close()
    return path


def write_key_frames(a: GaitAnalyzer, read_frame: Callable[[int], np.ndarray | None], out_dir: Path) -> list[Path]:
    """One PNG per side at a typical contact (side view) or midstance (rear view)."""
    cv2 = _cv2()
    ann = Annotator(a)
    paths = []
    word = "contact" if a.view_ == "side" else "midstance"
    for i in _replay_steps(a, per_side=1):
        st = a.steps_[i]
        t = int(round(st.ic))
        image = read_frame(t)
        if image is not None and image.shape[:2] != (ann.h, ann.w):
            image = cv2.resize(image, (ann.w, ann.h))
        img = ann.frame(image, t, f"{st.foot} {word} at {st.ic / a.raw_.fps:.2f} s")
        path = out_dir / f"{word}_{st.foot}.png"
        if not cv2.imwrite(str(path), img):
            raise HipcheckError(f"cannot write {path}: check the folder is writable")
        paths.append(path)
    return paths


def read_frame_at(video: str | Path | None) -> Callable[[int], np.ndarray | None]:
    """A function returning frame t of the video (None without a video)."""
    if video is None:
        return lambda t: None
    cv2 = _cv2()

    def read(t: int):
        cap = cv2.VideoCapture(str(video))
        try:
            cap.set(cv2.CAP_PROP_POS_FRAMES, t)
            ok, frame = cap.read()
            return frame if ok else None
        finally:
            cap.release()

    return read


def write_posture_image(kp: Keypoints, metrics: dict, image: np.ndarray | None, path: Path) -> Path:
    """The photo with the skeleton, the hip and shoulder lines against level, and the measured values.
    `kp` is in picture coordinates; the level reference is turned by the measured camera roll."""
    cv2 = _cv2()
    h = int(kp.height or np.nanmax(kp.xy[..., 1]) * 1.05)
    w = int(kp.width or np.nanmax(kp.xy[..., 0]) * 1.05)
    img = np.full((h, w, 3), 40, np.uint8) if image is None else image.copy()
    thick = max(2, int(round(h / 400)))
    scale = max(0.4, h / 1600)
    pts = kp.xy[0]
    draw_skeleton(img, pts, thick)
    roll = np.radians(metrics.get("roll", {}).get("deg") or 0.0)
    for joint in ("hip", "shoulder"):
        a, b = pts[INDEX[f"l_{joint}"]], pts[INDEX[f"r_{joint}"]]
        if _pt(a) and _pt(b):
            cv2.line(img, _pt(a), _pt(b), MARK, thick + 1, cv2.LINE_AA)
            mid, half = (a + b) / 2, abs(b[0] - a[0]) / 2 + 20
            level = np.array([np.cos(roll), np.sin(roll)]) * half
            cv2.line(img, _pt(mid - level), _pt(mid + level), (200, 200, 200), 1, cv2.LINE_AA)
    lines = [f"pelvis {abs(metrics['pelvic_tilt_deg']):.1f} deg lower {metrics['pelvis_lower_side']}",
             f"shoulders {abs(metrics['shoulder_tilt_deg']):.1f} deg lower {metrics['shoulder_lower_side']}",
             f"trunk shift {abs(metrics['trunk_shift_deg']):.1f} deg to {metrics['trunk_shift_side']}",
             f"camera roll {metrics.get('roll', {}).get('deg') or 0:+.1f} deg corrected"]
    if metrics.get("leg_length_flag"):
        lines.append(f"apparent leg-length difference: {metrics['pelvis_lower_side']} looks shorter")
    y = int(0.05 * h)
    for line in lines:
        _text(img, line, (int(0.03 * w), y), 1.2 * scale, MARK, thick)
        y += int(0.035 * h)
    if not cv2.imwrite(str(path), img):
        raise HipcheckError(f"cannot write {path}: check the folder is writable")
    return path
