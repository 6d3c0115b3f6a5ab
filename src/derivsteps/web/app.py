"""The ASGI app of deriv serve: create_app(). uvicorn runs it (`deriv serve`, or `uvicorn --factory
derivsteps.web.app:create_app`); Starlette's TestClient drives it in the tests.

How a request is served. The event loop only reads the request (at most limits.MAX_REQUEST_BYTES), checks its fields
(api.read_request) and writes the answer; the work runs in a pool of pre-forked worker processes (cas/workers.py), one
job per request (jobs.answer: the engine and every SymPy call of the request together), under the deadline
limits.REQUEST_SECONDS. A thread per job waits for its worker (anyio's to_thread, at most two per worker), so
the loop never blocks. A job killed at its deadline is answered 422 naming the limit, and its worker is replaced; a
SymPy call past limits.CAS_SECONDS inside a job only makes that check "could not verify", as on the command line.

Requests in flight are capped (Settings.max_in_flight): one more is answered 429 with Retry-After at once, rather than
queued without bound. The server keeps no state between requests, so `deriv serve --workers N` runs N such processes
(uvicorn's workers), and several machines can stand behind any reverse proxy.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..cas import workers
from ..core import limits
from ..core.errors import DerivError, LimitError
from . import api, jobs

STATIC = Path(__file__).resolve().parent / "static"

# Requests one server process takes in flight per worker of its pool, before it answers 429: at 10 to 20 ms a
# textbook request, a full queue waits about half a second, far from any client's time-out.
IN_FLIGHT_PER_WORKER = 32

# Seconds a client is told to wait (Retry-After) when the server is busy or cannot start a worker.
RETRY_AFTER = 1

# Environment variables through which `deriv serve` configures each server process (uvicorn starts them).
ENV_POOL = "DERIVSTEPS_SERVE_POOL"
ENV_IN_FLIGHT = "DERIVSTEPS_SERVE_MAX_IN_FLIGHT"
ENV_LIMITS = "DERIVSTEPS_SERVE_LIMITS"  # the limits of limits.FLAGS, as JSON: raised on deriv serve's command line
ENV_HOSTS = "DERIVSTEPS_SERVE_HOSTS"  # the Host headers answered, comma-separated (unset: any)

# The Host headers a server bound to loopback answers: another name pointing at 127.0.0.1 (DNS rebinding) would let a
# web page elsewhere read the answers.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")

# On every response: the page loads nothing but its own origin (no CDN, no inline script), cannot be framed, and
# sends no referrer; the browser takes each type as sent.
SECURITY_HEADERS: Mapping[str, str] = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


@dataclass(frozen=True)
class Settings:
    """One server process's share of the machine: its pool of workers, and the requests it takes in flight."""

    pool: int = field(default_factory=lambda: int(os.environ.get(ENV_POOL) or os.cpu_count() or 1))
    max_in_flight: int | None = None  # None: IN_FLIGHT_PER_WORKER for each worker of the pool, or ENV_IN_FLIGHT
    warm: bool = True  # run jobs.WARM_UP before forking the workers
    hosts: tuple[str, ...] | None = field(  # the Host headers answered (None: any; deriv serve narrows it on loopback)
        default_factory=lambda: tuple(os.environ[ENV_HOSTS].split(",")) if os.environ.get(ENV_HOSTS) else None
    )

    @property
    def in_flight_cap(self) -> int:
        if self.max_in_flight is not None:
            return self.max_in_flight
        return int(os.environ.get(ENV_IN_FLIGHT) or IN_FLIGHT_PER_WORKER * self.pool)


class Service:
    """The running server's state: the pool, the limiter of the threads waiting for it, the requests in flight."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.cap = settings.in_flight_cap
        self.in_flight = 0  # touched by the event loop only, so it needs no lock
        self.pool: workers.Pool | None = None
        # Twice the pool's threads: while a worker answers one, the next job is already waiting in Pool.job, so the
        # worker starts it as soon as it is free, without waiting for the event loop to start another thread.
        self.limiter = anyio.CapacityLimiter(2 * settings.pool)
        self.lock = anyio.Lock()  # without fork (Windows): one job at a time, in this process

    def start(self) -> None:
        """Warm this process up, then fork the workers, so that each starts with SymPy ready."""
        if self.settings.warm:
            with workers.in_this_process():
                jobs.warm_up()
        if workers.available():
            self.pool = workers.Pool(self.settings.pool, calls_here=True).start()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()

    async def run(self, endpoint: str, values: dict, html: bool = False) -> Response:
        """One request's job in a worker: its answer, or the error that says how it ended."""
        seconds = limits.REQUEST_SECONDS
        if self.pool is None:  # no fork here: no deadline either (workers.available)
            async with self.lock:
                status, document = await anyio.to_thread.run_sync(jobs.answer, endpoint, values, html)
            return _answer(document, status)
        pool = self.pool
        try:
            outcome = await anyio.to_thread.run_sync(
                lambda: pool.job(jobs.answer, endpoint, values, html, seconds=seconds), limiter=self.limiter
            )
        except OSError as err:  # a worker could not be forked (no memory, too many processes)
            return _error(
                DerivError(f"the SymPy workers cannot be started now ({err.strerror or err}); try again shortly"),
                api.STATUS_UNAVAILABLE,
                retry=True,
            )
        if outcome.timed_out:
            message = (
                f"the request took longer than {seconds:g} s (limits.REQUEST_SECONDS); its work was stopped. Ask "
                "for less at once, or run it with the deriv command, whose limits can be raised"
            )
            return _error(LimitError(message), api.STATUS_LIMIT)
        if outcome.died is not None:
            message = (
                "the request's work stopped without an answer, most likely at the memory limit of "
                f"{limits.CAS_MEMORY_MB:g} MB (limits.CAS_MEMORY_MB)"
            )
            return _error(LimitError(message), api.STATUS_LIMIT)
        if outcome.error is not None:
            bug = outcome.error
            return _error(DerivError(f"internal error (a bug in derivsteps): {type(bug).__name__}: {bug}"), 500)
        answered: tuple[int, dict | str] = outcome.value  # type: ignore[assignment]  # what jobs.answer returns
        return _answer(answered[1], answered[0])


