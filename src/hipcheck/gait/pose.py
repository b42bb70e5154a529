"""Pose backends behind one small interface. The default is MediaPipe BlazePose (mediapipe 0.10.21 ships
the model inside the wheel, so nothing is downloaded at run time)."""
from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import HipcheckError, InputError
from .keypoints import INDEX, Keypoints, empty

GAIT_EXTRA_HINT = "install the gait extra: pip install 'hipcheck[gait]'"
Progress = Callable[[int, int], None]

# MediaPipe Pose landmark index -> our name (foot_index is the tip of the toes).
BLAZEPOSE = {0: "nose", 7: "l_ear", 8: "r_ear", 11: "l_shoulder", 12: "r_shoulder", 13: "l_elbow",
             14: "r_elbow", 15: "l_wrist", 16: "r_wrist", 23: "l_hip", 24: "r_hip", 25: "l_knee",
             26: "r_knee", 27: "l_ankle", 28: "r_ankle", 29: "l_heel", 30: "r_heel", 31: "l_toe",
             32: "r_toe"}
# Only the "full" model (complexity 1) is inside the wheel; "lite" and "heavy" would be downloaded.
BUNDLED_MODEL = "pose_landmark_full.tflite"


def require(*modules: str):
    """Import the optional gait dependencies, or say which extra to install."""
    import importlib

    loaded = []
    for name in modules:
        try:
            loaded.append(importlib.import_module(name))
        except ImportError as exc:
            raise HipcheckError(f"gait and posture analysis need the Python package '{name.split('.')[0]}' "
                                f"({exc}): {GAIT_EXTRA_HINT}") from None
    return loaded[0] if len(loaded) == 1 else loaded


@contextlib.contextmanager
def quiet_native_stderr():
    """Silence what MediaPipe's C++ side prints on stderr while it starts (TFLite and absl notices the
    user cannot act on). Python errors still propagate."""
    fd = 2  # the C++ side writes to the process' stderr, whatever Python's sys.stderr is
    try:
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):
        pass
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        _flush_c_stdio()  # notices still in C's buffers go to /dev/null, not to the user later
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


def _flush_c_stdio() -> None:
    try:
        import ctypes

        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):
        pass


@dataclass(frozen=True)
class VideoInfo:
    path: str
    fps: float
    n_frames: int
    width: int
    height: int


def probe_video(path: str | Path) -> VideoInfo:
    cv2 = require("cv2")
    path = Path(path)
    if not path.is_file():
        raise InputError(f"video {path} does not exist")
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise InputError(f"{path}: cannot open it as a video (is it an MP4/MOV/AVI file?)")
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0)
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    finally:
        cap.release()
    if not (fps > 0 and np.isfinite(fps)):
        raise InputError(f"{path}: the video does not state its frame rate; convert it to MP4 with ffmpeg")
    if w <= 0 or h <= 0:
        raise InputError(f"{path}: the video has no picture")
    return VideoInfo(str(path), fps, n, w, h)


def iter_frames(path: str | Path, prefetch: int = 8, size: tuple[int, int] | None = None) -> Iterator[np.ndarray]:
    """Decoded BGR frames (resized to `size` (w, h) when given). A reader thread decodes ahead, so
    decoding overlaps the caller's work (OpenCV releases the GIL while it decodes)."""
    cv2 = require("cv2")
    q: queue.Queue = queue.Queue(maxsize=max(1, prefetch))
    stop = threading.Event()

    def reader():
        cap = cv2.VideoCapture(str(path))
        try:
            while not stop.is_set():
                ok, frame = cap.read()
                if not ok:
                    break
                if size is not None and (frame.shape[1], frame.shape[0]) != tuple(size):
                    frame = cv2.resize(frame, tuple(size), interpolation=cv2.INTER_LINEAR)
                q.put(frame)
        finally:
            cap.release()
            q.put(None)

    thread = threading.Thread(target=reader, name="hipcheck-video-reader", daemon=True)
    thread.start()
    try:
        while True:
            frame = q.get()
            if frame is None:
                return
            yield frame
    finally:
        stop.set()
        while thread.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.05)


