"""Where to export the year's figures: a format and a file name.

Dismisses with `(format, path)` or `None`. The suggested name holds only the year
(`jaarcijfers-2025.md`), in the folder given (the user's documents, else the current
folder), and never an existing file.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from casebook.i18n import t
from casebook.stats_export import EXTENSIONS, FORMATS
from screens.widgets.focus import focus_now


def suggested_path(folder: Path, year: int, fmt: str) -> Path:
    stem = t("stats.export.filename", year=year)
    path = folder / f"{stem}{EXTENSIONS[fmt]}"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}{EXTENSIONS[fmt]}"
        n += 1
    return path


class StatisticsExportModal(ModalScreen[tuple[str, Path] | None]):
    DEFAULT_CSS = """
    StatisticsExportModal { align: center middle; }
    StatisticsExportModal > Vertical {
        width: 80; height: auto; padding: 1 2; border: thick $primary; background: $panel;
    }
    StatisticsExportModal Label { margin-top: 1; }
    StatisticsExportModal Horizontal { height: auto; margin-top: 1; }
    StatisticsExportModal Button { margin-right: 2; }
    StatisticsExportModal #export-error { color: $error; height: auto; }
    """
    BINDINGS = [
        Binding("ctrl+s,f2", "export", "stats.export.ok", id="stats_export.ok"),
        Binding("escape", "cancel", "stats.export.cancel", id="stats_export.cancel"),
    ]

    def __init__(self, year: int, folder: Path, fmt: str = "md"):
        super().__init__()
        self.year = year
        self.folder = folder
        self.fmt = fmt

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(t("stats.export.title", year=self.year), style="bold"))
            yield Label(Text(t("stats.export.format")))
            yield Select(
                [(t(f"stats.format.{f}"), f) for f in FORMATS],
                value=self.fmt,
                allow_blank=False,
                id="export-format",
            )
            yield Label(Text(t("stats.export.path")))
            yield Input(str(suggested_path(self.folder, self.year, self.fmt)), id="export-path")
            yield Static(Text(""), id="export-error")
            with Horizontal():
                yield Button(t("stats.export.ok"), id="export-ok", variant="primary")
                yield Button(t("stats.export.cancel"), id="export-cancel")

    def on_mount(self) -> None:
        focus_now(self.query_one("#export-path", Input))

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        if not isinstance(event.value, str) or event.value == self.fmt:
            return
        self.fmt = event.value
        field = self.query_one("#export-path", Input)
        path = Path(field.value.strip()) if field.value.strip() else None
        if path is not None and path.suffix.lower() in EXTENSIONS.values():
            field.value = str(path.with_suffix(EXTENSIONS[self.fmt]))

    @on(Input.Submitted, "#export-path")
    def _submitted(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#export-ok")
    def _ok(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#export-cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    def action_export(self) -> None:
        error = self.query_one("#export-error", Static)
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            error.update(Text(t("stats.export.no_path")))
            return
        path = Path(text).expanduser()
        if path.exists():
            error.update(Text(t("stats.export.exists")))
            return
        self.dismiss((self.fmt, path))

    def action_cancel(self) -> None:
        self.dismiss(None)
