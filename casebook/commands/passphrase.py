"""`casebook passphrase`: change the passphrase (the key is rewrapped, the casebook is
not rewritten)."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from casebook import encryption
    from casebook.commands import _secret

    return _secret.rewrap(
        args,
        "crypt.ask.current",
        "open_with_passphrase",
        encryption.change_passphrase,
        "crypt.passphrase_changed",
    )
