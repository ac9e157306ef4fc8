"""The key tables of every screen, as plain data for the keymap check
(`casebook.keymap`): each screen's bindings together with the App's (they are active
together), and each of casebook's own widgets with bindings together with the App's.

Read from the classes' BINDINGS (and those of their bases, Textual's included, which
hold keys too), without building any screen. Only read when the officer has a keymap.

The same tables are shipped as data (`data/keytables.json`, written by
`python -m screens.keytable`), so that `casebook check`, in the core, checks a keymap
without importing Textual; a test holds the file to these tables.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from functools import cache

from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

import screens
import screens.widgets
from casebook import keymap


def _bindings(cls) -> list[keymap.Bound]:
    found = []
    for klass in cls.__mro__:
        for binding in Binding.make_bindings(klass.__dict__.get("BINDINGS", [])):
            found.append(keymap.Bound(binding.id, binding.key, binding.description))
    return found


def _classes():
    for package in (screens, screens.widgets):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for value in vars(module).values():
                if isinstance(value, type) and value.__module__ == module.__name__:
                    yield value


@cache
def scopes() -> dict[str, list[keymap.Bound]]:
    from screens.app import CasebookApp

    app = _bindings(CasebookApp)
    found = {"app": app}
    for cls in _classes():
        if (
            not issubclass(cls, Widget)
            or "BINDINGS" not in vars(cls)
            and not (issubclass(cls, Screen))
        ):
            continue
        own = _bindings(cls)
        if any(b.id for b in own) or issubclass(cls, Screen):
            found[f"{cls.__module__}.{cls.__qualname__}"] = [*app, *own]
    return found


def checked(user_keymap: dict[str, str]) -> keymap.Checked:
    """The officer's keymap checked against every screen's keys."""
    return keymap.check(user_keymap, scopes())


def as_data() -> dict[str, list[list]]:
    """The tables as `data/keytables.json` holds them: scope -> [id, keys, description]."""
    return {
        scope: [[b.id, b.keys, b.description] for b in bindings]
        for scope, bindings in sorted(scopes().items())
    }


def main() -> int:
    """Write `data/keytables.json` anew (run after changing any BINDINGS)."""
    from casebook.resources import data_root

    target = data_root() / keymap.TABLES_FILE
    lines = [
        f"{json.dumps(scope)}: {json.dumps(rows, ensure_ascii=False)}"
        for scope, rows in as_data().items()
    ]  # a scope a line: a changed key shows as one changed line in a diff
    target.write_text("{\n" + ",\n".join(lines) + "\n}\n", "utf-8")
    print(target, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
