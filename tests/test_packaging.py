"""The package as a newcomer gets it: a wheel that ships the grammar, installed in a fresh venv, run from another directory."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest

import derivsteps

ROOT = Path(__file__).resolve().parents[1]
GRAMMAR = "derivsteps/grammars/expr.lark"
slow = pytest.mark.slow


def run(args, **options) -> subprocess.CompletedProcess:
    """Run a command with no stdin; on failure, show its output in the assertion."""
    result = subprocess.run(
        [str(arg) for arg in args], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600, **options
    )
    assert result.returncode == 0, f"{args} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def _build(kind: str, out: Path, source: Path = ROOT) -> Path:
    # hatchling on the machine means no download; without it, build fetches it into an isolated environment.
    isolation = ["--no-isolation"] if importlib.util.find_spec("hatchling") else []
    run([sys.executable, "-m", "build", f"--{kind}", *isolation, "--outdir", out, source])
    (built,) = out.glob("derivsteps-*.whl" if kind == "wheel" else "derivsteps-*.tar.gz")
    return built


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return _build("wheel", tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; it sees the machine's lark, sympy and rich, so nothing is downloaded."""
    home = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", "--system-site-packages", home])
    run([_bin(home, "python"), "-m", "pip", "install", "--disable-pip-version-check", "--no-input", wheel])
    return home


def _bin(home: Path, name: str) -> Path:
    return home / ("Scripts" if os.name == "nt" else "bin") / name


def run_outside(args) -> subprocess.CompletedProcess:
    """Run from the temp directory, away from the checkout, so only the installed wheel can be found."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    return run(args, cwd=tempfile.gettempdir(), env=env)


@slow
def test_wheel_contains_the_grammar(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert GRAMMAR in names
        assert archive.read(GRAMMAR) == (ROOT / "grammars" / "expr.lark").read_bytes()
    assert all(name.endswith(".lark") for name in names if name.startswith("derivsteps/grammars/"))
    assert "derivsteps/schemas/derivation.schema.json" in names  # the JSON contract ships with the package
    assert "derivsteps/py.typed" in names  # PEP 561: type checkers read the package's own annotations


@slow
def test_wheel_built_from_the_sdist_contains_the_grammar(tmp_path):
    sdist = _build("sdist", tmp_path / "sdist")
    with tarfile.open(sdist) as archive:
        # The "data" filter (refuse links and absolute paths) exists from Python 3.11.4 on.
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        archive.extractall(tmp_path / "src", **safe)
    (unpacked,) = (tmp_path / "src").iterdir()
    assert (unpacked / "grammars" / "expr.lark").is_file()
    with zipfile.ZipFile(_build("wheel", tmp_path / "dist", unpacked)) as archive:
        assert GRAMMAR in archive.namelist()


@slow
def test_the_installed_wheel_finds_its_grammar(venv):
    code = "import derivsteps.language.parser as p; print(p.parse('x^2')); print(p.__file__)"
    shown, location = run_outside([_bin(venv, "python"), "-c", code]).stdout.splitlines()
    assert shown == "x^2"
    assert Path(location).resolve().is_relative_to(venv.resolve()), "imported the checkout, not the wheel"


@slow
def test_deriv_version(venv):
    result = run_outside([_bin(venv, "deriv"), "--version"])
    assert derivsteps.__version__ in result.stdout


@slow
def test_deriv_differentiates_from_another_directory(venv):
    result = run_outside([_bin(venv, "deriv"), "x^2", "--wrt", "x"])
    assert "2x" in result.stdout


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.search(r"## Set up.*?```sh\n(.*?)```", readme, re.S).group(1).strip().splitlines()
    assert len(commands) == 2, commands
    install, test = commands[1].split(" && ")
    assert install.startswith("pip install -e ")
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    steps = [line.split(" <")[0].strip() for line in script.splitlines() if line and not line.lstrip().startswith("#")]
    assert steps[-1] == test
    assert f"-m {install}" in script  # the same extras the README installs
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
