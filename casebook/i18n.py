"""The message catalogue: every user-facing text, in Dutch and English.

Messages live in `data/messages/*.toml`, one file per area, each key a table with an
`nl` and an `en` string, e.g.::

    [error.date]
    nl = "Ongeldige datum: gebruik dd-mm-jjjj"
    en = "Invalid date: use dd-mm-yyyy"

`t("error.date")` returns the text in the current language; `{name}` placeholders are
filled with `str.format`. Dutch is the default.

A text that depends on a number has two forms, each a message table of its own::

    [case.due.in_days.one]
    nl = "over {days} dag"
    en = "in {days} day"
    [case.due.in_days.other]
    nl = "over {days} dagen"
    en = "in {days} days"

and `tn("case.due.in_days", days, days=days)` picks the one for the number (Dutch and
English agree: "one" for 1 and -1, "other" for every other number, 0 included);
`t(key, count=n)` does the same for a message whose number is called `count`.
"""

from __future__ import annotations

import os
import re
import threading
import tomllib
import unicodedata
from functools import cache
from pathlib import Path

from casebook.resources import data_root

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
ENV_LANG = "CASEBOOK_LANG"

_language = DEFAULT_LANGUAGE


class CatalogueError(RuntimeError):
    pass


def _flatten(prefix: str, table: dict, out: dict[str, dict[str, str]], source: str) -> None:
    if "nl" in table or "en" in table:
        if set(table) != {"nl", "en"} or not all(isinstance(v, str) and v for v in table.values()):
            raise CatalogueError(f"{source}: message {prefix!r} needs exactly non-empty nl and en")
        if prefix in out:
            raise CatalogueError(f"{source}: message {prefix!r} is defined twice")
        out[prefix] = table
        return
    for key, value in table.items():
        if not isinstance(value, dict):
            raise CatalogueError(f"{source}: {prefix}.{key} is not a message table")
        _flatten(f"{prefix}.{key}" if prefix else key, value, out, source)


# Parsed lazily, file by file: a message's area (the part of its key before the first
# dot) names the files to read, so `casebook --help` does not parse the screens' texts.
_HEADER = re.compile(rb"^\[\s*([A-Za-z0-9_-]+)\s*[.\]]", re.M)
_messages: dict[str, dict[str, str]] = {}
_parsed: set[Path] = set()
_parse_lock = threading.Lock()


@cache
def _files() -> tuple[Path, ...]:
    return tuple(sorted((data_root() / "messages").glob("*.toml")))


@cache
def _index() -> dict[str, tuple[Path, ...]]:
    index: dict[str, list[Path]] = {}
    for path in _files():
        for area in set(_HEADER.findall(path.read_bytes())):
            index.setdefault(area.decode(), []).append(path)
    return {area: tuple(found) for area, found in index.items()}


def _parse(path: Path) -> None:
    # Under a lock: the UI thread and a reading thread (Today's board, at start-up)
    # can both be first to ask for an area; without it both parse the file and the
    # second finds every key "defined twice".
    with _parse_lock:
        if path in _parsed:
            return
        with path.open("rb") as fh:
            _flatten("", tomllib.load(fh), _messages, path.name)
        _parsed.add(path)


def catalogue() -> dict[str, dict[str, str]]:
    """Every message (all files parsed; a key defined twice is an error)."""
    for path in _files():
        _parse(path)
    return _messages


def _entry(key: str) -> dict[str, str] | None:
    entry = _messages.get(key)
    if entry is None:
        for path in _index().get(key.split(".", 1)[0], ()):
            _parse(path)
            entry = _messages.get(key)
            if entry is not None:
                break
        if entry is None and len(_parsed) < len(_files()):
            entry = catalogue().get(key)  # a key outside its area's files: read them all
    return entry


def lookup(key: str) -> str | None:
    """The message `key` in the current language, or None when its area's files do not
    have it. Unlike `has()`, a miss never reads the whole catalogue: for texts looked up
    on a guess (Textual's and argparse's own), on paths that must stay cheap (`--help`)."""
    for path in _index().get(key.split(".", 1)[0], ()):
        _parse(path)
    entry = _messages.get(key)
    return None if entry is None else entry[_language]


def has(key: str) -> bool:
    """Whether the catalogue has a message `key`."""
    return _entry(key) is not None


def normalise_language(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower()[:2]
    return value if value in LANGUAGES else None


def set_language(language: str | None) -> str:
    global _language
    _language = normalise_language(language) or DEFAULT_LANGUAGE
    return _language


def get_language() -> str:
    return _language


def language_from_env() -> str | None:
    return normalise_language(os.environ.get(ENV_LANG))


def t(key: str, /, **params: object) -> str:
    """The message `key` in the current language. An unknown key is returned as is,
    so a missing text shows up in a test rather than crashing a screen."""
    entry = _entry(key)
    if entry is None and isinstance(params.get("count"), int):
        # a message with plural forms, given its number as `count` (an error raised
        # in the core carries the number, not the form)
        entry = _entry(f"{key}.{plural_form(params['count'])}")
    if entry is None:
        return key
    text = entry[_language]
    return text.format(**params) if params else text


def plural_form(count: int) -> str:
    """The catalogue's form for `count`: "one" or "other" (the rule of Dutch and English)."""
    return "one" if abs(count) == 1 else "other"


def tn(key: str, count: int, /, **params: object) -> str:
    """The form of message `key` for the number `count` (`key.one` or `key.other`),
    in the current language, filled with `params`."""
    return t(f"{key}.{plural_form(count)}", **params)


def area_messages(area: str) -> dict[str, dict[str, str]]:
    """Every message whose key starts with `area.`, reading only that area's files."""
    for path in _index().get(area, ()):
        _parse(path)
    prefix = f"{area}."
    return {key: entry for key, entry in _messages.items() if key.startswith(prefix)}


def collation_key(label: str) -> tuple[str, str]:
    """Sort key for a label in a list the officer reads: letters without their accents and
    case first ("Ëthiopië" beside "Eritrea", "dak" beside "Dak"), the exact text to
    break a tie, so the order is the same every time."""
    decomposed = unicodedata.normalize("NFKD", label.casefold())
    base = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return (base, label)
