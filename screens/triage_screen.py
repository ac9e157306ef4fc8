"""Triage: urgency, exploitation types, sector, route and the first follow-up steps in
one form. Saving calls the core's `triage.triage_case`, which moves the case to its
next phase; step rows left empty are ignored. A form like every other
(`screens.form_base`): saved in a worker, a stale save keeps what was typed, and leaving
with unsaved input asks first."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Static, TextArea

from casebook import refdata
from casebook.errors import ValidationError
from casebook.i18n import t
from casebook.services.steps import StepInput
from casebook.services.triage import TriageInput
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
from screens.widgets.ticks import TickList, ticks_of

FIRST_STEP_ROWS = 3


class StepRow(Horizontal):
    """One follow-up step to plan: type, due date, description."""

    DEFAULT_CSS = """
    StepRow { height: auto; }
    StepRow > FormField { margin: 0 1 0 0; }
    StepRow > FormField.step-type { width: 2fr; }
    StepRow > FormField.step-due { width: 22; }
    StepRow > FormField.step-desc { width: 3fr; }
    """

    def __init__(self, index: int):
        super().__init__(classes="step-row")
        self.index = index

    def compose(self) -> ComposeResult:
        n = self.index
        type_field = FormField(
            f"steps.{n}.step_type", "ui.field.step_type", CodeSelect("step_types", id=f"s{n}-type")
        )
        type_field.add_class("step-type")
        yield type_field
        due = FormField(
            f"steps.{n}.due_on", "ui.field.due_on", DateInput(id=f"s{n}-due", due_for=f"s{n}-type")
        )
        due.add_class("step-due")
        yield due
        desc = FormField(f"steps.{n}.description", "ui.field.description", Input(id=f"s{n}-desc"))
        desc.add_class("step-desc")
        yield desc

    def value(self) -> StepInput | None:
        """The step, or None when the row was left empty."""
        step_type = self.query_one(CodeSelect).code or ""
        due = self.query_one(DateInput).value.strip()
        desc = self.query_one(f"#s{self.index}-desc", Input).value
        if not (step_type or due or desc.strip()):
            return None
        return StepInput(step_type=step_type, due_on=due or None, description=desc)


class TriageScreen(FormScreen, Screen):
    CSS_PATH = "triage_screen.tcss"
    DISCARD_KEY = "triage.discard_question"

    BINDINGS = [
        *FormScreen.FORM_BINDINGS,
        Binding("ctrl+o", "add_step_row", "triage.key.add_step", id="triage.add_step"),
    ]

    def __init__(self, case_id: int):
        super().__init__()
        self.case_id = case_id
        self._rows = FIRST_STEP_ROWS

    def compose(self) -> ComposeResult:
        from casebook.services.cases import case_detail
        from screens import door

        # read at once: the form is built with the case, and the keys typed meanwhile
        # wait for it (a few ms)
        detail = door.read_here(
            self.app.casebook,
            lambda session: case_detail(session, self.case_id, with_history=False),
        )
        case = detail.case
        self._version = case.version
        yield Header()
        with VerticalScroll(id="form"):
            yield Static(
                Text.assemble(
                    (t("triage.title") + " ", "bold"),
                    literal(case.reference),
                    " · ",
                    literal(case.title, limit=70),
                ),
                classes="screen-title",
            )
            if detail.signals:
                last = detail.signals[-1]
                yield Static(
                    literal(last.observed, limit=400) if last.observed else Text(t("ui.none")),
                    id="observed",
                    classes="muted",
                )
            from casebook.services.minors import check_case

            found = check_case(detail.persons, detail.indicators, case.opened_on, self.app.today())
            if found.minor or found.mismatch:
                line = Text()
                if found.minor:
                    line.append(t("casefile.minor.flag"), style="bold reverse")
                if found.mismatch:
                    line.append("  ⚠ " + t(f"casefile.minor.mismatch.{found.mismatch}"))
                yield Static(line, id="minor-warning")
            with Horizontal(classes="row"):
                yield FormField(
                    "urgency",
                    "triage.field.urgency",
                    CodeSelect(
                        "urgencies", value=case.urgency or "NORMAL", allow_blank=False, id="urgency"
                    ),
                    required=True,
                )
                yield FormField(
                    "sector",
                    "triage.field.sector",
                    CodeSelect("sectors", value=case.sector, id="sector"),
                )
                yield FormField(
                    "route",
                    "triage.field.route",
                    CodeSelect("routes", value=case.route, id="route"),
                    required=True,
                )
            chosen = set(detail.exploitation_types)
            if not chosen:  # not triaged yet: what the ticked indicators point to
                from casebook.services.suggest import exploitation_from_indicators

                ticked = {c for codes in detail.indicators.values() for c in codes}
                chosen = set(exploitation_from_indicators(ticked))
                if chosen:
                    labels = ", ".join(
                        refdata.label("exploitation_types", c)
                        for c in refdata.ref("exploitation_types").codes()
                        if c in chosen
                    )
                    yield Static(
                        Text(t("casefile.triage.preselected", types=labels)),
                        id="preselected",
                        classes="muted",
                    )
            yield FormField(
                "exploitation_types",
                "triage.field.exploitation_types",
                ticks_of("exploitation_types", chosen, id="exploitation"),
                required=True,
            )
            yield FormField(
                "route_note",
                "triage.field.route_note",
                TextArea(case.route_note or "", id="route-note"),
            )
            yield Static(Text(t("triage.steps")), classes="section-title")
            with Vertical(id="steps"):
                for n in range(FIRST_STEP_ROWS):
                    yield StepRow(n)
            yield Button(t("triage.add_step_row"), id="add-row")
            with Horizontal(classes="buttons"):
                yield Button(t("ui.save"), id="save", variant="primary")
                yield Button(t("ui.cancel"), id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        focus_now(self.query_one("#urgency", CodeSelect))
        self.call_after_refresh(self.mark_clean)

    def fingerprint(self) -> str:
        return repr((self.collect(), self._rows))

    def collect(self) -> tuple[TriageInput, list[int]]:
        """The input, and for each step in it the index of its row on the form."""
        steps, rows = [], []
        for row in self.query(StepRow):
            value = row.value()
            if value is not None:
                steps.append(value)
                rows.append(row.index)
        data = TriageInput(
            urgency=self.query_one("#urgency", CodeSelect).code or "",
            exploitation_types=list(self.query_one("#exploitation", TickList).selected),
            sector=self.query_one("#sector", CodeSelect).code,
            route=self.query_one("#route", CodeSelect).code or "",
            route_note=self.query_one("#route-note", TextArea).text,
            steps=steps,
        )
        return data, rows

    async def action_add_step_row(self) -> None:
        row = StepRow(self._rows)
        self._rows += 1
        await self.query_one("#steps").mount(row)
        focus_now(row.query_one(CodeSelect))
        # the new row has no place on screen until the next layout: scroll then
        self.call_after_refresh(lambda: row.scroll_visible(animate=False))

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.action_leave()
        elif event.button.id == "add-row":
            await self.action_add_step_row()

    def fix_errors(self, error: ValidationError) -> ValidationError:
        _, rows = self.collect()
        return renumbered(error, "steps", rows)

    def warning(self, session, data) -> str | None:
        """A CoMensha registration or shelter request planned here without the consent
        it needs (the core's one rule): asked before saving, as in the case file."""
        from screens.consent_question import consent_question

        triage, _rows = data
        questions: list[str] = []
        for step in triage.steps:
            text = consent_question(session, self.case_id, step.step_type, today=self.app.today())
            if text and text not in questions:
                questions.append(text)
        return "\n\n".join(questions) or None

    def apply(self, session, data):
        from casebook.services.triage import triage_case

        triage, _rows = data
        case = triage_case(session, self.case_id, triage, expected_version=self._version)
        return refdata.label("phases", case.phase)

    def saved(self, phase) -> None:
        self.notify(t("triage.saved", phase=phase), markup=False)
        self.close_form()
