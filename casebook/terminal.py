"""Manners towards the terminal, the pipes and the console casebook runs in.

- The screens need a terminal on stdin, stdout and stderr (Textual reads keys from
  stdin and draws on stderr); without one (`ssh host casebook`, `casebook > file`,
  Git Bash's mintty on Windows) casebook refuses before it draws anything.
- `NO_COLOR` (https://no-color.org) is honoured by Textual itself: the screens are drawn
  in monochrome. `TERM=dumb` says the terminal has no colours either: casebook sets
  `NO_COLOR` and turns Textual's animations off for it.
- A console whose encoding cannot write every character (strictly ASCII stdio, a Windows
  code page when output is redirected) gets the nearest plain letters ("één" -> "een",
  "…" -> "...") instead of a UnicodeEncodeError.
- A closed pipe (`casebook stats 2025 | head -1`) ends the command quietly.

Nothing here imports Textual.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import sys
import unicodedata
from collections.abc import MutableMapping

PLAIN_ERRORS = "casebook-plain"

# Characters the catalogue uses that have no plain-letter decomposition.
_PLAIN = {
    "…": "...",
    "–": "-",
    "—": "-",
    "−": "-",
    "‘": "'",
    "’": "'",
    "‚": ",",
    "“": '"',
    "”": '"',
    "„": '"',
    "≥": ">=",
    "≤": "<=",
    "→": "->",
    "←": "<-",
    "×": "x",
    "•": "*",
    "·": ".",
    "€": "EUR",
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "█": "#",
    "▏": "|",
    "✓": "v",
    "✗": "x",
}


def plain(character: str) -> str:
    """An ASCII stand-in for `character` ("é" -> "e", "…" -> "..."), "?" if none."""
    if character.isascii():
        return character
    mapped = _PLAIN.get(character)
    if mapped is not None:
        return mapped
    stripped = "".join(
        c for c in unicodedata.normalize("NFKD", character) if not unicodedata.combining(c)
    )
    return stripped if stripped and stripped.isascii() else "?"


def _plain_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(plain(c) for c in bad), error.end


def _is_unicode(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return False


def tame_stdio() -> None:
    """Make stdout and stderr write plain letters for what their encoding cannot hold,
    rather than raise. Streams that speak UTF-8 are left as they are."""
    codecs.register_error(PLAIN_ERRORS, _plain_fallback)
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        reconfigure = getattr(stream, "reconfigure", None)
        if not encoding or reconfigure is None or _is_unicode(encoding):
            continue
        if getattr(stream, "errors", "strict") == "strict":
            with contextlib.suppress(AttributeError, ValueError, OSError):
                reconfigure(errors=PLAIN_ERRORS)


def _is_terminal(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError, OSError):  # closed or detached
        return False


def missing_terminal() -> str | None:
    """The first of stdin, stdout and stderr that is not a terminal, or None."""
    for name in ("stdin", "stdout", "stderr"):
        if not _is_terminal(getattr(sys, name, None)):
            return name
    return None


def prepare_for_screens(environ: MutableMapping[str, str] | None = None) -> None:
    """Before Textual is imported: a dumb terminal gets no colours and no animations
    (Textual reads both settings from the environment; an explicit setting stays)."""
    environ = os.environ if environ is None else environ
    if environ.get("TERM", "").strip().lower() == "dumb":
        environ.setdefault("NO_COLOR", "1")
        environ.setdefault("TEXTUAL_ANIMATIONS", "none")


def silence_closed_pipe() -> None:
    """After a BrokenPipeError: point stdout and stderr at the null device, so that the
    interpreter's last flush at exit has nowhere to fail (Python's documented way)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError, OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)
