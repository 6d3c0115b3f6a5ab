"""A long local fuzzing run: the properties of tests/test_fuzz.py with SCALE times their CI examples.

    python tests/fuzz/run_fuzz.py            # SCALE 50: about 150,000 examples, some minutes
    python tests/fuzz/run_fuzz.py 500 -x     # longer; extra arguments go to pytest

A failure prints the falsifying input; add it to the table of tests/test_bad_inputs.py with its expected outcome.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    scale = argv[0] if argv and argv[0].isdigit() else "50"
    extra = argv[1:] if argv and argv[0].isdigit() else argv
    env = {**os.environ, "DERIVSTEPS_FUZZ_SCALE": scale}
    command = [sys.executable, "-m", "pytest", str(TESTS / "test_fuzz.py"), "-p", "no:cacheprovider",
               "--hypothesis-show-statistics", "--hypothesis-seed", str(int.from_bytes(os.urandom(4), "big")), *extra]  # fmt: skip
    return subprocess.call(command, env=env, cwd=TESTS.parent)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
