"""Small shared pieces of the safety commands (purge, erase, access)."""

from __future__ import annotations

from casebook.i18n import t


def confirm_or_refuse(question: str, *, yes: bool) -> bool:
    """True to go ahead: `--yes` given, or the officer said yes. Without a terminal to
    ask on (a script, a pipe, Git Bash's mintty on Windows) it refuses unless `--yes`
    was given: a destructive step never goes ahead unasked."""
    import sys

    from casebook.errors import CasebookError

    if yes:
        return True
    if not sys.stdin.isatty():
        raise CasebookError("safety.no_terminal_to_ask")
    return confirm(question)


def confirm(question: str) -> bool:
    try:
        answer = input(f"{question} [{t('safety.yes_key')}/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in {t("safety.yes_key").lower(), "y", "j", "yes", "ja"}


def parse_today(text: str | None):
    from casebook.errors import CasebookError

    if not text:
        return None
    from casebook.dates import parse_date

    try:
        return parse_date(text)
    except ValueError:
        raise CasebookError("error.date") from None
