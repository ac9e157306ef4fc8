"""The casebook App: theme, global bindings, navigation between screens, and error
handling that never shows personal data. Screens own their behaviour."""

from __future__ import annotations

import gc
import io
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from rich.console import Console
from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from casebook import clock, i18n
from casebook.dates import format_date
from casebook.errors import CasebookError
from casebook.i18n import t
from casebook.safety import debug_tracebacks as safety_debug

HIGH_CONTRAST = Theme(
    name="casebook-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FF00FF",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    success="#00FF00",
    warning="#FFA500",
    error="#FF4040",
    dark=True,
)


def _case_provider():
    from screens.commands import CaseProvider

    return CaseProvider


class StartScreen(Screen):
    """The screen under Today. A key that reaches it was typed before Today was up
    (while casebook was starting): it is kept, and pressed again once Today is there."""

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        self.app.keep_early_key(event)


class CasebookApp(App):
    """casebook's UI on one open casebook (`casebook.db.Casebook`)."""

    # Absolute, so that subclasses defined elsewhere (tests) find it too.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "casebook"
    ENABLE_COMMAND_PALETTE = True
    # Textual's system commands (which include app_commands()) and the case finder.
    COMMANDS = App.COMMANDS | {lambda: _case_provider()}

    BINDINGS = [
        Binding("f1,question_mark", "help", "key.help", id="app.help"),
        Binding("f2", "today", "key.today", id="app.today", show=False),
        Binding("f3", "cases", "key.cases", id="app.cases"),
        # priority: the App opens the form as it reads the key, so the keys typed right
        # after wait for the form (screens.form_base) instead of reaching this screen
        Binding("ctrl+n,f4", "intake", "key.intake", id="app.intake", priority=True),
        Binding("f6", "statistics", "key.statistics", id="app.statistics", show=False),
        Binding("f7", "directory", "key.directory", id="app.directory", show=False),
        Binding("f8", "trainings", "key.trainings", id="app.trainings", show=False),
        Binding("f9", "settings", "key.settings", id="app.settings", show=False),
        # Shown in help, not in the footer: it keeps the footer to the keys that matter.
        Binding("ctrl+q", "quit", "key.quit", id="app.quit", show=False),
        # Declared here, with a catalogue key: Textual then adds no palette key of its own.
        Binding(
            "ctrl+p",
            "command_palette",
            "ui.key.palette",
            id="app.palette",
            show=False,
            priority=True,
        ),
    ]

    def __init__(
        self,
        casebook,
        *,
        demo: bool = False,
        warnings: list[str] | None = None,
    ):
        super().__init__()
        # What Textual prints when the app stops (its crash report with local
        # variables, messages and full file paths) is kept out of the terminal; run()
        # prints a safe report instead. CASEBOOK_DEBUG_TRACEBACKS=1 lets Textual's through.
        if not safety_debug():
            self.error_console = Console(file=io.StringIO(), markup=False, highlight=False)
        self.crashed_with: BaseException | None = None  # the exception that stopped the app
        self.casebook = casebook
        self.demo = demo
        # Start-up warnings (e.g. no recent backup) for the officer to see on Today.
        self.warnings = list(warnings or [])
        self._first_board = None  # Today's board, read while the first screen is built
        self._early_keys: list[tuple[str, str | None]] | None = []  # None once Today is up
        self._checked_file = False  # the start's quick_check (see _check_file)
        self._mount_keys: list[tuple[str, str | None]] = []  # see _form_holds
        from casebook import preferences

        self.preferences = preferences.load()
        self.register_theme(HIGH_CONTRAST)
        if self.preferences.theme in self.available_themes:
            self.theme = self.preferences.theme
        self.keymap_problems: list[str] = []
        if self.preferences.keymap:
            # checked against the screens' keys first: an unknown id or a key two
            # bindings on one screen would share is said (once, on Today) and left out
            from screens.keytable import checked

            keymap = checked(self.preferences.keymap)
            self.keymap_problems = keymap.problems
            if keymap.applied:
                self.set_keymap(keymap.applied)

    def run(self, *args, **kwargs):
        """Run the app (the `casebook` command); after a crash, print the safe report
        (`casebook.safety.crash_report`: where it happened, never values) in place of
        Textual's, which shows local variables, messages and full file paths.

        By now the imports have made some 80,000 long-lived objects (modules, classes,
        SQLAlchemy's and Textual's tables); a full garbage collection scans them all
        (40-80 ms here), and one fell between reading the Today board and painting it.
        Frozen, they are left out of every collection. (Only here, not in __init__:
        tests make many apps in one process, and what they leave behind must stay
        collectable.)"""
        gc.freeze()
        gc.enable()  # the CLI pauses collection while it imports (see casebook.cli)
        try:
            return super().run(*args, **kwargs)
        finally:
            self.print_crash_report()

    def print_crash_report(self, file=None) -> None:
        """After the app has stopped: the safe crash report, if it crashed."""
        if self.return_code != 1 or safety_debug():
            return  # no crash, or Textual's own report was asked for
        from casebook.safety import crash_report

        # Not seen (Textual stopped without ringing): the title alone, no details.
        report = crash_report(self.crashed_with) if self.crashed_with else t("safety.crash.title")
        print(report, file=file or sys.stderr)

    # -- facts the screens ask for ------------------------------------------------

    def today(self) -> date:
        """'Today' for the screens: the core's one clock (set by tests, never here)."""
        return clock.today()

    def _refresh_titles(self) -> None:
        from casebook.services import settings
        from screens import door

        municipality = door.read_here(self.casebook, lambda s: settings.get(s, "municipality"))
        from casebook.text import one_line

        # The municipality as typed, but no control character reaches the terminal.
        name = one_line(municipality, 60)
        self.title = f"casebook · {name}" if name else "casebook"
        sub = format_date(self.today())
        self.sub_title = f"{sub} · {t('app.demo')}" if self.demo else sub

    def on_load(self) -> None:
        # Start reading Today's board now: it is read while Textual sets up the
        # terminal and builds the screen, instead of after.
        from screens.today_screen import BoardRead

        self._first_board = BoardRead(self.casebook, self.today())

    async def on_event(self, event: events.Event) -> None:
        # A line feed (Ctrl+J) is an Enter: the terminal sends Enter as one while it is
        # still in line mode, so Enter typed while casebook starts (the demo being made,
        # a big casebook opening) arrives as Ctrl+J once casebook reads the keys.
        if isinstance(event, events.Key) and not event.is_forwarded and self._form_holds(event):
            return
        if isinstance(event, events.Key) and event.key == "ctrl+j" and not event.is_forwarded:
            event = events.Key("enter", "\r")
        await super().on_event(event)

    def _form_holds(self, event: events.Key) -> bool:
        """A form that is still being built takes the key, to press it again into its
        first field once it is ready (`screens.form_base`); so does one still pressing
        such keys, for a key typed meanwhile to wait its turn."""
        from screens.form_base import FormBase

        screen = self.screen_stack[-1] if self.screen_stack else None
        if isinstance(screen, FormBase) and screen.holds_keys(event):
            screen.hold_key(event.key, event.character)
            return True
        if getattr(screen, "KEYS_WAIT_FOR_MOUNT", False) and (
            not screen.is_mounted or self._mount_keys
        ):
            # a screen whose keys act on what it shows (the case file: they are
            # priority keys, run as the App reads them) gets them once it shows it
            if not self._mount_keys:
                screen.call_after_refresh(self.call_later, self._press_mount_keys, screen)
            self._mount_keys.append((event.key, event.character))
            return True
        return False

    async def on_key(self, event: events.Key) -> None:
        """A key that bubbled back up to the App unhandled. It was read while another
        screen was on top (keys typed right after the one that opened this screen), so
        the priority keys of this screen, run as the App reads a key, never saw it:
        they get it now, on a screen that asks for that (`LATE_PRIORITY_KEYS`)."""
        screen = self.screen
        if not event.is_forwarded or not getattr(screen, "LATE_PRIORITY_KEYS", False):
            return
        if getattr(screen, "KEYS_WAIT_FOR_MOUNT", False) and (
            not screen.is_mounted or self._mount_keys
        ):
            if not self._mount_keys:
                screen.call_after_refresh(self.call_later, self._press_mount_keys, screen)
            self._mount_keys.append((event.key, event.character))
            event.prevent_default()
            event.stop()
            return
        active = screen.active_bindings.get(event.key)
        if active is not None and active.binding.priority and active.enabled:
            event.prevent_default()  # not the App's own (non-priority) look-up as well
            event.stop()
            await self.run_action(active.binding.action, active.node)

    def _press_mount_keys(self, screen: Screen) -> None:
        keys, self._mount_keys = self._mount_keys, []
        if self.screen is screen:
            self.press_keys(keys)

    def get_default_screen(self) -> Screen:
        return StartScreen(id="_default")

    def keep_early_key(self, event: events.Key) -> None:
        # once Today is up, a key can only reach the start screen if nothing is above it
        # (never, in use): then it is dropped, not pressed again into the same place
        if self._early_keys is not None:
            self._early_keys.append((event.key, event.character))

    def today_is_up(self) -> None:
        """Called by Today when first shown: the keys typed before it, in order."""
        keys, self._early_keys = self._early_keys or [], None
        if keys:
            self.call_later(self.press_keys, keys)
        if not self._checked_file:
            self._checked_file = True
            self.run_worker(self._check_file, thread=True, exit_on_error=False, group="integrity")

    def _check_file(self) -> None:
        """Is the casebook intact? Read in a worker once Today is up (it reads every
        page); a damaged file is said in words, with the backup to restore."""
        from casebook.integrity import damage_warning

        message = damage_warning(self.casebook.path)
        if message:
            self.call_from_thread(self.show_damage, message)

    def show_damage(self, message: str) -> None:
        self.notify(message, severity="error", markup=False, timeout=60)

    def press_keys(self, keys: list[tuple[str, str | None]]) -> None:
        """Press (key, character) pairs again, as the terminal would. Call it in the App's
        turn (`call_later`): a Key made while a screen handles a message has that screen
        as its sender, and stops there instead of bubbling up to the App's bindings."""
        for key, character in keys:
            self.post_message(events.Key(key, character))

    def on_mount(self) -> None:
        self._refresh_titles()
        for problem in [*self.preferences.problems, *self.keymap_problems, *self.warnings]:
            self.notify(problem, severity="warning", markup=False, timeout=20)
        from screens.today_screen import TodayScreen

        first, self._first_board = self._first_board, None
        self.push_screen(TodayScreen(first=first))

    # -- navigation -----------------------------------------------------------------

    def leave_forms(self, then) -> None:
        """Run `then` (which leaves what is open) once no form with unsaved input
        would be lost: the topmost such form asks, keeping the input is the default.
        Every way out goes through here: the F-keys, Ctrl+N, Ctrl+Q, the palette."""
        from screens.form_base import FormBase

        for screen in reversed(self.screen_stack):
            if isinstance(screen, FormBase) and screen.is_dirty():
                screen.can_leave(lambda: self.leave_forms(then))
                return
        then()

    async def action_quit(self) -> None:
        self.leave_forms(self.exit)

    async def action_help_quit(self) -> None:
        """Ctrl+C outside a text field (in one it copies): leave as Ctrl+Q does, unsaved
        input asking first, with exit status 130 as shell tools give after Ctrl+C.
        Textual's own answer was an untranslated hint to press Ctrl+Q instead."""
        self.leave_forms(lambda: self.exit(return_code=130))

    def _show(self, screen: Screen) -> None:
        """Open a top-level screen on top of Today, replacing any other."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if len(self.screen_stack) == 2 and type(self.screen).__name__ == "TodayScreen":
            self.push_screen(screen)
        elif len(self.screen_stack) == 2:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def action_today(self, ask: bool = True) -> None:
        if ask:
            self.leave_forms(lambda: self.action_today(ask=False))
            return
        while len(self.screen_stack) > 2:
            self.pop_screen()
        from screens.today_screen import TodayScreen

        if not isinstance(self.screen, TodayScreen):
            self.switch_screen(TodayScreen())
        else:
            self.screen.refresh_data()

    def action_cases(self, search: bool = False) -> None:
        from screens.cases_screen import CasesScreen

        self.leave_forms(lambda: self._show(CasesScreen(search=search)))

    def action_intake(self, case_id: int | None = None) -> None:
        from screens.intake_screen import IntakeScreen

        if isinstance(self.screen, IntakeScreen):
            # a second Ctrl+N: not an intake stacked on this one; this one is left
            # (asking first) for a fresh one
            def fresh() -> None:
                self.pop_screen()
                self.push_screen(IntakeScreen(case_id=case_id))

            self.leave_forms(fresh)
            return
        self.leave_forms(lambda: self.push_screen(IntakeScreen(case_id=case_id)))

    def open_case(self, case_id: int) -> None:
        """Read the case, then push its screen with the data.

        The read is done here, not in a worker: it is one case (a few ms; tens on the
        first open, when SQLAlchemy compiles its statements), and the keys typed
        meanwhile wait for it and then go to the case, in order. The screen is laid out
        once, with its data, not empty first and again when the data comes."""
        from screens.case_screen import CaseScreen, load_case

        try:
            from screens import door

            data = door.read_here(
                self.casebook, lambda session: load_case(session, case_id, with_history=False)
            )
        except CasebookError as error:
            self.show_error(error)
            return
        self.push_screen(CaseScreen(case_id, data=data))

    def action_statistics(self) -> None:
        from screens.statistics_screen import StatisticsScreen

        self.leave_forms(lambda: self._show(StatisticsScreen()))

    def action_directory(self) -> None:
        from screens.directory_screen import DirectoryScreen

        self.leave_forms(lambda: self._show(DirectoryScreen()))

    def action_trainings(self) -> None:
        from screens.trainings_screen import TrainingsScreen

        self.leave_forms(lambda: self._show(TrainingsScreen()))

    def action_settings(self) -> None:
        from screens.settings_screen import SettingsScreen

        self.leave_forms(lambda: self._show(SettingsScreen()))

    def action_help(self) -> None:
        from screens.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # -- language ----------------------------------------------------------------------

    def switch_language(self, language: str) -> None:
        """Switch the interface language and rebuild the screens in it."""
        i18n.set_language(language)
        from casebook import preferences

        self.preferences.language = i18n.get_language()
        try:
            preferences.save(self.preferences)
        except OSError:
            self.notify(t("app.prefs_not_saved"), severity="warning")
        self.refresh_bindings()  # the footers draw the descriptions in the new language
        self._refresh_titles()
        from screens.today_screen import TodayScreen

        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(TodayScreen())

    # -- errors ------------------------------------------------------------------------

    def show_error(self, error: CasebookError) -> None:
        """A refusal from the core, in the officer's language (never a traceback)."""
        self.notify(error.message(), severity="error", markup=False, timeout=8)

    def action_command_palette(self) -> None:
        """Textual's palette, with its prompt in the interface language."""
        from screens.widgets.palette import LocalPalette

        if self.use_command_palette and not LocalPalette.is_open(self):
            palette = LocalPalette(id="--command-palette", placeholder=t("commands.prompt"))
            self.push_screen(palette)

    def search_themes(self) -> None:
        """The palette's theme picker (Textual's "Theme" command): the themes by their
        names in the interface language, casebook's own first; the choice is kept."""
        from screens.widgets.palette import LocalPalette, ThemeProvider

        self.push_screen(
            LocalPalette(providers=[ThemeProvider], placeholder=t("commands.theme_prompt"))
        )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from screens.commands import app_commands, binding_commands, textual_commands

        yield from textual_commands(super().get_system_commands(screen))
        yield from app_commands(self)
        yield from binding_commands(self, screen)
        # a screen's own commands (the case file's merge, move, details)
        yield from getattr(screen, "palette_commands", tuple)()

    def action_show_help_panel(self) -> None:
        """Textual's "Keys" command opens casebook's help (the keys in the officer's
        language) instead of Textual's key panel."""
        self.action_help()

    # -- crashes ----------------------------------------------------------------------

    def bell(self) -> None:
        # Textual has no public hook for an unhandled exception. It rings the bell as
        # it takes one for fatal, inside its except block (Textual 8), so this public
        # method is where the exception can be seen: it is kept for the safe report
        # that run() prints once the terminal is restored. Should a release stop
        # ringing there, the report is the title alone (still safe; Textual's own is
        # kept off the terminal anyway) and tests/test_app_crash_report.py fails.
        error = sys.exc_info()[1]
        if error is not None and self.crashed_with is None:
            self.crashed_with = error
        super().bell()
