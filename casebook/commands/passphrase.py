"""`casebook passphrase`: change the passphrase (the key is rewrapped, the casebook is
not rewritten)."""

from __future__ import annotations

import argparse

from casebook.i18n import t


def add_arguments(p: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    import sys
    import time

    from casebook import cipher, encryption, paths
    from casebook.commands import _secret
    from casebook.errors import CasebookError
    from casebook.keys import WrongSecret

    path = paths.resolve_db_path(args.db)
    if not cipher.is_encrypted(path):
        raise CasebookError("crypt.not_encrypted", path=str(path))
    for attempt in range(1, _secret.ATTEMPTS + 1):
        old = _secret.ask(t("crypt.ask.current"))
        try:
            cipher.key_file(path).open_with_passphrase(old)
            break
        except WrongSecret as exc:
            print(exc.message(), file=sys.stderr)
            time.sleep(_secret.delay(attempt))
    else:
        raise CasebookError("crypt.gave_up")
    new = _secret.ask_new_passphrase()
    copies = encryption.change_passphrase(path, old, new)
    print(t("crypt.passphrase_changed", count=copies))
    return 0
