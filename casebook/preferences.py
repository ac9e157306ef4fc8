"""The officer's personal preferences (language, theme, keymap), in a TOML file in the
platformdirs config folder. Precedence: command-line flag > environment > file > default.

Read with the standard library's `tomllib` (start-up pays for no other parser); written
with `tomlkit`, which edits the officer's file in place: their comments, their layout and
keys this version does not know are kept, and any text (control characters included) is
written as valid TOML. A file that cannot be read is never silently replaced: it is kept
beside the new one as `settings.toml.invalid`.
"""

from __future__ import annotations

import contextlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from casebook import i18n, paths
from casebook.i18n import t

KNOWN_KEYS = {"language", "theme", "keymap", "due_days"}
DEFAULT_THEME = "textual-dark"


@dataclass
class Preferences:
    language: str = i18n.DEFAULT_LANGUAGE
    theme: str = DEFAULT_THEME
    keymap: dict[str, str] = field(default_factory=dict)
    # the officer's usual days to a step's due date, per step type (casebook.due_days)
    due_days: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # messages about the file itself
    path: Path | None = None


def load(path: Path | None = None) -> Preferences:
    path = path or paths.config_file()
    prefs = Preferences(path=path)
    if not path.is_file():
        return prefs
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        prefs.problems.append(t("prefs.unreadable", path=str(path), reason=reason))
        return prefs
    for key in sorted(set(raw) - KNOWN_KEYS):
        prefs.problems.append(t("prefs.unknown_key", path=str(path), key=key))
    if "language" in raw:
        lang = i18n.normalise_language(str(raw["language"]))
        if lang is None:
            choices = ", ".join(i18n.LANGUAGES)
            prefs.problems.append(t("prefs.bad_language", path=str(path), choices=choices))
        prefs.language = lang or prefs.language
    if "theme" in raw:
        if isinstance(raw["theme"], str):
            prefs.theme = raw["theme"]
        else:
            prefs.problems.append(t("prefs.bad_theme", path=str(path)))
    keymap = raw.get("keymap", {})
    if isinstance(keymap, dict) and all(isinstance(v, str) for v in keymap.values()):
        prefs.keymap = dict(keymap)
    else:
        prefs.problems.append(t("prefs.bad_keymap", path=str(path)))
    if "due_days" in raw:
        from casebook.due_days import read_preference

        prefs.due_days, problems = read_preference(raw["due_days"])
        prefs.problems.extend(t(key, path=str(path), **params) for key, params in problems)
    return prefs


def render(prefs: Preferences, existing: str | None = None) -> str:
    """The file's new text: `existing` (the officer's file) with language, theme and
    keymap set to `prefs`, everything else as it was."""
    import tomlkit

    doc = tomlkit.parse(existing) if existing is not None else tomlkit.document()
    doc["language"] = prefs.language
    doc["theme"] = prefs.theme
    table = doc.get("keymap")
    if not isinstance(table, dict):
        if "keymap" in doc:
            del doc["keymap"]
        table = tomlkit.table()
        doc["keymap"] = table
        table = doc["keymap"]
    for key in [k for k in table if k not in prefs.keymap]:
        del table[key]
    for key, keys in sorted(prefs.keymap.items()):
        if table.get(key) != keys:
            table[key] = keys
    return tomlkit.dumps(doc)


def save(prefs: Preferences, path: Path | None = None) -> Path:
    """Write `prefs` into the file (made owner-only), keeping what the officer wrote."""
    from tomlkit.exceptions import TOMLKitError

    path = path or prefs.path or paths.config_file()
    paths.make_private_dir(path.parent)
    existing: bytes | None = None
    with contextlib.suppress(FileNotFoundError):
        existing = path.read_bytes()
    try:
        text = render(prefs, None if existing is None else existing.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, TOMLKitError):
        # a file that is no TOML: kept for the officer, never silently lost
        _write(path.with_name(path.name + ".invalid"), existing or b"")
        text = render(prefs, None)
    _write(path, text.encode("utf-8"))
    return path


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    paths.restrict(tmp)
    tmp.replace(path)
