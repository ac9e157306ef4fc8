"""Installed as the README says, offline: a wheelhouse made with `pip wheel`, then a
fresh virtual environment that may look nowhere else (`--no-index`, no pip config),
installing casebook by its own distribution name and by file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NAME = "casebook-mensenhandel"

pytestmark = pytest.mark.slow


def _run(args, *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def _env(tmp: Path, *, offline: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(CASEBOOK_HOME=str(tmp / "home"), PIP_DISABLE_PIP_VERSION_CHECK="1")
    if offline:  # no index, no find-links, no config file: only what is given
        env = {k: v for k, v in env.items() if not k.startswith("PIP_")}
        env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("house-build")
    house = tmp / "wheelhouse"
    env = _env(tmp, offline=False)
    _run([sys.executable, "-m", "pip", "wheel", "-q", REPO, "-w", house], cwd=tmp, env=env)
    _run([sys.executable, "-m", "pip", "download", "-q", "pip", "-d", house], cwd=tmp, env=env)
    return house


def _venv(tmp: Path) -> Path:
    _run([sys.executable, "-m", "venv", tmp / "venv"], cwd=tmp, env=_env(tmp, offline=True))
    return tmp / "venv" / ("Scripts" if os.name == "nt" else "bin")


def _check_installed(bindir: Path, tmp: Path) -> None:
    env = _env(tmp, offline=True)
    python = bindir / "python"
    shown = _run([python, "-m", "pip", "show", NAME], cwd=tmp, env=env).stdout
    assert f"Name: {NAME}" in shown
    other = subprocess.run(
        [python, "-m", "pip", "show", "casebook"], cwd=tmp, env=env, capture_output=True
    )
    assert other.returncode != 0  # the unrelated PyPI project is not there
    assert (
        "gebruik: casebook" in _run([python, "-m", "casebook", "--help"], cwd=tmp, env=env).stdout
    )
    script = bindir / ("casebook.exe" if os.name == "nt" else "casebook")
    assert _run([script, "--version"], cwd=tmp, env=env).stdout.startswith("casebook ")


def test_the_wheelhouse_holds_our_wheel_and_pip(wheelhouse):
    names = sorted(p.name for p in wheelhouse.iterdir())
    assert any(
        n.startswith("casebook_mensenhandel-") and n.endswith("-py3-none-any.whl") for n in names
    )
    assert any(n.startswith("pip-") for n in names)
    assert any(n.startswith("tomlkit-") for n in names)


def test_offline_install_by_name(wheelhouse, tmp_path):
    bindir = _venv(tmp_path)
    env = _env(tmp_path, offline=True)
    _run(
        [
            bindir / "python",
            "-m",
            "pip",
            "install",
            "-q",
            "--no-index",
            "--find-links",
            wheelhouse,
            NAME,
        ],
        cwd=tmp_path,
        env=env,
    )
    _check_installed(bindir, tmp_path)


def test_offline_install_by_file(wheelhouse, tmp_path):
    (wheel,) = wheelhouse.glob("casebook_mensenhandel-*.whl")
    bindir = _venv(tmp_path)
    env = _env(tmp_path, offline=True)
    _run(
        [
            bindir / "python",
            "-m",
            "pip",
            "install",
            "-q",
            "--no-index",
            "--find-links",
            wheelhouse,
            wheel,
        ],
        cwd=tmp_path,
        env=env,
    )
    _check_installed(bindir, tmp_path)
