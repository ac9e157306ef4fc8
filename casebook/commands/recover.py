"""`casebook recover`: the recovery code opens the casebook and sets a new passphrase."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from casebook import encryption
    from casebook.commands import _secret

    return _secret.rewrap(
        args, "crypt.ask.recovery", "open_with_recovery", encryption.recover, "crypt.recovered"
    )
