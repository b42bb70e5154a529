"""Shared fixtures. Every test runs with its own HIPCHECK_HOME so no real user data is touched."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def hipcheck_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "hipcheck-home"
    monkeypatch.setenv("HIPCHECK_HOME", str(home))
    monkeypatch.delenv("HIPCHECK_DATABASE_URL", raising=False)
    return home


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys):
    """Run `hipcheck ARGS...` in-process and return its exit code and output."""
    from hipcheck.cli import main

    def _run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return _run


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared material not found at {SHARED}")
    return SHARED
