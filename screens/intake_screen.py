"""Intake: record a signal fast, as a new case or added to an existing one.

The form gathers what the core's `intake.record_signal` needs. Before a new case is
saved, cases whose persons or location resemble the input (closed ones too) are named
in one question (`screens.duplicate_modal`): adding the signal to the first of them is
the default, a closed one is reopened for it; "new case" and "cancel" follow. It is a form like every other
(`screens.form_base`): Ctrl+S and F10 save in a worker, Escape (and every other way out)
with unsaved input asks first, validation messages appear beside their fields and
everything typed stays.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
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

from casebook.errors import ValidationError
from casebook.i18n import t
from casebook.services.intake import SignalInput
from screens.form_base import FormScreen
from screens.widgets.focus import focus_now
from screens.widgets.footer import KeyFooter
from screens.widgets.forms import (
    CodeSelect,
    DateInput,
    FormField,
    literal,
    renumbered,
)
from screens.widgets.indicators import IndicatorChecklist
from screens.widgets.persons import PersonRow
from screens.widgets.ticks import TickBox


class IntakeScreen(FormScreen, Screen):
    CSS_PATH = "intake_screen.tcss"
    DISCARD_KEY = "intake.discard_question"

    BINDINGS = [
        *FormScreen.FORM_BINDINGS,
        Binding("ctrl+o", "add_person", "intake.key.add_person", id="intake.add_person"),
        # priority: the observation TextArea (and every Input) has a Ctrl+E of its own
        # (end of line), which would swallow the key while the cursor is there
        Binding("ctrl+e", "attach", "intake.key.attach", id="intake.attach", priority=True),
    ]

    def __init__(self, case_id: int | None = None):
        super().__init__()
        self.case_id = case_id
        self._case_label: Text | None = None
        self._serial = 0
        # the case the duplicate question chose, for the save it starts
        self._attach_choice = None
        self._reopen_reason = ""

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
        self.call_after_refresh(self.mark_clean)

    def _load_case_label(self, case_id: int) -> None:
        from casebook.models import Case
        from screens import door

        case = door.read_now(self, lambda session: session.get(Case, case_id))
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

    def _search(self, text: str) -> None:
        from casebook.services.cases import CaseFilter, list_cases
        from screens import door

        door.read(
            self,
            lambda session: list_cases(session, CaseFilter(search=text, open_only=True), limit=8),
            lambda rows: self._show_results(text, rows),
            group="intake-search",
        )

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
            self.action_leave()
        elif button == "add-person":
            await self.action_add_person()
        elif button == "new-case":
            self.case_id = None
            self._case_label = None
            self._show_attach_state()

    # -- saving ---------------------------------------------------------------------

    def fix_errors(self, error: ValidationError) -> ValidationError:
        return renumbered(error, "persons", [row.serial for row in self.person_rows()])

    def check(self, data: SignalInput) -> None:
        from casebook.services.intake import check_signal

        check_signal(data, new_case=self.case_id is None, today=self.app.today())

    def action_save(self) -> None:
        self._attach_choice = None  # every save asks afresh
        super().action_save()

    def warning(self, session, data: SignalInput):
        """Cases that resemble a new one (closed ones too): the duplicate question's
        choices (a list, which `_ask` turns into `DuplicateModal`)."""
        from casebook.services.intake import find_similar

        if self.case_id is not None:
            return None
        similar = find_similar(
            session,
            names=[p.name for p in data.persons],
            location=data.location if data.subject_type == "LOCATION" else "",
        )
        return similar or None

    def _ask(self, question, data) -> None:
        if not isinstance(question, list):
            super()._ask(question, data)
            return
        from screens.duplicate_modal import DuplicateModal

        def answered(choice) -> None:
            if choice is None or self._saving:
                return  # cancelled: the form stays as typed
            kind, similar = choice
            self._attach_choice = similar if kind == "attach" else None
            self._reopen_reason = t("dupes.reopen_reason")
            self._start_save(data, confirmed=True)

        self.app.push_screen(DuplicateModal(question), answered)

    def apply(self, session, data: SignalInput):
        from casebook.services.intake import attach_signal, record_signal

        choice = self._attach_choice
        if choice is not None:
            case, signal, skipped = attach_signal(
                session,
                data,
                choice.case_id,
                reopen_reason=self._reopen_reason if choice.closed else None,
                expected_version=choice.version,
                today=self.app.today(),
            )
            return case.reference, signal.id, skipped
        case, signal = record_signal(session, data, case_id=self.case_id, today=self.app.today())
        return case.reference, signal.id, 0

    def saved(self, result) -> None:
        reference, signal_id, skipped = result
        self.notify(t("intake.saved", reference=reference), markup=False)
        if skipped:
            self.notify(t("dupes.saved_known_persons", count=skipped), markup=False)
        self.close_form()
        # Today puts its cursor on the new signal (the next `t` triages this case)
        today = self.app.screen
        if hasattr(today, "show_signal"):
            today.show_signal(signal_id)
