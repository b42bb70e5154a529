"""The web app: FastAPI + Jinja2 + HTMX (vendored), server-rendered pages over the same services as the CLI.

`create_app()` builds it; `hipcheck serve` runs it on uvicorn with the background job worker."""
from .app import create_app

__all__ = ["create_app"]
