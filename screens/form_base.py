"""The one form base: every form (a pop-up in the case file, Today's quick forms, the
full-screen intake, triage and settings) is a `FormBase` screen.

A form
- gathers what was typed on the UI thread (`collect()`),
- may check it at once with the core's own rules (`check(data)`, raising `ValidationError`),
- saves it through the one door (`screens.door.write`) in a worker: `apply(session, data)`
  in one write transaction, after an optional question (`warning(session, data)`) that
  the officer confirms, with "no" the default;
- keeps everything typed when the save is refused: field errors beside their fields, a
  stale edit (another window changed the record) in words with the text left in place;
- knows whether it holds unsaved input (a fingerprint of `collect()` taken when it
  opened) and `can_leave(then)`: Escape, Ctrl+Q, the F-keys, Ctrl+N and the command
  palette all ask it; with unsaved input it asks, and keeping the input is the default;
- when opened by one key (`REQUIRE_INPUT`), refuses to save untouched defaults;
- Escape while a save waits (for the casebook's lock) cancels that save: it is rolled
  back, never written later;
- takes the keys typed while it is being built: from the moment it is the top screen
  until it is laid out (`mark_clean()`), the App hands every key to `hold_key()`
  instead of to a focus that is not there yet; they are pressed again, in order, into
  its first field once it is ready (or after `HOLD_AT_MOST` seconds whatever happens).
  Ctrl+S typed ahead thus saves what was typed ahead, not an empty form.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.message import Message

from casebook.errors import StaleEditError, ValidationError
from casebook.i18n import t
from screens import door
from screens.widgets.confirm import ConfirmModal
from screens.widgets.forms import clear_errors, resolve_date_fields, show_errors

SAVE_KEYS = "ctrl+s,f10"
HOLD_AT_MOST = 1.0  # seconds: a form that never says it is ready gets its keys then


class TypedAhead(Message):
    """Follows a key typed ahead into a form; when it reaches the form, the key before
    it has been handled, and the next can go."""

    def __init__(self, form) -> None:
        super().__init__()
        self.form = form


class FormBase:
    """Mixin for a Screen or ModalScreen that is a form (see the module's text)."""

    FORM_BINDINGS = [
        Binding(SAVE_KEYS, "save", "ui.key.save", id="form.save"),
        Binding("escape", "leave", "ui.key.cancel", id="form.cancel"),
    ]
    #: opened by one key from a list: an untouched form is not saved (its defaults
    #: are not a decision the officer took)
    REQUIRE_INPUT = True
    #: the question asked when leaving with unsaved input
    DISCARD_KEY = "forms.discard_question"

    _initial: str | None = None
    _saving = False
    _save_worker = None
    _save_serial = 0
    _taking_keys = False  # laid out: keys go to its fields as they come
    _typed_ahead: list | None = None  # held while it is built, then pressed in turn
    _replayed = None  # the Key pressed again last (it passes the App unheld)
    _hold_timer = None

    # -- to be filled in by each form ----------------------------------------------

    def collect(self):
        """What was typed, read on the UI thread."""
        raise NotImplementedError

    def check(self, data) -> None:
        """The core's checks that need no database, before the worker (optional)."""

    def warning(self, session, data) -> str | None:
        """A question to confirm before saving (read in the worker), or None."""
        return None

    def apply(self, session, data):
        """Save `data` in `session` (one write transaction); runs in a worker thread."""
        raise NotImplementedError

    def saved(self, result) -> None:
        """After a successful save, on the UI thread: by default the form closes."""
        self.close_form(result)

    def close_form(self, result=None) -> None:
        """Leave the form (a pop-up dismisses with `result`, a screen is popped)."""
        raise NotImplementedError

    def fix_errors(self, error: ValidationError) -> ValidationError:
        """The core's error with field names as this form's (e.g. renumbered rows)."""
        return error

    # -- unsaved input ------------------------------------------------------------

    def fingerprint(self) -> str:
        return repr(self.collect())

    def mark_clean(self) -> None:
        """What is on the form now counts as nothing typed (called once it is laid out).
        The keys typed meanwhile are pressed into it now, after the fingerprint: they
        are input, and leaving asks for them."""
        self._initial = self.fingerprint()
        self.take_keys()

    def on_select_changed(self, event) -> None:
        """A step type chosen: its usual due date in the due field that follows it."""
        from screens.widgets.forms import suggest_due_dates

        suggest_due_dates(self, event.select)

    # -- keys typed while it is being built --------------------------------------------

    def holds_keys(self, event=None) -> bool:
        """Whether the App should hand this key to `hold_key`: until the form is laid
        out, and after that while the keys typed ahead are still being pressed (a key
        typed meanwhile waits its turn behind them)."""
        if not self._taking_keys:
            return True
        return bool(self._typed_ahead) and event is not self._replayed

    def hold_key(self, key: str, character: str | None) -> None:
        if self._typed_ahead is None:
            self._typed_ahead = []
        if not self._taking_keys and self._hold_timer is None:
            self._hold_timer = self.set_timer(HOLD_AT_MOST, self.take_keys)
        self._typed_ahead.append((key, character))

    def take_keys(self) -> None:
        """From now on keys go to the form's fields; those typed ahead first, in order."""
        if self._taking_keys:
            return
        self._taking_keys = True
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        if self._typed_ahead:
            self.app.call_later(self._press_next)

    def _press_next(self) -> None:
        """Press the next key typed ahead as the terminal would (through the App: its
        priority keys, then the focused field), and the one after it once this one has
        been handled all the way up and the screen refreshed: a Tab, or an Enter that
        opens a dropdown, moves the focus before the next key is sent, as when typed
        one by one. The marker that says so follows the key along its way (to the
        focus, bubbling up to this form)."""
        from textual import events

        keys = self._typed_ahead
        if not keys:
            self._typed_ahead = None
            return
        if self.app.screen is not self:
            # something came on top (a question on saving): it gets the rest as typed
            self._typed_ahead = None
            self.app.press_keys(keys)
            return
        key, character = keys.pop(0)
        self._replayed = events.Key(key, character)
        self.app.post_message(self._replayed)
        self.app.call_later(self._follow_key)

    def _follow_key(self) -> None:
        # in the App's turn after it sent the key on: the same way, behind it
        target = self.app.focused or self.app.screen
        target.post_message(TypedAhead(self))

    def on_typed_ahead(self, message: TypedAhead) -> None:
        message.stop()
        if message.form is self:
            # after the next refresh (a dropdown gives its list the focus then), and then
            # in the App's own turn: a key made while a screen handles a message (or
            # while a refresh runs) has that screen as its sender, and stops there
            # instead of bubbling up to the App's bindings (Enter in a list, Tab)
            self.app.call_after_refresh(self.app.call_later, self._press_next)

    def is_dirty(self) -> bool:
        if self._initial is None:
            return False
        try:
            return self.fingerprint() != self._initial
        except Exception:  # half built or half torn down: nothing to lose
            return False

    def can_leave(self, then: Callable[[], None]) -> None:
        """Run `then` now if nothing typed would be lost, else after asking; the default
        answer (Enter, Escape, `n`) keeps the form open with its input."""
        if not self.is_dirty():
            then()
            return

        def answer(discard: bool | None) -> None:
            if discard:
                self._initial = None  # discarded: nothing to ask about any more
                then()

        self.app.push_screen(
            ConfirmModal(
                t(self.DISCARD_KEY),
                yes=t("forms.discard"),
                no=t("forms.keep_editing"),
            ),
            answer,
        )

    # -- keys -----------------------------------------------------------------------

    def action_leave(self) -> None:
        """Escape: a save under way is cancelled; otherwise leave (asking first if
        something typed would be lost)."""
        if self._saving and self._save_worker is not None:
            self._save_worker.cancel()
            self._saving = False
            self._save_worker = None
            self.notify(t("forms.save_cancelled"), severity="warning")
            return
        self.can_leave(self.close_form)

    def action_save(self) -> None:
        if self._saving:  # a second Ctrl+S while the first is being written
            return
        if self.REQUIRE_INPUT and self._initial is not None and not self.is_dirty():
            from screens.widgets.notice import NoticeModal

            self.app.push_screen(NoticeModal(t("forms.nothing_typed")))
            return
        clear_errors(self)
        resolve_date_fields(self)  # `+2` is saved as the date shown beside it
        data = self.collect()
        try:
            self.check(data)
        except ValidationError as error:
            self._invalid(error)
            return
        self._start_save(data, confirmed=False)

    def _start_save(self, data, confirmed: bool) -> None:
        self._saving = True
        self._save_serial += 1
        serial = self._save_serial
        self._save_worker = door.write(
            self,
            lambda session: self.apply(session, data),
            self._saved,
            group="form-save",
            question=None if confirmed else (lambda session: self.warning(session, data)),
            ask=lambda question: self._ask(question, data),
            invalid=self._invalid,
            stale=self._stale,
            finished=lambda: self._finished(serial),
        )

    def _finished(self, serial: int) -> None:
        if serial == self._save_serial:  # not a cancelled save's late report
            self._saving = False
            self._save_worker = None

    def _ask(self, question: str, data) -> None:
        def answered(yes: bool | None) -> None:
            if yes and not self._saving:
                self._start_save(data, confirmed=True)

        self.app.push_screen(ConfirmModal(question), answered)

    def _invalid(self, error: ValidationError) -> None:
        for message in show_errors(self, self.fix_errors(error)):
            self.notify(message, severity="error", markup=False)
        self.notify(error.message(), severity="error", markup=False)

    def _stale(self, error: StaleEditError) -> None:
        # Someone changed the record in another window: nothing was written, and what
        # was typed stays on the form (to copy, or to close and open the record again).
        self.notify(t("forms.stale_kept"), severity="error", markup=False, timeout=12)

    def _saved(self, result) -> None:
        self._initial = None
        self.saved(True if result is None else result)


class FormScreen(FormBase):
    """A full-screen form (intake, triage, settings): the same base; leaving pops it."""

    REQUIRE_INPUT = False  # opened on purpose (Ctrl+N, F9); the core refuses what is missing

    def close_form(self, result=None) -> None:
        if self.app.screen is self:
            self.app.pop_screen()
