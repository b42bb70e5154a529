"""Web app settings, from the environment (every one has a safe default for a local install)."""
from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import InputError

MB = 2**20


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise InputError(f"{name}={value}: use {minimum} or more")
    return value


@dataclass(frozen=True)
class WebSettings:
    """`max_activity_upload_bytes` / `max_video_upload_bytes`: one upload request (counted while it streams);
    `max_form_bytes`: any other request body; `secure_cookies`: always mark cookies Secure (otherwise only
    when the request came over https); login limits: failures allowed per e-mail and per address within
    `login_window_s` seconds."""

    max_activity_upload_bytes: int = 200 * MB
    max_video_upload_bytes: int = 300 * MB
    max_files_per_upload: int = 500
    max_form_bytes: int = 1 * MB
    secure_cookies: bool = False
    login_failures_per_email: int = 5
    login_failures_per_ip: int = 20
    login_window_s: int = 15 * 60
    signups_per_ip: int = 20
    signup_window_s: int = 60 * 60

    @classmethod
    def from_env(cls) -> WebSettings:
        return cls(
            max_activity_upload_bytes=_int("HIPCHECK_MAX_UPLOAD_MB", 200, 1) * MB,
            max_video_upload_bytes=_int("HIPCHECK_MAX_VIDEO_MB", 300, 1) * MB,
            secure_cookies=os.environ.get("HIPCHECK_SECURE_COOKIES", "") not in ("", "0", "false", "no"),
        )
