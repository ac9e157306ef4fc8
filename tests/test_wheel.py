"""The wheel built from this repository works on its own: installed into a fresh virtual
environment outside the source tree, it finds its reference data and messages and runs
`casebook demo-data`. Dependencies are resolved by pip (PyPI or its cache)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow  # builds a wheel and installs it in a fresh venv


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["CASEBOOK_HOME"] = str(tmp_path / "home")
    env.pop("CASEBOOK_DB", None)
    env.pop("CASEBOOK_LANG", None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(args, *, cwd: Path, env: dict[str, str], timeout: int = 600):
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    tmp = tmp_path_factory.mktemp("build-home")
    _run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", out, REPO],
        cwd=tmp,
        env=_clean_env(tmp),
    )
    wheels = list(out.glob("casebook_mensenhandel-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_wheel_contents(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert tops <= {"casebook", "screens", *{n.split("/")[0] for n in names if ".dist-info" in n}}
    assert "casebook/data/reference/countries.toml" in names
    assert "casebook/data/reference/step_types.toml" in names
    assert "casebook/data/messages/core.toml" in names
    assert "casebook/data/messages/transfer.toml" in names
    assert "casebook/migrations/versions/0001_initial_schema.py" in names
    assert "screens/__init__.py" in names
    reference = sorted(p.name for p in (REPO / "data" / "reference").glob("*.toml"))
    shipped = sorted(n.rsplit("/", 1)[1] for n in names if n.startswith("casebook/data/reference/"))
    assert shipped == reference
    for name in names:
        parts = name.split("/")
        assert "tests" not in parts and ".venv" not in parts, name
        assert "__pycache__" not in parts, name
    assert not any(name.startswith("data/") for name in names)


def test_wheel_installs_and_runs_outside_the_source_tree(wheel, tmp_path):
    env = _clean_env(tmp_path)
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=tmp_path, env=env)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    _run([python, "-m", "pip", "install", "-q", wheel], cwd=tmp_path, env=env)

    work = tmp_path / "elsewhere"
    work.mkdir()
    probe = _run(
        [
            python,
            "-c",
            "import casebook, casebook.resources as r; from casebook import refdata;"
            "print(len(refdata.ref('countries'))); print(r.data_root()); print(casebook.__file__)",
        ],
        cwd=work,
        env=env,
    )
    count, data_root, package = probe.stdout.split()
    assert int(count) > 200
    assert Path(data_root).is_relative_to(venv), data_root
    assert Path(package).is_relative_to(venv), package
    assert not Path(package).is_relative_to(REPO)

    casebook = bindir / "casebook"
    result = _run([casebook, "demo-data", "--out", "x.sqlite3", "--cases", "20"], cwd=work, env=env)
    assert (work / "x.sqlite3").is_file()
    assert "20" in result.stdout
    help_text = _run([casebook, "--lang", "en", "--help"], cwd=work, env=env).stdout
    assert "demo-data" in help_text
    dumped = _run([casebook, "--db", "x.sqlite3", "dump", "--out", "x.json"], cwd=work, env=env)
    assert "persoonsgegevens" in dumped.stderr
    assert (work / "x.json").is_file()
