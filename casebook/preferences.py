"""The officer's personal preferences (language, theme, keymap), in a TOML file in the
platformdirs config folder. Precedence: command-line flag > environment > file > default.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from casebook import i18n, paths

KNOWN_KEYS = {"language", "theme", "keymap"}


@dataclass
class Preferences:
    language: str = i18n.DEFAULT_LANGUAGE
    theme: str = "textual-dark"
    keymap: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # messages about the file itself
    path: Path | None = None


def load(path: Path | None = None) -> Preferences:
    path = path or paths.config_file()
    prefs = Preferences(path=path)
    if not path.is_file():
        return prefs
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        prefs.problems.append(f"{path}: {exc}")
        return prefs
    for key in sorted(set(raw) - KNOWN_KEYS):
        prefs.problems.append(f"{path}: unknown key {key!r}")
    lang = i18n.normalise_language(str(raw.get("language", "")))
    if "language" in raw and lang is None:
        prefs.problems.append(f"{path}: language must be one of {', '.join(i18n.LANGUAGES)}")
    prefs.language = lang or prefs.language
    if isinstance(raw.get("theme"), str):
        prefs.theme = raw["theme"]
    keymap = raw.get("keymap", {})
    if isinstance(keymap, dict):
        prefs.keymap = {str(k): str(v) for k, v in keymap.items()}
    else:
        prefs.problems.append(f"{path}: keymap must be a table of binding id = keys")
    return prefs


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def save(prefs: Preferences, path: Path | None = None) -> Path:
    path = path or prefs.path or paths.config_file()
    paths.make_private_dir(path.parent)
    lines = [f"language = {_quote(prefs.language)}", f"theme = {_quote(prefs.theme)}", ""]
    lines.append("[keymap]")
    lines += [f"{_quote(k)} = {_quote(v)}" for k, v in sorted(prefs.keymap.items())]
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)
    paths.restrict(path)
    return path
