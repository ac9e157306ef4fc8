"""Settings: the officer's own preferences (language, theme: kept at once in the
preferences file) and the casebook file's settings (municipality, officer, retention,
statistics threshold k, backups: saved with Ctrl+S / F10 in one write transaction, in a
worker, through the one form base: leaving with unsaved settings asks first). What makes
a setting valid is the core's (`casebook.services.settings.check_settings`)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Select, Static, TextArea

from casebook import i18n
from casebook.i18n import t
from screens.form_base import FormScreen
from screens.themes import theme_choices, use_theme
from screens.widgets.focus import focus_now
from screens.widgets.footer import KeyFooter
from screens.widgets.forms import FormField

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


class SettingsScreen(FormScreen, Screen):
    CSS_PATH = "settings_screen.tcss"
    DEFAULT_CSS = """
    SettingsScreen TextArea.policy { height: 5; }
    """
    DISCARD_KEY = "settings.discard_question"

    BINDINGS = FormScreen.FORM_BINDINGS

    def __init__(self) -> None:
        super().__init__()
        self._stored: dict[str, str] = {}
        self._version = 0

    def compose(self) -> ComposeResult:
        from casebook.services import settings
        from screens import door

        read = door.read_now(self, lambda s: (settings.get_all(s), settings.version(s)))
        # the settings and how often they were saved: a save from another window since
        # is refused (the lost-update guard), what was typed stays
        self._stored, self._version = read or (dict(settings.DEFAULTS), None)
        themes = theme_choices(self.app)
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
                        [(Text(label), name) for label, name in themes],
                        value=self.app.theme
                        if self.app.theme in self.app.available_themes
                        else Select.NULL,
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
            # the Basisniveau policy texts the yearly memo prints (several lines each)
            yield Static(Text(t("casefile.settings.policy")), classes="section-title")
            for name in settings.POLICY_SETTINGS:
                yield FormField(
                    name,
                    f"stats.setting.{name}",
                    TextArea(self._stored.get(name, ""), id=name, classes="policy"),
                )
            with Horizontal(classes="buttons"):
                yield Button(t("ui.save"), id="save", variant="primary")
        yield KeyFooter()

    def _input(self, name: str) -> FormField:
        from casebook.services import settings

        return FormField(
            name,
            f"settings.field.{name}",
            Input(self._stored.get(name, ""), id=name),
            required=name in settings.NUMBER_SETTINGS,
        )

    def on_mount(self) -> None:
        focus_now(self.query_one("#language", Select))
        self.call_after_refresh(self.mark_clean)

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
        use_theme(self.app, str(event.value))

    # -- casebook settings: saved on request --------------------------------------------

    def collect(self) -> dict[str, str]:
        from casebook.services import settings

        names = (*settings.TEXT_SETTINGS, *settings.NUMBER_SETTINGS)
        values = {name: self.query_one(f"#{name}", Input).value for name in names}
        values["retention_mode"] = str(self.query_one("#retention_mode", Select).value)
        for name in settings.POLICY_SETTINGS:
            values[name] = self.query_one(f"#{name}", TextArea).text
        return values

    def check(self, data: dict[str, str]) -> None:
        from casebook.services import settings

        settings.check_settings(data)

    def apply(self, session, data: dict[str, str]):
        from casebook.services import settings

        version = settings.save(session, data, self._version)
        return settings.check_settings(data), version

    def saved(self, result) -> None:
        values, self._version = result
        self._stored.update(values)
        self.mark_clean()
        self.app._refresh_titles()
        self.notify(t("settings.saved"))

    def close_form(self, result=None) -> None:
        self.app.action_today(ask=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
