"""Settings: the officer's own preferences (language, theme: kept at once in the
preferences file) and the casebook file's settings (municipality, officer, retention,
statistics threshold k, backups: saved with Ctrl+S / F10 in one write transaction)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Select, Static

from casebook import i18n
from casebook.errors import CasebookError, StaleEditError, ValidationError
from casebook.i18n import t
from casebook.services.settings import NUMBER_SETTINGS, TEXT_SETTINGS
from screens.localize import Localized
from screens.widgets.confirm import ConfirmModal
from screens.widgets.focus import focus_now
from screens.widgets.forms import FormField, clear_errors, show_errors

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


def check_settings(values: dict[str, str]) -> dict[str, str]:
    """Validated casebook settings (the core's rules, casebook.services.settings)."""
    from casebook.services.settings import check_values

    return check_values(values)


class SettingsScreen(Localized, Screen):
    CSS_PATH = "settings_screen.tcss"

    BINDINGS = [
        Binding("ctrl+s,f10", "save", "ui.key.save", id="settings.save"),
        Binding("escape", "back", "key.back", id="settings.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._stored: dict[str, str] = {}
        self._version = 0

    def compose(self) -> ComposeResult:
        from casebook.services import settings

        with self.app.casebook.read() as session:
            self._stored = settings.get_all(session)
            self._version = settings.version(session)
        themes = sorted(self.app.available_themes)
        yield Header()
        with VerticalScroll(id="form"):
            yield Static(Text(t("settings.personal")), classes="section-title")
            with Horizontal(classes="row"):
                yield FormField(
                    "language",
                    "settings.field.language",
                    Select(
                        [(Text(LANGUAGE_NAMES[c]), c) for c in i18n.LANGUAGES],
                        value=i18n.get_language(),
                        allow_blank=False,
                        id="language",
                    ),
                )
                yield FormField(
                    "theme",
                    "settings.field.theme",
                    Select(
                        [(Text(name), name) for name in themes],
                        value=self.app.theme if self.app.theme in themes else Select.NULL,
                        allow_blank=False,
                        id="theme",
                    ),
                )
            yield Static(Text(t("settings.casebook")), classes="section-title")
            with Horizontal(classes="row"):
                yield self._input("municipality")
                yield self._input("officer")
            with Horizontal(classes="row"):
                yield self._input("retention_years")
                yield FormField(
                    "retention_mode",
                    "settings.field.retention_mode",
                    Select(
                        [
                            (Text(t("settings.mode.strip")), "strip"),
                            (Text(t("settings.mode.delete")), "delete"),
                        ],
                        value=self._stored.get("retention_mode") or "strip",
                        allow_blank=False,
                        id="retention_mode",
                    ),
                )
                yield self._input("stats_k")
            with Horizontal(classes="row"):
                yield self._input("backup_keep_daily")
                yield self._input("backup_keep_monthly")
                yield self._input("backup_warn_days")
            with Horizontal(classes="buttons"):
                yield Button(t("ui.save"), id="save", variant="primary")
        yield Footer()

    def _input(self, name: str) -> FormField:
        return FormField(
            name,
            f"settings.field.{name}",
            Input(self._stored.get(name, ""), id=name),
            required=name in NUMBER_SETTINGS,
        )

    def on_mount(self) -> None:
        focus_now(self.query_one("#language", Select))

    # -- personal preferences: applied at once ----------------------------------------

    @on(Select.Changed, "#language")
    def _language(self, event: Select.Changed) -> None:
        if event.value is Select.NULL or event.value == i18n.get_language():
            return
        self.app.switch_language(str(event.value))
        self.app.call_later(self.app.action_settings)

    @on(Select.Changed, "#theme")
    def _theme(self, event: Select.Changed) -> None:
        if event.value is Select.NULL or event.value == self.app.theme:
            return
        from casebook import preferences

        self.app.theme = str(event.value)
        self.app.preferences.theme = str(event.value)
        try:
            preferences.save(self.app.preferences)
        except OSError:
            self.notify(t("app.prefs_not_saved"), severity="warning")

    # -- casebook settings: saved on request --------------------------------------------

    def collect(self) -> dict[str, str]:
        values = {name: self.query_one(f"#{name}", Input).value for name in TEXT_SETTINGS}
        values.update({n: self.query_one(f"#{n}", Input).value for n in NUMBER_SETTINGS})
        values["retention_mode"] = str(self.query_one("#retention_mode", Select).value)
        return values

    def is_dirty(self) -> bool:
        return any(
            value.strip() != (self._stored.get(name) or "").strip()
            for name, value in self.collect().items()
        )

    def action_save(self) -> None:
        from casebook.services import settings

        clear_errors(self)
        try:
            values = check_settings(self.collect())
            with self.app.casebook.write() as session:
                new_version = settings.save(session, values, self._version)
        except StaleEditError:
            # Another window saved the settings since these were read: what was typed
            # stays in the form; nothing is put back over the other window's save.
            self.notify(t("faults.settings.stale"), severity="error", markup=False, timeout=10)
            return
        except ValidationError as error:
            for message in show_errors(self, error):
                self.notify(message, severity="error", markup=False)
            return
        except CasebookError as error:
            self.app.show_error(error)
            return
        self._stored.update(values)
        self._version = new_version
        self.app._refresh_titles()
        self.notify(t("settings.saved"))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()

    def action_back(self) -> None:
        if not self.is_dirty():
            self.app.action_today()
            return

        def answer(leave: bool | None) -> None:
            if leave:
                self.app.action_today()

        self.app.push_screen(ConfirmModal(t("settings.discard_question")), answer)
