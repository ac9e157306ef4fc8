"""Keys for a screen with a search field above a list (the case list, the directory).

`/` goes to the search and Enter or Down back to the list. Both are priority bindings
(declared by the screen, with its own binding ids): the App runs them as it reads the
key, so what is typed right after lands where the focus has just gone, however fast it
comes. A plain binding would run later, after the focused widget had its turn, and the
App would meanwhile have sent the next keys to the old focus: `/noodopvang` typed in one
go would have searched nothing and opened "new organisation" on its `n`. Each applies
only on its own side (`search_key_allowed`), so `/` can be typed in the search or in a
dropdown's type-to-search.

Keys that still reach the screen out of turn are put right in `on_key`: characters
while the search has the focus go into it; Enter or Down there go to the list; and keys
that move in or open the list wait while the list does not yet show the result of what
was typed (`list_pending`), so `/nagel`, Enter, `j`, Enter opens the second case found
for "nagel", not the second of the list before it. What was typed is known for sure
only when the search field has handled every key sent to it before Enter: Enter sends
the field a `TypingDone` message, which it handles after those keys. Once one key
waits, every key after it waits too (so `c` typed after Enter does not overtake it);
they are pressed again, in order, when the result is shown, or after `HOLD_AT_MOST`
seconds whatever happens, and dropped if another screen has come on top meanwhile.
"""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input, Select

from screens.widgets.focus import focus_now

SEARCH_ACTIONS = ("search", "to_list")
HOLD_AT_MOST = 1.0  # seconds: keys are never held longer than this
# Keys that move the cursor in the list or open its row.
ROW_KEYS = frozenset(
    {"j", "k", "up", "down", "enter", "pageup", "pagedown", "home", "end", "ctrl+home", "ctrl+end"}
)


class SearchList:
    """Mixed into a Screen before Screen; `SEARCH` and `LIST` select the two widgets."""

    SEARCH = "#search"
    LIST = "#list"
    HOLD_KEYS = ROW_KEYS  # the keys that wait for the result: moving and acting on rows

    class TypingDone(Message):
        """Sent through the search field when the focus leaves it for the list."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[events.Key] = []
        self._hold_timer = None
        self._gave_up = False  # the wait ran out: hold nothing until a result is shown
        self._typing = False  # keys sent to the search field may be unhandled yet

    def result_pending(self) -> bool:
        """True while the list does not yet show the result of the search as it is."""
        return False

    def search_typed(self, text: str) -> None:
        """The search field holds `text`, every key typed into it handled."""

    def list_pending(self) -> bool:
        return self._typing or self.result_pending()

    def searching(self) -> bool:
        return self.is_mounted and self.focused is self.query_one(self.SEARCH, Input)

    def search_key_allowed(self, action: str) -> bool:
        """For check_action: `/` unless typing (in an input or an open dropdown),
        Enter/Down while in the search."""
        if action == "search":
            if self._held:  # `/` waits its turn behind the keys already waiting
                return False
            focused = self.focused
            return self.is_mounted and not (
                isinstance(focused, Input)
                or (focused is not None and any(isinstance(a, Select) for a in focused.ancestors))
            )
        return self.searching()

    def action_search(self) -> None:
        focus_now(self.query_one(self.SEARCH, Input))

    def action_to_list(self) -> None:
        self._typing = True
        self.query_one(self.SEARCH, Input).post_message(self.TypingDone())
        focus_now(self.query_one(self.LIST))

    def on_search_list_typing_done(self, message: TypingDone) -> None:
        message.stop()
        self._typing = False
        self.search_typed(self.query_one(self.SEARCH, Input).value)
        if not self.list_pending():
            self.release_held_keys()

    def release_held_keys(self, *, gave_up: bool = False) -> None:
        """Call when the list shows the current result: the keys that waited for it."""
        self._gave_up = gave_up
        held, self._held = self._held, []
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        if held:
            self.app.call_later(self._press_again, [(k.key, k.character) for k in held])

    def _press_again(self, keys: list[tuple[str, str | None]]) -> None:
        if self.app.screen is self:  # typed for this screen, not for one on top of it
            self.app.press_keys(keys)

    def on_key(self, event: events.Key) -> None:
        if self.searching():
            if event.is_printable and event.character:
                self.query_one(self.SEARCH, Input).insert_text_at_cursor(event.character)
            elif event.key in ("enter", "down"):
                self.action_to_list()
            else:
                return
        elif self._held or (
            not self._gave_up
            and event.key in self.HOLD_KEYS
            and self.list_pending()
            and self.is_mounted
            and self.focused is self.query_one(self.LIST)
        ):
            if not self._held:
                self._hold_timer = self.set_timer(
                    HOLD_AT_MOST, lambda: self.release_held_keys(gave_up=True)
                )
            self._held.append(event)
        else:
            return
        event.stop()
        event.prevent_default()
