"""Bindings whose descriptions are catalogue keys, translated when they are shown.

Bindings are declared as `Binding("f1", "help", "key.help", id="app.help")`; the places
that show a binding's description — the key footer (`screens.widgets.footer`) and the
help screen — pass it through `tr()` as they draw it, so switching the language
relabels them on their next draw (`App.refresh_bindings()`), with no copy of Textual's
binding tables to keep in step.

Textual's own bindings have English descriptions ("Dismiss menu", shown in the footer
while a dropdown is open); the catalogue has them under `textual.binding.*`, found by
their English text.
"""

from __future__ import annotations

from functools import cache

from casebook.i18n import area_messages, has, t


@cache
def _textual_keys() -> dict[str, str]:
    """Textual's English description -> its catalogue key."""
    return {entry["en"]: key for key, entry in area_messages("textual").items()}


def tr(text: str) -> str:
    """Translate `text` if it is a catalogue key, or one of Textual's own descriptions
    the catalogue knows; otherwise return it unchanged."""
    if not text:
        return text
    if " " in text or "." not in text:
        key = _textual_keys().get(text)
        return t(key) if key else text
    return t(text) if has(text) else text
