"""Helpers for the journeys (kept out of conftest.py, which tests/conftest.py already names)."""
from __future__ import annotations

import os
from pathlib import Path

SCREENSHOTS = Path(os.environ.get("HIPCHECK_E2E_SCREENSHOTS", "/tmp/hipcheck-e2e"))


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
