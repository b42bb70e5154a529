"""The web app factory: `create_app()` wires settings, middleware, error pages and the routers.

The app keeps no state of its own beyond the in-memory rate limiters: data lives in the database named
by HIPCHECK_DATABASE_URL (or the SQLite file in HIPCHECK_HOME), the same one the CLI uses.
"""
from __future__ import annotations

import re
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from .. import store
from ..errors import HipcheckError
from .deps import NotSignedIn
from .render import page
from .security import BodyLimit, RateLimiter, SecurityHeaders
from .settings import WebSettings

STATIC_DIR = Path(__file__).parent / "static"
_UPLOAD_PATHS = re.compile(r"^/athletes/\d+/(activities|gait)/upload$")


def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings.from_env()
    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        store.get_database().ensure_ready()  # the first request must not pay for (or race on) the upgrade
        yield

    app = FastAPI(title="hipcheck", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.login_email_limiter = RateLimiter(settings.login_failures_per_email, settings.login_window_s)
    app.state.login_ip_limiter = RateLimiter(settings.login_failures_per_ip, settings.login_window_s)
    app.state.signup_limiter = RateLimiter(settings.signups_per_ip, settings.signup_window_s)

    def body_limit(path: str) -> int:
        if _UPLOAD_PATHS.match(path):
            # the upload handler enforces the exact per-kind limit; this is the outer guard
            return max(settings.max_activity_upload_bytes, settings.max_video_upload_bytes) + 2**20
        return settings.max_form_bytes

    app.add_middleware(BodyLimit, limit_for=body_limit)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    from .views import account, activities, athlete, auth, clinic, diary, files, gait, intake, plan

    for module in (auth, athlete, intake, diary, activities, gait, plan, clinic, account, files):
        app.include_router(module.router)
        if hasattr(module, "upload_router"):
            app.include_router(module.upload_router)

    _error_pages(app)

    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_pages(app: FastAPI) -> None:
    titles = {400: "Bad request", 401: "Please sign in", 403: "Not allowed", 404: "Not found",
              405: "Not allowed", 410: "Gone", 413: "Too large", 415: "Wrong file type", 422: "Check the form",
              429: "Too many attempts"}

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": "sign in first"}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else titles.get(exc.status_code, "Error")
        if _wants_json(request):
            return JSONResponse({"error": detail}, status_code=exc.status_code, headers=exc.headers)
        resp = page(request, "error.html", {"title": titles.get(exc.status_code, "Error"), "message": detail},
                    status=exc.status_code)
        for k, v in (exc.headers or {}).items():
            resp.headers[k] = v
        return resp

    @app.exception_handler(404)
    async def _missing(request: Request, exc: Exception) -> Response:
        # the same answer for "does not exist" and "not yours", so ids cannot be probed
        detail = getattr(exc, "detail", None)
        message = detail if isinstance(detail, str) and detail != "Not Found" else "Not found."
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=404)
        return page(request, "error.html", {"title": "Not found", "message": message}, status=404)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "form"
        message = f"{where}: {first.get('msg', 'invalid value')}"
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=422)
        return page(request, "error.html", {"title": "Check the form", "message": message}, status=422)

    @app.exception_handler(HipcheckError)
    async def _user_error(request: Request, exc: HipcheckError) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": str(exc)}, status_code=400)
        return page(request, "error.html", {"title": "Something needs fixing", "message": str(exc)}, status=400)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:  # never a stack trace to the browser
        import logging

        logging.getLogger("hipcheck.web").exception("unhandled error on %s", request.url.path)
        if _wants_json(request):
            return JSONResponse({"error": "internal error"}, status_code=500)
        return page(request, "error.html", {"title": "Something went wrong",
                                            "message": "The server hit an unexpected problem. Nothing you "
                                                       "entered is lost; try again in a moment."}, status=500)
