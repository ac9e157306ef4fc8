"""Issue 14: the bad-file and permission tests run as an unprivileged user when the
suite runs as root (as CI may): root ignores file modes, so as root a read-only folder
or file is not read-only at all, and those tests would prove nothing.

Runs pytest on those modules as `nobody` (runuser, else setpriv), in a folder of its
own, with an interpreter that user may execute: the suite's own when it can, else the
system's Python of the same version with the suite's site-packages on the path (a
pyenv interpreter under /root cannot be run by anyone else).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="POSIX modes")]

ROOT = Path(__file__).resolve().parent.parent
MODULES = [
    "tests/test_bad_files.py",
    "tests/test_faults_files.py",
    "tests/test_faults_readonly.py",
    "tests/test_faults_cli_matrix.py",
    "tests/test_faults_wal.py",
]
NOBODY_UID = 65534


def _as_nobody(argv: list[str]) -> list[str]:
    if shutil.which("runuser"):
        return ["runuser", "-u", "nobody", "--", *argv]
    return ["setpriv", f"--reuid={NOBODY_UID}", f"--regid={NOBODY_UID}", "--clear-groups", *argv]


def _interpreter() -> str | None:
    """An interpreter `nobody` may run, of the suite's Python version."""
    probe = _as_nobody([sys.executable, "-c", "pass"])
    if subprocess.run(probe, capture_output=True).returncode == 0:
        return sys.executable
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for folder in ("/usr/bin", "/usr/local/bin", "/bin"):
        candidate = Path(folder) / version
        if candidate.exists():
            return str(candidate)
    return None


def _readable_by_nobody(path: Path) -> bool:
    probe = _as_nobody(["test", "-r", str(path)])
    return subprocess.run(probe, capture_output=True).returncode == 0


def _visible_copy(source: Path, target: Path, marker: str) -> Path:
    """`source` itself when `nobody` can read it (`marker` inside it), else a copy in
    `target`: CI's virtual environment and clone may lie in folders only root may enter
    (mktemp -d makes them 0700)."""
    if _readable_by_nobody(source / marker):
        return source
    shutil.copytree(
        source, target, symlinks=True, ignore=shutil.ignore_patterns(".git", "__pycache__")
    )
    return target


def test_the_bad_file_and_permission_tests_pass_as_an_unprivileged_user():
    if os.geteuid() != 0 or not (shutil.which("runuser") or shutil.which("setpriv")):
        pytest.skip("needs root (who ignores file modes) and runuser or setpriv")
    python = _interpreter()
    if python is None:
        pytest.skip("no interpreter of this version that an unprivileged user may run")
    work = Path(tempfile.mkdtemp(prefix="casebook-nobody-"))
    try:
        os.chown(work, NOBODY_UID, -1)
        root = _visible_copy(ROOT, work / "src", "pyproject.toml")
        site_packages = str(
            _visible_copy(Path(sysconfig.get_paths()["purelib"]), work / "site", "pytest")
        )
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(work),
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            # the checkout first (the editable install's .pth is read only from a site
            # folder), then the suite's dependencies
            "PYTHONPATH": os.pathsep.join([str(root), site_packages]),
        }
        argv = [
            python,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-n",
            "0",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(root),
            "-c",
            str(root / "pyproject.toml"),
            "--basetemp",
            str(work / "tmp"),
            *(str(root / m) for m in MODULES),
        ]
        result = subprocess.run(
            _as_nobody(["env", "-i", *(f"{k}={v}" for k, v in env.items()), *argv]),
            cwd=work,
            capture_output=True,
            text=True,
            timeout=900,
        )
        tail = result.stdout[-3000:] + result.stderr[-2000:]
        assert result.returncode == 0, tail
        # the read-only folder under every command ran, rather than being skipped
        assert "root ignores file modes" not in result.stdout, tail
        assert " passed" in result.stdout, tail
    finally:
        shutil.rmtree(work, ignore_errors=True)
