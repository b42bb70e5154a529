"""`hipcheck serve`: the web app for runners and clinicians, with its background job worker."""
from __future__ import annotations

import typer

from .common import console


def serve(host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (default: this computer "
                                   "only). Use 0.0.0.0 only behind an https reverse proxy."),
          port: int = typer.Option(8000, "--port", help="Port to listen on."),
          demo: bool = typer.Option(False, "--demo", help="Create a demo runner account and print how to sign in."),
          worker: bool = typer.Option(True, "--worker/--no-worker", help="Start the background job worker "
                                      "(imports, video analysis) as a separate process."),
          ) -> None:
    """Start the web app. Data goes to HIPCHECK_DATABASE_URL (or the SQLite file in HIPCHECK_HOME).

    Example: `hipcheck serve --demo`, then open http://127.0.0.1:8000 in a browser."""
    import os

    import uvicorn

    from .. import store
    from ..errors import InputError
    from ..services import jobs
    from ..web import create_app

    if not 1 <= port <= 65535:
        raise InputError(f"--port {port}: use a port from 1 to 65535")
    db = store.get_database()
    db.ensure_ready()  # migrate once, before the worker and the server both open the database
    jobs.JobLimits.from_env()  # a bad limit setting fails here, with its one-line message
    app = create_app()
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    console.print(f"hipcheck web app on [bold]{url}[/] (database {store.db.mask(db.url)})", highlight=False)
    if demo:
        os.environ["HIPCHECK_DEMO"] = "1"
        from ..services.demo import seed_web_demo

        with console.status("Preparing the demo runner (assessment, training log, diary, plan)..."):
            email, password, name = seed_web_demo()
        console.print(f"demo runner {name}: sign in as [bold]{email}[/] with password [bold]{password}[/]",
                      highlight=False)
    proc = jobs.start_worker_process() if worker else None
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=True, server_header=False)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except Exception:  # noqa: BLE001 - still running after 10 s: stop it hard
                proc.kill()
