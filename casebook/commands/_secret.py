"""Asking a passphrase or recovery code on the terminal: masked (`getpass`), never from
arguments or environment variables, which other processes and shell history can read."""

from __future__ import annotations

import sys
import time

from casebook.i18n import t

ATTEMPTS = 5


def ask(prompt: str) -> str:
    """One masked answer. Refuses (CasebookError) without a terminal to ask on."""
    import getpass

    from casebook.errors import CasebookError

    if sys.stdin is None or not sys.stdin.isatty():
        raise CasebookError("crypt.no_terminal")
    try:
        return getpass.getpass(f"{prompt} ")
    except EOFError:
        raise CasebookError("crypt.no_answer") from None


def ask_new_passphrase() -> str:
    """A new passphrase, typed twice; asked again while too short or not the same."""
    from casebook.encryption import check_passphrase
    from casebook.errors import CasebookError

    for _ in range(ATTEMPTS):
        first = ask(t("crypt.ask.new"))
        try:
            check_passphrase(first)
        except CasebookError as exc:
            print(exc.message(), file=sys.stderr)
            continue
        if ask(t("crypt.ask.repeat")) == first:
            return first
        print(t("crypt.not_same"), file=sys.stderr)
    raise CasebookError("crypt.gave_up")


def delay(attempt: int) -> float:
    """Seconds to wait after the `attempt`-th wrong answer: growing, never a lock-out."""
    return min(30.0, 0.5 * 2 ** (attempt - 1))


def unlock(locked) -> None:
    """Ask the passphrase for `locked` (a cipher.Locked) until it opens the key; a
    wrong one is refused with a message and a growing delay."""
    ask_until_it_opens(t("crypt.ask.passphrase", path=str(locked.db_path)), locked.unlock)


def ask_until_it_opens(prompt: str, opens) -> str:
    """Ask (masked) until `opens(answer)` accepts it, a wrong one refused with a
    message and a growing delay; the accepted answer."""
    from casebook.errors import CasebookError
    from casebook.keys import WrongSecret

    for attempt in range(1, ATTEMPTS + 1):
        answer = ask(prompt)
        try:
            opens(answer)
            return answer
        except WrongSecret as exc:
            print(exc.message(), file=sys.stderr)
            time.sleep(delay(attempt))
    raise CasebookError("crypt.gave_up")


def rewrap(args, prompt_key: str, open_with: str, apply, done_key: str) -> int:
    """`casebook passphrase` and `casebook recover`: the current secret (passphrase or
    recovery code, `open_with` names the key file's method) asked until it opens the
    key, then a new passphrase; `apply(path, secret, new)` rewraps, and returns how
    many backups' key files it rewrapped too."""
    from casebook import cipher, paths
    from casebook.errors import CasebookError

    path = paths.resolve_db_path(args.db)
    if not cipher.is_encrypted(path):
        raise CasebookError("crypt.not_encrypted", path=str(path))
    key_file = cipher.key_file(path)
    secret = ask_until_it_opens(t(prompt_key), getattr(key_file, open_with))
    new = ask_new_passphrase()
    print(t(done_key, count=apply(path, secret, new)))
    return 0


def show_recovery_code(code: str) -> None:
    print(t("crypt.recovery.shown", code=code))
