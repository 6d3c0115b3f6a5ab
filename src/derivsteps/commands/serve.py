"""deriv serve: the page and the HTTP API on this machine (web/, the optional `web` extra), run by uvicorn."""

from __future__ import annotations

import argparse
import os

from . import EXIT_OK, Command

_EPILOG = """\
examples:
  deriv serve                          the page at http://127.0.0.1:8000/, the API under /api/v1/
  deriv serve --port 8080 --open       another port, and open the page in the browser
  deriv serve --host 0.0.0.0 --workers 2
                                       reachable from other machines (behind a reverse proxy, say), two server processes

the API: POST /api/v1/NAME with a JSON body, for NAME in diff, grad, hessian, eval, critical, descend, check, equiv,
derivation, grade and preview; the fields are named like the command's options, and the answer is the command's JSON
document (--format json). GET /api/v1/openapi.json describes every endpoint.
  curl -s localhost:8000/api/v1/diff --json '{"expr": "x^2 sin(x)", "wrt": "x"}'

Every request's work runs in pre-forked worker processes (one per core, shared out among the --workers), held to the
limits of the README's "Limits and safety" (limits.MAX_REQUEST_BYTES, limits.REQUEST_SECONDS, ...). A request beyond
the ones in flight (32 per worker) is answered 429 with Retry-After at once. Needs the web extra:
pip install 'derivsteps[web]'.
"""


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1: this machine only)"
    )
    parser.add_argument("--port", type=int, default=8000, help="the port (default 8000)")
    parser.add_argument(
        "--workers", metavar="N", type=int, default=1, help="server processes (default 1); each serves every endpoint"
    )
    parser.add_argument(
        "--pool",
        metavar="N",
        type=int,
        default=None,
        help="SymPy worker processes of each server process (default: the cores, shared out among the --workers)",
    )
    parser.add_argument(
        "--max-in-flight",
        metavar="N",
        type=int,
        default=None,
        help="requests each server process takes at once before it answers 429 (default: 32 per worker of its pool)",
    )
    parser.add_argument("--open", action="store_true", help="open the page in the web browser once the server runs")


def _run(args: argparse.Namespace) -> int:
    import importlib.util

    from ..core.errors import UsageError

    missing = [name for name in ("starlette", "uvicorn") if importlib.util.find_spec(name) is None]
    if missing:
        raise UsageError(
            f"deriv serve needs the web extra ({' and '.join(missing)} not installed): pip install 'derivsteps[web]'"
        )
    for option, value, least in (("--port", args.port, 1), ("--workers", args.workers, 1), ("--pool", args.pool, 1),
                                 ("--max-in-flight", args.max_in_flight, 1)):  # fmt: skip
        if value is not None and value < least:
            raise UsageError(f"{option} must be at least {least}, not {value}")
    if args.port > 65535:
        raise UsageError(f"--port must be at most 65535, not {args.port}")
    import uvicorn

    from ..web.app import ENV_HOSTS, ENV_IN_FLIGHT, ENV_LIMITS, ENV_POOL, LOOPBACK_HOSTS, limits_json

    pool = args.pool or max(1, (os.cpu_count() or 1) // args.workers)
    # uvicorn starts each server process afresh: the settings, and any limit raised on this command line, go by the
    # environment, which they inherit.
    os.environ[ENV_POOL] = str(pool)
    if args.max_in_flight is not None:
        os.environ[ENV_IN_FLIGHT] = str(args.max_in_flight)
    os.environ[ENV_LIMITS] = limits_json()
    if args.host in LOOPBACK_HOSTS:  # this machine only: answer only the names of this machine
        os.environ[ENV_HOSTS] = ",".join(LOOPBACK_HOSTS)
    host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{host}:{args.port}/"
    print(f"deriv serve: {url}  (the API: {url}api/v1/openapi.json; Ctrl-C stops)", flush=True)
    if args.open:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, [url]).start()
    uvicorn.run(
        "derivsteps.web.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
        server_header=False,
    )
    return EXIT_OK


COMMAND = Command(
    "serve the page and the HTTP API (needs pip install 'derivsteps[web]')",
    _arguments,
    _run,
    usage="deriv serve [--host 127.0.0.1] [--port 8000] [--workers N] [--open]",
    epilog=_EPILOG,
)
