"""Unlocking an encrypted casebook: a screen of its own, shown before anything of the
casebook is read. The passphrase is typed masked; a wrong one is refused with a message
and a growing wait before the next try (never a lock-out: the casebook is untouched).
"Remember on this computer" (off by default, only when the optional `keyring` package
is installed) keeps the key in the system's credential store."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Checkbox, Input, Static

from casebook.i18n import t

KEYRING_SERVICE = "casebook-mensenhandel"


def _keyring():
    try:
        import keyring  # optional extra: pip install "casebook-mensenhandel[keyring]"
    except ImportError:
        return None
    return keyring


def remembered(db_path: Path) -> bool:
    """Unlock from the credential store when the key was remembered here."""
    from casebook import cipher, keys

    ring = _keyring()
    if ring is None:
        return False
    try:
        key_id = cipher.key_file(db_path).key_id
        stored = ring.get_password(KEYRING_SERVICE, key_id)
        if not stored:
            return False
        key = bytes.fromhex(stored)
    except Exception:  # a locked or absent store is no reason not to start
        return False
    cipher.remember(keys.Unlocked(key_id, key))
    return not cipher.is_locked(db_path)


def remember_key(db_path: Path) -> None:
    from casebook import cipher

    ring = _keyring()
    key = cipher.key_for(db_path)
    if ring is None or key is None:
        return
    # Not remembered (a locked or absent store): the passphrase is asked next time.
    with contextlib.suppress(Exception):
        ring.set_password(KEYRING_SERVICE, cipher.key_file(db_path).key_id, key.hex())


class UnlockScreen(Screen):
    """Asks the passphrase of the casebook at `db_path`; the app's `unlocked()` is
    called once it opens the key."""

    DEFAULT_CSS = """
    UnlockScreen { align: center middle; }
    UnlockScreen > Vertical { width: 70; height: auto; border: round $accent; padding: 1 2; }
    UnlockScreen #unlock-message { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "leave", "key.quit", id="unlock.leave")]

    def __init__(self, db_path: Path):
        super().__init__(id="unlock")
        self.db_path = Path(db_path)
        self.attempts = 0

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(t("crypt.unlock.title")), id="unlock-title")
            yield Static(Text(t("crypt.unlock.explain", path=str(self.db_path))))
            yield Input(
                password=True, id="unlock-passphrase", placeholder=t("crypt.unlock.placeholder")
            )
            if _keyring() is not None:
                yield Checkbox(t("crypt.unlock.remember"), False, id="unlock-remember")
            yield Static("", id="unlock-message")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        field = self.query_one(Input)
        passphrase, field.value = field.value, ""
        if not passphrase:
            return
        field.disabled = True
        self._say(t("crypt.unlock.opening"))
        self.run_worker(lambda: self._try(passphrase), thread=True, group="unlock")

    def _try(self, passphrase: str) -> None:
        from casebook import cipher
        from casebook.errors import CasebookError
        from casebook.keys import WrongSecret

        try:
            cipher.unlock_with_passphrase(self.db_path, passphrase)
        except WrongSecret:
            self.app.call_from_thread(self._refused)
            return
        except CasebookError as exc:
            self.app.call_from_thread(self._say, exc.message(), True)
            return
        self.app.call_from_thread(self._opened)

    def _refused(self) -> None:
        from casebook.commands._secret import delay

        self.attempts += 1
        wait = delay(self.attempts)
        self._say(t("crypt.unlock.wrong", seconds=f"{wait:g}"))
        self.set_timer(wait, self._again)

    def _again(self) -> None:
        field = self.query_one(Input)
        field.disabled = False
        field.focus()

    def _say(self, message: str, enable: bool = False) -> None:
        self.query_one("#unlock-message", Static).update(Text(message))
        if enable:
            self._again()

    def _opened(self) -> None:
        boxes = self.query("#unlock-remember")
        if boxes and boxes.first(Checkbox).value:
            remember_key(self.db_path)
        self.app.unlocked()

    def action_leave(self) -> None:
        self.app.exit(False)


class UnlockApp(App):
    """The unlock screen on its own, run before the casebook's App (which then opens the
    casebook as it does unencrypted)."""

    TITLE = "casebook"

    def __init__(self, db_path: Path):
        super().__init__()
        self.db_path = Path(db_path)

    def on_mount(self) -> None:
        self.sub_title = t("crypt.unlock.title")
        self.push_screen(UnlockScreen(self.db_path))

    def unlocked(self) -> None:
        self.exit(True)


def before_open(db_path: Path, *, encrypt: bool = False) -> bool:
    """Before the casebook is opened for the screens: make it encrypted when new and
    `--encrypt` was given (asked on the terminal), or unlock it. False: not unlocked."""
    from casebook import cipher, encryption

    db_path = Path(db_path)
    if encrypt and not cipher.is_encrypted(db_path):
        if db_path.exists() and db_path.stat().st_size > 0:
            from casebook.errors import CasebookError

            raise CasebookError("crypt.use_encrypt_command", path=str(db_path))
        from casebook.commands import _secret

        passphrase = _secret.ask_new_passphrase()
        code = encryption.create_encrypted(db_path, passphrase)
        _secret.show_recovery_code(code)
        with contextlib.suppress(EOFError):
            input(t("crypt.recovery.enter"))
        return True
    if not cipher.is_locked(db_path) or remembered(db_path):
        return True
    result = UnlockApp(db_path).run()
    if sys.stdout is not None:
        sys.stdout.flush()
    return bool(result)
