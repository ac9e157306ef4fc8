"""Locate the shipped `data/` folder.

In a wheel the folder is installed inside the package (`casebook/data`); in a source
checkout it is the repository's top-level `data/`. Nothing else reads these paths.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def data_root() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "data", here.parent / "data"):
        if (candidate / "reference").is_dir():
            return candidate
    raise RuntimeError("casebook's reference data is missing from the installation")
