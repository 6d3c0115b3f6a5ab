"""The code passes the tools configured in pyproject.toml: ruff's linter and formatter ([tool.ruff])."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ["src", "tests", "benchmarks", "examples"]


def _ruff(*arguments: str) -> subprocess.CompletedProcess:
    ruff = shutil.which("ruff")
    command = [ruff] if ruff else [sys.executable, "-m", "ruff"]
    try:
        return subprocess.run([*command, *arguments], cwd=ROOT, capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        pytest.fail("ruff is not installed: pip install -e '.[test]'")


def test_ruff_check_finds_nothing():
    done = _ruff("check", *FOLDERS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_changes_nothing():
    done = _ruff("format", "--check", *FOLDERS)
    assert done.returncode == 0, "run: ruff format src tests benchmarks examples\n" + done.stdout + done.stderr
