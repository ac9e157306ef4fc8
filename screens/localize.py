"""Bindings whose descriptions are catalogue keys, translated per node.

Bindings are declared as `Binding("f1", "help", "key.help", id="app.help")`; every node
that mixes in `Localized` translates its own copy of its class's bindings when it is
created, and again when the language changes (`localize_bindings()`), so the footer
and the help screen speak the officer's language.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import BindingsMap

from casebook.i18n import has, t


def tr(text: str) -> str:
    """Translate `text` if it is a catalogue key; otherwise return it unchanged.
    Textual's own descriptions ("Focus Next") are not key-shaped and are never looked
    up, so they do not make the whole catalogue load."""
    if not text or " " in text or "." not in text:
        return text
    return t(text) if has(text) else text


def translated(source: BindingsMap) -> BindingsMap:
    keys = {
        key: [
            replace(b, description=tr(b.description), tooltip=tr(b.tooltip) if b.tooltip else "")
            for b in bindings
        ]
        for key, bindings in source.key_to_bindings.items()
    }
    return BindingsMap.from_keys(keys)


class Localized:
    """Mixin for App, Screen and Widget subclasses whose binding descriptions are keys."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.localize_bindings()

    def localize_bindings(self) -> None:
        merged = type(self)._merged_bindings
        if merged is not None:
            self._bindings = translated(merged)
