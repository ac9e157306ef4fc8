"""The officer's keymap (`[keymap]` in the preferences) checked against the screens'
key tables before it is applied.

A remap is refused, and said so, when
- its binding id is unknown (a typo, or a key of an older version),
- it names no key at all, or
- it gives a binding a key that another binding on the same screen (or the App, which
  is on every screen) would then have too: `"today.triage" = "d"` would take "Stap
  klaar" away from the board. Keys two bindings share on purpose in the tables
  themselves (one of the two is only active at a time) are not a conflict.

This module knows nothing of Textual: the UI hands it its tables as plain data
(`screens.keytable`); `casebook check` reads the same tables as shipped in
`data/keytables.json` (`shipped_scopes`), so both check the same way.
"""

from __future__ import annotations

import contextlib
import unicodedata
from dataclasses import dataclass, field

# As Textual names the keys of single characters ("?" is "question_mark").
_KEY_NAMES = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}


TABLES_FILE = "keytables.json"


@dataclass(frozen=True)
class Bound:
    """One binding in a key table: its id (None: not remappable), its keys, and the
    catalogue key of its description."""

    id: str | None
    keys: str
    description: str = ""


@dataclass
class Checked:
    applied: dict[str, str] = field(default_factory=dict)  # what may be given to the App
    problems: list[str] = field(default_factory=list)  # one message per refused remap


def key_names(keys: str) -> tuple[str, ...]:
    """The keys of a comma-separated key string, each as Textual names it."""
    names = []
    for key in (k.strip() for k in keys.split(",")):
        if not key:
            continue
        if len(key) == 1 and not key.isalnum():
            with contextlib.suppress(ValueError):
                key = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
            key = _KEY_NAMES.get(key, key)
        names.append(key)
    return tuple(names)


def check(keymap: dict[str, str], scopes: dict[str, list[Bound]]) -> Checked:
    """Which remaps of `keymap` may be applied to the bindings in `scopes` (each scope
    the bindings active together: a screen with the App's), and why the others not."""
    from casebook.i18n import t

    result = Checked()
    known = {b.id for bindings in scopes.values() for b in bindings if b.id}
    wanted: dict[str, tuple[str, ...]] = {}
    for binding_id, keys in sorted(keymap.items()):
        if binding_id not in known:
            result.problems.append(t("keymap.unknown_id", id=binding_id))
        elif not key_names(keys):
            result.problems.append(t("keymap.no_key", id=binding_id))
        else:
            wanted[binding_id] = key_names(keys)
    refused: dict[str, str] = {}
    # A remap refused puts its binding back on its own keys, which may clash with
    # another remap: look again until nothing more is refused.
    while True:
        found = _conflicts(wanted, refused, scopes)
        if not found:
            break
        refused.update(found)
    for binding_id in sorted(refused):
        result.problems.append(refused[binding_id])
    result.applied = {
        binding_id: keymap[binding_id] for binding_id in wanted if binding_id not in refused
    }
    return result


def _grouped(bindings: list[Bound]) -> list[tuple[str | None, set[str], str]]:
    """(id, all its keys, description) per binding id; a binding without an id alone."""
    by_id: dict[str, tuple[str | None, set[str], str]] = {}
    out = []
    for b in bindings:
        if b.id is None:
            out.append((None, set(key_names(b.keys)), b.description))
        elif b.id in by_id:
            by_id[b.id][1].update(key_names(b.keys))
        else:
            by_id[b.id] = (b.id, set(key_names(b.keys)), b.description)
            out.append(by_id[b.id])
    return out


def _conflicts(wanted, refused, scopes) -> dict[str, str]:
    from casebook.i18n import has, t

    found: dict[str, str] = {}
    for bindings in scopes.values():
        table = _grouped(bindings)

        def keys_now(binding_id, own: set[str]) -> set[str]:
            if binding_id in wanted and binding_id not in refused:
                return set(wanted[binding_id])
            return own

        for moved_id, moved_own, _ in table:
            if moved_id not in wanted or moved_id in refused or moved_id in found:
                continue
            for other_id, other_own, description in table:
                if other_id == moved_id:
                    continue
                shared = set(wanted[moved_id]) & keys_now(other_id, other_own)
                # sharing a key both already had is the tables' own choice
                shared -= moved_own & other_own
                if shared:
                    name = t(description) if has(description) else other_id or ""
                    found[moved_id] = t(
                        "keymap.conflict",
                        id=moved_id,
                        key=sorted(shared)[0],
                        other=name,
                        other_id=other_id or "-",
                    )
                    break
    return found


def shipped_scopes() -> dict[str, list[Bound]]:
    """Every screen's key table as shipped in `data/keytables.json` (written from the
    screens' BINDINGS by `python -m screens.keytable`; a test keeps it in step)."""
    import json

    from casebook.resources import data_root

    raw = json.loads((data_root() / TABLES_FILE).read_text("utf-8"))
    return {scope: [Bound(*entry) for entry in bindings] for scope, bindings in raw.items()}
