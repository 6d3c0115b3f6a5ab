"""Runs command lines of `deriv` in this one process and reports, for each, its exit code, output, wall and CPU time and peak
memory growth as JSON: tests/test_bad_inputs.py starts it once in a subprocess, so a hang or a blow-up is measured
(and can be killed) without paying a SymPy import per case.

Input on stdin: {"cases": [[id, argv], ...]}; output on stdout: one JSON object per line, then {"done": true}.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import sys
import time


class _Capture(io.StringIO):
    """Captured output that says it is UTF-8, as a terminal or a pipe would; a bare StringIO makes the CLI write ASCII."""

    encoding = "utf-8"


def _peak_mb() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS, where the bound is only looser).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    from derivsteps.cli import run

    cases = json.load(sys.stdin)["cases"]
    real_stdout = sys.stdout
    for case_id, argv in cases:
        out, err = _Capture(), _Capture()
        before = _peak_mb()
        start, cpu = time.perf_counter(), time.process_time()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = run(argv)
        except BaseException as bug:  # noqa: BLE001 - reported as what it is: the test fails on it
            code = f"{type(bug).__name__}: {bug}"[:500]
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
        record = {
            "id": case_id, "code": code, "stdout": out.getvalue()[:40000], "stderr": err.getvalue()[:40000],
            "seconds": seconds, "cpu_seconds": cpu_seconds, "memory_mb": _peak_mb() - before,
        }  # fmt: skip
        real_stdout.write(json.dumps(record) + "\n")
        real_stdout.flush()
    real_stdout.write(json.dumps({"done": True}) + "\n")


if __name__ == "__main__":
    main()
