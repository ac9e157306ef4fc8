"""Bindings whose descriptions are catalogue keys, translated when they are shown.

Bindings are declared as `Binding("f1", "help", "key.help", id="app.help")`; the places
that show a binding's description — the key footer (`screens.widgets.footer`) and the
help screen — pass it through `tr()` as they draw it, so switching the language
relabels them on their next draw (`App.refresh_bindings()`), with no copy of Textual's
binding tables to keep in step.
"""

from __future__ import annotations

from casebook.i18n import has, t


def tr(text: str) -> str:
    """Translate `text` if it is a catalogue key; otherwise return it unchanged.
    Textual's own descriptions ("Focus Next") are not key-shaped and are never looked
    up, so they do not make the whole catalogue load."""
    if not text or " " in text or "." not in text:
        return text
    return t(text) if has(text) else text
