"""Intake: record a signal fast, as a new case or added to an existing one.

The form gathers what the core's `intake.record_signal` needs. Before a new case is
saved, open cases whose persons or location resemble the input are named (one
question, then saved as asked). Ctrl+S and F10 save; Escape with unsaved input asks
first. Validation messages appear beside their fields and everything typed stays.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Button,
    Header,
    Input,
    OptionList,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from casebook.errors import CasebookError, ValidationError
from casebook.i18n import t
from casebook.services.intake import SignalInput
from screens.widgets.confirm import ConfirmModal
from screens.widgets.focus import focus_now
from screens.widgets.footer import KeyFooter
from screens.widgets.forms import (
    CodeSelect,
    DateInput,
    FormField,
    clear_errors,
    literal,
    renumbered,
    show_errors,
)
from screens.widgets.indicators import IndicatorChecklist
from screens.widgets.persons import PersonRow
from screens.widgets.ticks import TickBox


class IntakeScreen(Screen):
    CSS_PATH = "intake_screen.tcss"

    BINDINGS = [
        Binding("ctrl+s,f10", "save", "ui.key.save", id="intake.save"),
        Binding("escape", "back", "key.back", id="intake.back"),
        Binding("ctrl+o", "add_person", "intake.key.add_person", id="intake.add_person"),
        Binding("ctrl+e", "attach", "intake.key.attach", id="intake.attach"),
    ]

    def __init__(self, case_id: int | None = None):
        super().__init__()
        self.case_id = case_id
        self._case_label: Text | None = None
        self._serial = 0
        self._initial: tuple | None = None
        self._saving = False

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        today = self.app.today()
        yield Header()
        with VerticalScroll(id="form"):
            yield Static(Text(t("intake.title")), classes="screen-title")
            with Vertical(id="attach-box"):
                yield Static("", id="attach-state")
                with Horizontal(id="attach-row"):
                    yield Input(placeholder=t("intake.attach_placeholder"), id="attach-search")
                    yield Button(t("intake.new_case"), id="new-case")
                yield OptionList(id="attach-results")
            with Horizontal(classes="row"):
                yield FormField(
                    "received_on",
                    "intake.field.received_on",
                    DateInput(today, id="received-on"),
                    required=True,
                )
                yield FormField(
                    "channel",
                    "intake.field.channel",
                    CodeSelect("signal_channels", id="channel"),
                    required=True,
                )
                yield FormField(
                    "source_role",
                    "intake.field.source_role",
                    CodeSelect("source_roles", id="source-role"),
                    required=True,
                )
            with Horizontal(classes="row"):
                yield FormField(
                    "reporter_anonymous",
                    "intake.field.anonymous",
                    TickBox(t("intake.anonymous_label"), id="anonymous"),
                )
                yield FormField(
                    "reporter_contact",
                    "intake.field.reporter_contact",
                    Input(id="reporter-contact"),
                )
            with Vertical(id="new-case-fields"):
                with Horizontal(classes="row"):
                    yield FormField(
                        "subject_type",
                        "intake.field.subject_type",
                        CodeSelect(
                            "subject_types", value="PERSON", allow_blank=False, id="subject-type"
                        ),
                        required=True,
                    )
                    yield FormField("title", "intake.field.title", Input(id="title"), required=True)
                yield FormField("location", "intake.field.location", Input(id="location"))
            yield FormField("observed", "intake.field.observed", TextArea(id="observed"))
            yield FormField(
                "indicators", "intake.field.indicators", IndicatorChecklist(id="indicators")
            )
            yield Static(Text(t("intake.persons")), classes="section-title")
            yield Vertical(id="persons")
            yield Button(t("intake.add_person"), id="add-person")
            with Horizontal(classes="buttons"):
                yield Button(t("ui.save"), id="save", variant="primary")
                yield Button(t("ui.cancel"), id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#attach-results", OptionList).display = False
        if self.case_id is not None:
            self._load_case_label(self.case_id)
        self._show_attach_state()
        focus_now(self.query_one("#channel", CodeSelect))
        self.call_after_refresh(self._remember_initial)

    def _remember_initial(self) -> None:
        self._initial = self._fingerprint()

    def _load_case_label(self, case_id: int) -> None:
        from casebook.models import Case

        with self.app.casebook.read() as session:
            case = session.get(Case, case_id)
        if case is None:
            self.case_id = None
            return
        self._case_label = Text.assemble(
            literal(case.reference), " · ", literal(case.title, limit=60)
        )

    def _show_attach_state(self) -> None:
        state = self.query_one("#attach-state", Static)
        if self.case_id is None:
            state.update(Text(t("intake.state_new")))
        else:
            state.update(Text.assemble(t("intake.state_attach"), " ", self._case_label or ""))
        self.query_one("#new-case-fields").display = self.case_id is None
        self.query_one("#new-case", Button).display = self.case_id is not None

    # -- gathering input ------------------------------------------------------------

    def person_rows(self) -> list[PersonRow]:
        return list(self.query(PersonRow))

    def collect(self) -> SignalInput:
        return SignalInput(
            received_on=self.query_one("#received-on", DateInput).value,
            channel=self.query_one("#channel", CodeSelect).code or "",
            source_role=self.query_one("#source-role", CodeSelect).code or "",
            reporter_anonymous=self.query_one("#anonymous", TickBox).value,
            reporter_contact=self.query_one("#reporter-contact", Input).value,
            observed=self.query_one("#observed", TextArea).text,
            indicators=self.query_one(IndicatorChecklist).codes,
            subject_type=self.query_one("#subject-type", CodeSelect).code or "",
            title=self.query_one("#title", Input).value,
            location=self.query_one("#location", Input).value,
            persons=[row.value() for row in self.person_rows()],
        )

    def _fingerprint(self) -> tuple:
        data = self.collect()
        return (
            data.received_on,
            data.channel,
            data.source_role,
            data.reporter_anonymous,
            data.reporter_contact,
            data.observed,
            tuple(data.indicators),
            data.subject_type,
            data.title,
            data.location,
            tuple(repr(p) for p in data.persons),
        )

    def is_dirty(self) -> bool:
        return self._initial is not None and self._fingerprint() != self._initial

    # -- persons --------------------------------------------------------------------

    async def action_add_person(self) -> None:
        self._serial += 1
        row = PersonRow(self._serial, len(self.person_rows()) + 1)
        await self.query_one("#persons").mount(row)
        focus_now(row.query_one(CodeSelect))
        # the new row has no place on screen until the next layout: scroll then
        self.call_after_refresh(lambda: row.scroll_visible(animate=False))

    @on(PersonRow.Removed)
    async def _remove_person(self, event: PersonRow.Removed) -> None:
        await event.row.remove()
        self._renumber()

    def _renumber(self) -> None:
        for n, row in enumerate(self.person_rows(), 1):
            row.renumber(n)

    # -- attaching to an existing case ----------------------------------------------

    def action_attach(self) -> None:
        focus_now(self.query_one("#attach-search", Input))

    @on(Input.Changed, "#attach-search")
    def _search_changed(self, event: Input.Changed) -> None:
        # Every key searches at once, as on the case list: the worker is exclusive and
        # a result for text that is no longer in the field is dropped.
        text = event.value.strip()
        if not text:
            self.query_one("#attach-results", OptionList).display = False
            return
        self._search(text)

    @work(thread=True, exclusive=True, group="intake-search")
    def _search(self, text: str) -> None:
        from casebook.services.cases import CaseFilter, list_cases

        with self.app.casebook.read() as session:
            rows = list_cases(session, CaseFilter(search=text, open_only=True), limit=8)
        self.app.call_from_thread(self._show_results, text, rows)

    def _show_results(self, text: str, rows) -> None:
        if not self.is_attached:
            return
        if self.query_one("#attach-search", Input).value.strip() != text:
            return  # typed on since: that search's result is coming
        results = self.query_one("#attach-results", OptionList)
        results.clear_options()
        if rows:
            results.add_options(
                Option(
                    Text.assemble(literal(r.reference), " · ", literal(r.title, limit=60)),
                    id=str(r.id),
                )
                for r in rows
            )
        else:
            results.add_option(Option(Text(t("intake.no_match")), id="none", disabled=True))
        results.display = True

    @on(Input.Submitted, "#attach-search")
    def _search_submitted(self) -> None:
        results = self.query_one("#attach-results", OptionList)
        if results.display and results.option_count:
            focus_now(results)
            results.highlighted = 0

    @on(OptionList.OptionSelected, "#attach-results")
    def _attach_to_case(self, event: OptionList.OptionSelected) -> None:
        if event.option.id in (None, "none"):
            return
        self.case_id = int(event.option.id)
        self._load_case_label(self.case_id)
        search = self.query_one("#attach-search", Input)
        search.value = ""
        event.option_list.display = False
        self._show_attach_state()
        focus_now(self.query_one("#channel", CodeSelect))

    # -- buttons --------------------------------------------------------------------

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id
        if button == "save":
            self.action_save()
        elif button == "cancel":
            self.action_back()
        elif button == "add-person":
            await self.action_add_person()
        elif button == "new-case":
            self.case_id = None
            self._case_label = None
            self._show_attach_state()

    # -- saving ---------------------------------------------------------------------

    def _show_validation(self, error: ValidationError) -> None:
        for message in show_errors(
            self, renumbered(error, "persons", [row.serial for row in self.person_rows()])
        ):
            self.notify(message, severity="error", markup=False)
        self.notify(error.message(), severity="error", markup=False)

    def action_save(self) -> None:
        if self._saving:
            return
        from casebook.services.intake import check_signal, find_similar

        clear_errors(self)
        data = self.collect()
        try:
            check_signal(data, new_case=self.case_id is None, today=self.app.today())
        except ValidationError as error:
            self._show_validation(error)
            return
        similar = []
        if self.case_id is None:
            with self.app.casebook.read() as session:
                similar = find_similar(
                    session,
                    names=[p.name for p in data.persons],
                    location=data.location if data.subject_type == "LOCATION" else "",
                )
        if similar:
            lines = [t("intake.similar_intro")]
            for case in similar:
                reason = t(f"intake.similar_reason.{case.reason}")
                lines.append(
                    f"• {literal(case.reference).plain} · "
                    f"{literal(case.title, limit=50).plain} ({reason})"
                )
            lines.append(t("intake.similar_question"))
            self._saving = True

            def answer(save_anyway: bool | None) -> None:
                self._saving = False
                if save_anyway:
                    self._write(data)

            self.app.push_screen(ConfirmModal("\n".join(lines)), answer)
            return
        self._write(data)

    def _write(self, data: SignalInput) -> None:
        from casebook.services.intake import record_signal

        try:
            with self.app.casebook.write() as session:
                case, _signal = record_signal(
                    session, data, case_id=self.case_id, today=self.app.today()
                )
                reference = case.reference
        except ValidationError as error:
            self._show_validation(error)
            return
        except CasebookError as error:
            self.app.show_error(error)
            return
        self._initial = None
        self.notify(t("intake.saved", reference=reference), markup=False)
        self.dismiss_screen()

    def dismiss_screen(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    # -- leaving --------------------------------------------------------------------

    def action_back(self) -> None:
        if not self.is_dirty():
            self.dismiss_screen()
            return

        def answer(leave: bool | None) -> None:
            if leave:
                self.dismiss_screen()

        self.app.push_screen(ConfirmModal(t("intake.discard_question")), answer)
