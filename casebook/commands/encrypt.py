"""`casebook encrypt`: encrypt the casebook in place (or make a new one encrypted)."""

from __future__ import annotations

import argparse

from casebook.i18n import t


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--yes", action="store_true", help=t("crypt.opt.yes"))


def run(args: argparse.Namespace) -> int:
    import os

    from casebook import cipher, encryption, paths
    from casebook.commands import _secret
    from casebook.commands._confirm import confirm_or_refuse
    from casebook.db import open_casebook
    from casebook.errors import CasebookError

    path = paths.resolve_db_path(args.db)
    if cipher.is_encrypted(path):
        raise CasebookError("crypt.already", path=str(path))
    if not path.exists() or path.stat().st_size == 0:
        passphrase = _secret.ask_new_passphrase()
        code = encryption.create_encrypted(path, passphrase)
        open_casebook(path, create_parents=not (args.db or os.environ.get(paths.ENV_DB))).close()
        print(t("crypt.created", path=str(path)))
        _secret.show_recovery_code(code)
        return 0
    if not confirm_or_refuse(t("crypt.confirm", path=str(path)), yes=args.yes):
        print(t("safety.cancelled"))
        return 1
    passphrase = _secret.ask_new_passphrase()
    result = encryption.encrypt_in_place(path, passphrase)
    print(t("crypt.encrypted", path=str(path)))
    _secret.show_recovery_code(result.recovery_code)
    print(t("crypt.old_blocks"))
    if result.plain_copies:
        print(t("crypt.plain_copies.found", count=len(result.plain_copies)))
        for copy in result.plain_copies:
            print(f"  {copy}")
        _plain_copies(path, result.plain_copies, yes=args.yes)
    return 0


def _plain_copies(path, copies, *, yes: bool) -> None:
    """Offer to encrypt the plain backups (the default answer), or remove them."""
    import sys

    from casebook import encryption

    if yes:
        answer = t("crypt.plain_copies.encrypt_key")
    elif sys.stdin is None or not sys.stdin.isatty():
        print(t("crypt.plain_copies.left"))
        return
    else:
        try:
            answer = input(f"{t('crypt.plain_copies.ask')} ").strip().lower()
        except EOFError:
            answer = t("crypt.plain_copies.keep_key")
        answer = answer or t("crypt.plain_copies.encrypt_key")
    if answer == t("crypt.plain_copies.encrypt_key"):
        for copy in copies:
            encryption.encrypt_copy(path, copy)
        print(t("crypt.plain_copies.encrypted", count=len(copies)))
    elif answer == t("crypt.plain_copies.remove_key"):
        for copy in copies:
            encryption.remove_copy(copy)
        print(t("crypt.plain_copies.removed", count=len(copies)))
    else:
        print(t("crypt.plain_copies.left"))