def _answer(document: dict | str, status: int) -> Response:
    """A job's answer: its JSON document, or the HTML fragment asked for with Accept: text/html."""
    if isinstance(document, str):
        return HTMLResponse(document, status, headers={"cache-control": "no-store"})
    return _json(document, status)


def _json(document: object, status: int = 200, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(document, status, headers={"cache-control": "no-store", **(headers or {})})


def _error(error: DerivError, status: int, retry: bool = False) -> JSONResponse:
    headers = {"retry-after": str(RETRY_AFTER)} if retry else None
    return _json({"error": error.to_dict()}, status, headers)


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) past `limit` bytes: by its Content-Length before reading, else while reading."""
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > limit:
        raise _TooLarge(int(announced))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge(size)
        chunks.append(chunk)
    return b"".join(chunks)


class _TooLarge(Exception):
    def __init__(self, size: int):
        self.size = size


def _endpoint_route(endpoint: api.Endpoint) -> Route:
    async def handle(request: Request) -> Response:
        service: Service = request.app.state.service
        if service.in_flight >= service.cap:
            message = f"the server has {service.cap} requests in flight, as many as it takes; try again shortly"
            return _error(LimitError(message), api.STATUS_BUSY, retry=True)
        if not _is_json(request.headers.get("content-type", "")):
            # Also what keeps another site's page from posting here: a form cannot send application/json, and a
            # script that does must ask first (CORS), which this server never allows.
            message = "send the request body as JSON, with the header Content-Type: application/json"
            return _error(DerivError(message), api.STATUS_UNSUPPORTED)
        service.in_flight += 1
        try:
            limit = limits.MAX_REQUEST_BYTES
            try:
                values = api.read_request(endpoint, await _body(request, limit))
            except _TooLarge as large:
                return _error(api.too_large(large.size, limit), api.STATUS_TOO_LARGE)
            except DerivError as err:
                return _error(err, api.status_of(err))
            return await service.run(endpoint.name, values, html=_wants_html(request, endpoint.name))
        finally:
            service.in_flight -= 1

    return Route(endpoint.path, handle, methods=["POST"], name=endpoint.name)


def _wants_html(request: Request, endpoint: str) -> bool:
    """Accept: text/html asks for the result as an HTML fragment with MathML, what the page shows; the JSON document
    otherwise. Errors, the preview and a class's report are JSON always."""
    accepted = [part.split(";", 1)[0].strip().lower() for part in request.headers.get("accept", "").split(",")]
    return "text/html" in accepted and endpoint in api.HTML_ENDPOINTS


def _is_json(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


async def _openapi(request: Request) -> Response:
    return _json(api.openapi())


async def _no_such_endpoint(request: Request) -> Response:
    if any(request.url.path == endpoint.path for endpoint in api.ENDPOINTS.values()):
        return _error(DerivError(f"{request.method} is not accepted here: send POST with a JSON body"), 405)
    known = ", ".join(endpoint.name for endpoint in api.ENDPOINTS.values())
    message = f"no such endpoint: {request.url.path}; the endpoints are {api.PREFIX}/NAME for NAME in {known}"
    return _error(DerivError(message), 404)


async def _http_error(request: Request, error: Exception) -> Response:
    """404 and 405 as JSON errors under /api/, as plain text elsewhere (the static files)."""
    assert isinstance(error, HTTPException)
    if not request.url.path.startswith("/api/"):
        return PlainTextResponse(error.detail, error.status_code, headers=error.headers)
    message = (
        f"{request.method} is not accepted here: send POST with a JSON body"
        if error.status_code == 405
        else error.detail
    )
    return _json({"error": DerivError(message).to_dict()}, error.status_code, error.headers)


class SecurityHeaders:
    """ASGI middleware: SECURITY_HEADERS on every HTTP response, the static files' and the errors' too."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()
                         if name.encode() not in present]  # fmt: skip
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


def limits_json() -> str:
    """The limits a command line can raise, as this process has them: for ENV_LIMITS."""
    return json.dumps({name: getattr(limits, name) for name in limits.FLAGS})


def _apply_limits(text: str) -> None:
    values = json.loads(text)
    for name in limits.FLAGS:
        if isinstance(values.get(name), (int, float)):
            setattr(limits, name, values[name])


def create_app(settings: Settings | None = None) -> ASGIApp:
    """The whole server: the API under /api/v1/, the page at /; its pool starts with the app (the ASGI lifespan)."""
    settings = settings or Settings()
    if os.environ.get(ENV_LIMITS):
        _apply_limits(os.environ[ENV_LIMITS])

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        service = Service(settings)
        service.start()
        app.state.service = service
        try:
            yield
        finally:
            service.close()

    routes = [
        Route(f"{api.PREFIX}/openapi.json", _openapi, methods=["GET"]),
        *(_endpoint_route(endpoint) for endpoint in api.ENDPOINTS.values()),
        Route("/api/{rest:path}", _no_such_endpoint, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        Mount("/", StaticFiles(directory=STATIC, html=True), name="static"),
    ]
    middleware = [] if settings.hosts is None else [Middleware(TrustedHostMiddleware, allowed_hosts=settings.hosts)]
    app = Starlette(
        routes=routes, middleware=middleware, lifespan=lifespan, exception_handlers={HTTPException: _http_error}
    )
    return SecurityHeaders(app)