class PoseBackend(Protocol):
    """Anything that turns a video or a photo into a `Keypoints` track."""
    name: str

    def estimate_video(self, path: str | Path, progress: Progress | None = None) -> Keypoints: ...

    def estimate_image(self, path: str | Path) -> Keypoints: ...


class MediaPipePose:
    """MediaPipe BlazePose (full model) on each frame, in tracking mode for videos.

    Parameters: detection/tracking confidences as MediaPipe defines them. Results: `keypoints_` after
    `estimate_video` or `estimate_image`.
    """

    name = "mediapipe-blazepose-full"

    def __init__(self, min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5,
                 smooth_landmarks: bool = True):
        self.min_detection_confidence = min_detection_confidence
        self.min_tracking_confidence = min_tracking_confidence
        self.smooth_landmarks = smooth_landmarks
        self.keypoints_: Keypoints | None = None
        self.kept_frames_: dict[int, np.ndarray] = {}

    def _pose(self, static: bool):
        mp = require("mediapipe")
        model = Path(mp.__file__).parent / "modules" / "pose_landmark" / BUNDLED_MODEL
        if not model.is_file():
            raise HipcheckError(f"MediaPipe's bundled pose model {model} is missing: reinstall mediapipe==0.10.21 "
                                f"({GAIT_EXTRA_HINT})")
        return mp.solutions.pose.Pose(static_image_mode=static, model_complexity=1,
                                      smooth_landmarks=self.smooth_landmarks and not static,
                                      min_detection_confidence=self.min_detection_confidence,
                                      min_tracking_confidence=self.min_tracking_confidence)

    @staticmethod
    def _store(result, xy, conf, t: int, w: int, h: int) -> None:
        lms = getattr(result, "pose_landmarks", None)
        if not lms:
            return
        lm = lms.landmark
        for j, name in BLAZEPOSE.items():
            k = INDEX[name]
            xy[t, k] = (lm[j].x * w, lm[j].y * h)
            conf[t, k] = lm[j].visibility

    def estimate_video(self, path: str | Path, progress: Progress | None = None,
                       keep: int = 5) -> Keypoints:
        """Keypoints of every frame. `keep` frames spread over the clip are kept in `kept_frames_` (for the
        scene's camera roll) so the video need not be read again."""
        cv2 = require("cv2")
        info = probe_video(path)
        wanted = set(np.linspace(0, max(info.n_frames - 1, 0), keep).astype(int).tolist()) if keep else set()
        self.kept_frames_ = {}
        total = max(info.n_frames, 1)
        xy, conf = empty(max(info.n_frames, 1))
        n = 0
        with quiet_native_stderr():
            pose = self._pose(static=False)
        with pose:
            for frame in iter_frames(path):
                if n >= len(xy):  # the container under-reported its frame count
                    xy = np.concatenate([xy, np.full_like(xy, np.nan)])
                    conf = np.concatenate([conf, np.full_like(conf, np.nan)])
                if n in wanted:
                    self.kept_frames_[n] = frame
                if n == 0:
                    with quiet_native_stderr():
                        result = pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
                else:
                    result = pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
                self._store(result, xy, conf, n, info.width, info.height)
                n += 1
                if progress and (n % 10 == 0 or n == total):
                    progress(min(n, total), total)
        if n == 0:
            raise InputError(f"{path}: no frames could be decoded from the video")
        self.keypoints_ = Keypoints(xy[:n], conf[:n], info.fps, info.width, info.height,
                                    source=f"{self.name} (mediapipe {require('mediapipe').__version__})",
                                    meta={"file": str(path)})
        return self.keypoints_

    def estimate_image(self, path: str | Path) -> Keypoints:
        cv2 = require("cv2")
        image = cv2.imread(str(path))
        if image is None:
            raise InputError(f"{path}: cannot read it as a photo (use a JPEG or PNG file)")
        h, w = image.shape[:2]
        xy, conf = empty(1)
        with quiet_native_stderr(), self._pose(static=True) as pose:
            self._store(pose.process(cv2.cvtColor(image, cv2.COLOR_BGR2RGB)), xy, conf, 0, w, h)
        self.keypoints_ = Keypoints(xy, conf, 1.0, w, h, source=self.name, meta={"file": str(path)})
        return self.keypoints_
