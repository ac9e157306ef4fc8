"""A read-only view of a signal or contact moment in full (the tables show one line)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from casebook import refdata
from casebook.dates import format_date, format_datetime
from casebook.i18n import t
from screens.widgets.forms import literal


class TextModal(ModalScreen):
    DEFAULT_CSS = """
    TextModal { align: center middle; }
    TextModal > VerticalScroll {
        width: 84; max-width: 95%; height: auto; max-height: 90%;
        padding: 1 2; border: thick $primary; background: $panel;
    }
    TextModal .text-title { text-style: bold; margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape,enter,q", "close", "key.back", id="text.close")]

    def __init__(self, title: str, lines: list[tuple[str, Text]]):
        super().__init__()
        self.title_text = title
        self.lines = lines

    @classmethod
    def for_record(cls, kind: str, item, data) -> TextModal:
        persons = {p.id: p for p in data.detail.persons}
        if kind == "signals":
            codes = data.detail.indicators.get(item.id, [])
            case = data.detail.case
            yes, no = t("casefile.text.yes"), t("casefile.text.no")
            return cls(
                t("case.text.signal"),
                [
                    (t("case.col.received"), Text(format_date(item.received_on))),
                    (t("case.col.channel"), Text(refdata.label("signal_channels", item.channel))),
                    (t("case.col.source"), Text(refdata.label("source_roles", item.source_role))),
                    (t("casefile.text.anonymous"), Text(yes if item.reporter_anonymous else no)),
                    (
                        t("casefile.text.reporter_contact"),
                        literal(item.reporter_contact) if item.reporter_contact else Text("–"),
                    ),
                    (
                        t("casefile.text.location"),
                        literal(case.location, multiline=True) if case.location else Text("–"),
                    ),
                    (
                        t("case.col.indicators"),
                        Text("\n".join(refdata.label("indicators", c) for c in codes) or "–"),
                    ),
                    (t("case.col.observed"), literal(item.observed, multiline=True)),
                ],
            )
        person = persons.get(item.person_id)
        return cls(
            t("case.text.contact"),
            [
                (t("case.col.when"), Text(format_datetime(item.at))),
                (t("case.col.channel"), Text(refdata.label("contact_channels", item.channel))),
                (
                    t("case.col.counterpart"),
                    Text(refdata.label("counterpart_roles", item.counterpart_role)),
                ),
                (t("case.col.person"), literal(person.name if person else "")),
                (t("case.col.summary"), literal(item.summary, multiline=True)),
            ],
        )

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text(self.title_text), classes="text-title")
            for label, value in self.lines:
                yield Static(Text(label, style="dim"))
                yield Static(value)

    def action_close(self) -> None:
        self.dismiss(None)
