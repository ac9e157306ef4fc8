"""Keys for a screen with a search field above a list (the case list, the directory).

`/` goes to the search and Enter or Down back to the list. Both are priority bindings
(declared by the screen, with its own binding ids): the App runs them as it reads the
key, so what is typed right after lands where the focus has just gone, however fast it
comes. A plain binding would run later, after the focused widget had its turn, and the
App would meanwhile have sent the next keys to the old focus: `/noodopvang` typed in one
go would have searched nothing and opened "new organisation" on its `n`. Each applies
only on its own side (`search_key_allowed`), so `/` can be typed in the search.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from screens.widgets.focus import focus_now

SEARCH_ACTIONS = ("search", "to_list")


class SearchList:
    """Mixed into a Screen before Screen; `SEARCH` and `LIST` select the two widgets."""

    SEARCH = "#search"
    LIST = "#list"

    def searching(self) -> bool:
        return self.is_mounted and self.focused is self.query_one(self.SEARCH, Input)

    def search_key_allowed(self, action: str) -> bool:
        """For check_action: `/` while not in the search, Enter/Down while in it."""
        if action == "search":
            return self.is_mounted and not self.searching()
        return self.searching()

    def action_search(self) -> None:
        focus_now(self.query_one(self.SEARCH, Input))

    def action_to_list(self) -> None:
        focus_now(self.query_one(self.LIST))

    def on_key(self, event: events.Key) -> None:
        """A character that reaches the screen while the search has the focus was typed
        before the focus got there (sent to the list, or to the screen before it was
        mounted): it belongs in the search, in the order typed."""
        if event.is_printable and event.character and self.searching():
            event.stop()
            event.prevent_default()
            self.query_one(self.SEARCH, Input).insert_text_at_cursor(event.character)
