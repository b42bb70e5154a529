"""Running gait from a phone video and standing posture from a photo.

pose (MediaPipe BlazePose) or formats (keypoints made elsewhere) -> keypoints -> clean (labels, glitches,
gaps, low-pass) and roll (camera roll) -> events (contacts, toe-offs, cadence) -> metrics -> findings,
with quality gates, posture, render (annotated video, key frames) and synthetic (validation runner).
Definitions and sources: docs/gait-metrics.md. The heavy dependencies (mediapipe, OpenCV, SciPy) are
the `gait` extra and are imported only when used.
"""
