"""End-to-end fixtures: the real server (`hipcheck serve`, uvicorn + job worker) on a free loopback port, and
Debian's headless Chromium driven by Playwright (playwright's own browser download cannot work here)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _need(what: str, ok: bool) -> None:
    if ok:
        return
    msg = f"{what} is missing: run `bash scripts/sysdeps.sh` (Debian chromium, chromium-driver, ffmpeg)"
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"CI is set, so end-to-end tests may not be skipped: {msg}")
    pytest.skip(msg)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A fresh hipcheck web app with its worker, on SQLite in a temporary HIPCHECK_HOME."""
    home = tmp_path_factory.mktemp("e2e-home")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("HIPCHECK_DATABASE_URL", "HIPCHECK_FILES_DIR")}
    env.update(HIPCHECK_HOME=str(home), HIPCHECK_JOB_TIMEOUT_S="600")
    log = open(home / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "hipcheck.cli", "serve", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/login", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.close()
                pytest.fail("the server did not start:\n" + (home / "server.log").read_text()[-3000:])
            time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()
    log.close()


@pytest.fixture(scope="module")
def browser():
    _need("Debian's chromium (/usr/bin/chromium)", Path(CHROMIUM).exists())
    _need("ffmpeg", shutil.which("ffmpeg") is not None)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Problems:
    """Console errors and CSP violations seen by a page; a journey asserts there were none."""

    def __init__(self, page):
        self.items: list[str] = []
        page.on("console", lambda m: self.items.append(m.text) if m.type == "error" and "404" not in m.text
                else None)
        page.on("pageerror", lambda e: self.items.append(str(e)))


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(width: int = 1280, height: int = 900):
        ctx = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(20_000)
        page.problems = Problems(page)
        return page

    yield make
    for ctx in contexts:
        ctx.close()
