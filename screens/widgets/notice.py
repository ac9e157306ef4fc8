"""A short notice that takes the keys typed after it: "this cannot be done here".

When a one-key action cannot act (no step under the cursor, a final referral), a toast
would leave the keys typed next to run as commands: a note typed after a `d` that did
nothing opened the deadline form on its `b`. This notice holds the focus instead and
swallows every key until Escape or Enter closes it, so nothing typed lands elsewhere.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from casebook.i18n import t


class NoticeModal(ModalScreen[None]):
    DEFAULT_CSS = """
    NoticeModal { align: center middle; }
    NoticeModal > Vertical {
        width: 64; max-width: 95%; height: auto; padding: 1 2;
        border: thick $warning; background: $panel;
    }
    NoticeModal .notice-hint { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("⚠ " + self.message), id="notice-text")
            yield Static(Text(t("forms.notice_hint")), classes="notice-hint")

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        if event.key in ("escape", "enter"):
            self.dismiss(None)


def refuse_unavailable_key(screen, event: events.Key) -> bool:
    """For a screen's `on_key`: a key bound on `screen` whose every action is
    unavailable here (its `check_action` says no: greyed out or left out of the footer)
    gets a notice that takes the keys typed next, instead of doing nothing while the
    next letters run as commands. The screen's `why_unavailable(action)`, if it has
    one, may say why in its own words. True if it did."""
    from textual.binding import Binding

    actions = [
        b.action.split("(", 1)[0]
        for b in screen.BINDINGS
        if isinstance(b, Binding) and event.key in b.key.split(",")
    ]
    if not actions or any(screen.check_action(action, ()) for action in actions):
        return False
    event.stop()
    event.prevent_default()
    why = getattr(screen, "why_unavailable", None)
    message = why(actions[0]) if why is not None else None
    screen.app.push_screen(NoticeModal(message or t("forms.not_here", key=event.key)))
    return True
