"""deriv serve: the page and the HTTP API (/api/v1/...), an ASGI app on Starlette, run by uvicorn (the `web` extra).

api.py is the API as data: one endpoint per command, each with its request fields, named like the command's options,
which both check a request and write the OpenAPI document. jobs.py is what runs in the workers: a request's whole
work, answered with the command's own JSON document (the command runs as on the command line, with --format json).
app.py is the server: the routes, the limits on a request, the cap on requests in flight, the security headers, and
the pool of pre-forked SymPy workers (cas/workers.py) that every request's work runs in. static/ is the page.

Nothing else imports this package, and the command line never does: starlette and uvicorn are optional.

May import: every package below it (core, language, data, cas, calculus, checking, render, commands).
"""
