"""How much the gait pipeline costs on top of the pose model, on the real clip.

In one process it times, over the same frames:
  1. a bare MediaPipe loop: decode each frame with OpenCV, run BlazePose (full model) on it;
  2. the whole `hipcheck gait analyze VIDEO --no-store --format json` (pose, cleaning, events, metrics,
     findings, JSON);
  3. the same with `--out DIR` (also the annotated MP4, key-frame PNGs, CSV and keypoints file).
It prints frames per second for each, the overhead of 2 and 3 over 1, and the speed against real time.

    .venv/bin/python bench/gait_speed.py [VIDEO] [--repeat N]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VIDEO = ROOT.parent / "shared" / "data" / "running-video" / "male_side.mp4"


def bare_loop(video: Path) -> tuple[int, float, float]:
    import cv2
    import mediapipe as mp

    from hipcheck.gait.pose import quiet_native_stderr

    start, cpu = time.perf_counter(), time.process_time()
    with quiet_native_stderr():
        pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1)
    cap = cv2.VideoCapture(str(video))
    n = 0
    with pose:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            if n == 0:  # MediaPipe prints start-up notices on the first frame
                with quiet_native_stderr():
                    pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            else:
                pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            n += 1
    cap.release()
    return n, time.perf_counter() - start, time.process_time() - cpu


def whole_command(video: Path, out: Path | None) -> tuple[float, float]:
    from hipcheck.cli import main

    args = ["gait", "analyze", str(video), "--no-store", "--format", "json"]
    if out is not None:
        args += ["--out", str(out)]
    start, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            main(args)
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise RuntimeError(f"hipcheck {' '.join(args)} failed with code {exc.code}") from None
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", default=str(DEFAULT_VIDEO))
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the fastest counts")
    a = parser.parse_args()
    video = Path(a.video)
    if not video.exists():
        sys.exit(f"no video at {video}")
    os.environ.setdefault("HIPCHECK_HOME", tempfile.mkdtemp(prefix="hipcheck-bench-"))
    from hipcheck.gait.pose import probe_video

    info = probe_video(video)
    # import everything once so neither side pays the imports
    import cv2  # noqa: F401
    import mediapipe  # noqa: F401
    import scipy.signal  # noqa: F401

    import hipcheck.cli  # noqa: F401

    bare, whole, media = [], [], []
    for _ in range(a.repeat):
        n, t, c = bare_loop(video)
        bare.append((t, c))
        whole.append(whole_command(video, None))
        with tempfile.TemporaryDirectory() as d:
            media.append(whole_command(video, Path(d)))
    (tb, cb), (tw, cw), (tm, cm) = min(bare), min(whole), min(media)
    rows = [("bare MediaPipe loop", tb, cb), ("gait analyze (no media)", tw, cw),
            ("gait analyze --out (media)", tm, cm)]
    print(f"{video.name}: {n} frames, {info.width}x{info.height} at {info.fps:g} fps "
          f"({n / info.fps:.1f} s of video), {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    for name, t, c in rows:
        print(f"  {name:28s} {t:6.2f} s wall  {c:6.2f} s CPU  {n / t:6.1f} frames/s  "
              f"{n / info.fps / t:4.2f}x real time")
    print(f"  overhead over the bare loop, wall: {100 * (tw / tb - 1):+.1f}% without media, "
          f"{100 * (tm / tb - 1):+.1f}% with media (target: <= +10% for the analysis)")
    print(f"  overhead over the bare loop, CPU:  {100 * (cw / cb - 1):+.1f}% without media, "
          f"{100 * (cm / cb - 1):+.1f}% with media (all threads; wall time is what a user waits)")


if __name__ == "__main__":
    main()
