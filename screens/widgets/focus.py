"""Moving the focus before the next key is handled."""

from __future__ import annotations

from textual.widget import Widget


def focus_now(widget: Widget) -> None:
    """Focus `widget` at once.

    `Widget.focus()` queues the change behind the keys already waiting, so what a fast
    typist types next (`/nagel` in one go on the case list, or a form's first word
    while it opens) would go to the widget that had the focus, or to none."""
    widget.screen.set_focus(widget)
