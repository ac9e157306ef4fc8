"""`casebook access`: not built yet (its issue owns this module)."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from casebook.errors import CasebookError

    raise CasebookError("cli.not_built")
