"""Closing a case: outcome, date and note. Open steps, referrals and deadlines must be
settled first; the modal lists them with keys to settle each one (done, cancelled,
carried on by a partner; a deadline is done or cancelled). Closing with items still open is refused with the core's message. Reopening
asks for a reason. Both show in the timeline."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Select, Static

from casebook import refdata
from casebook.dates import format_date
from casebook.errors import FieldError, ValidationError
from casebook.i18n import t
from casebook.services import closure
from screens import door
from screens.case_form_modal import FormModal, options, select_value
from screens.widgets.focus import focus_now
from screens.widgets.forms import CodeSelect, DateInput, FormField, literal


class ClosureModal(FormModal):
    TITLE_KEY = "case.closure.title"
    # Opaque: closing is a decision of its own, and the half-drawn case behind a
    # translucent dialog added nothing but noise (and an unsteady snapshot).
    DEFAULT_CSS = """
    ClosureModal { background: $background; }
    ClosureModal #closure-items { height: auto; max-height: 10; margin: 0 0 1 0; }
    ClosureModal #closure-items-label { margin: 0 0 0 0; }
    """
    BINDINGS = [
        Binding("d", "settle('done')", "case.key.item_done", id="closure.done"),
        Binding("x", "settle('cancel')", "case.key.item_cancel", id="closure.cancel"),
        Binding("a", "settle('carry')", "case.key.item_carry", id="closure.carry"),
    ]

    def __init__(self, case, *, today=None):
        super().__init__()
        self.case = case
        self.case_version = case.version
        self.today = today
        self.items: dict[str, object] = {}
        self._first_show = True

    def heading(self) -> Text:
        return Text(t("case.closure.title") + f" · {self.case.reference}")

    def fields(self) -> ComposeResult:
        yield Static("", id="closure-items-label")
        table = DataTable(id="closure-items", cursor_type="row", zebra_stripes=True)
        table.add_columns(t("case.col.what"), t("case.col.type"), t("case.col.date"))
        yield table
        yield FormField(
            "outcome",
            "case.closure.outcome",
            CodeSelect("closure_outcomes", id="closure-outcome"),
            required=True,
        )
        yield FormField(
            "closed_on", "case.closure.closed_on", DateInput(self.today, id="closure-on")
        )
        yield FormField("note", "case.closure.note", Input(id="closure-note"))

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        door.read(
            self,
            lambda session: (
                *closure.open_records(session, self.case.id),
                closure.open_deadlines(session, self.case.id),
            ),
            lambda loaded: self._show(*loaded),
            group="closure-load",
        )

    def _show(self, version: int, open_steps, open_referrals, open_deadlines=()) -> None:
        self.case_version = version
        table = self.query_one("#closure-items", DataTable)
        table.clear()
        self.items = {}
        for step in open_steps:
            key = f"step-{step.id}"
            self.items[key] = step
            table.add_row(
                Text(t("case.closure.item_step")),
                literal(refdata.label("step_types", step.step_type), limit=50),
                Text(format_date(step.due_on)),
                key=key,
            )
        for ref in open_referrals:
            key = f"referral-{ref.id}"
            self.items[key] = ref
            table.add_row(
                Text(t("case.closure.item_referral")),
                literal(
                    f"{refdata.label('shelter_types', ref.shelter_type)} · "
                    f"{refdata.label('referral_statuses', ref.status)}",
                    limit=50,
                ),
                Text(format_date(ref.requested_on)),
                key=key,
            )
        for dl in open_deadlines:
            key = f"deadline-{dl.id}"
            self.items[key] = dl
            what = t(f"case.deadline.kinds.{dl.kind}")
            if self.today is not None and dl.due_on < self.today:
                what += f" · ⚠ {t('casefile.deadline.missed')}"
            table.add_row(
                Text(t("casefile.closure.item_deadline")),
                Text(what),
                Text(format_date(dl.due_on)),
                key=key,
            )
        label = self.query_one("#closure-items-label", Static)
        table.display = bool(self.items)
        if self.items:
            label.update(
                Text(
                    t(
                        "case.closure.open_items",
                        steps=t("count.steps", count=len(open_steps)),
                        referrals=t("count.referrals", count=len(open_referrals)),
                        deadlines=t("count.deadlines", count=len(open_deadlines)),
                    )
                )
            )
            if self._first_show:
                focus_now(table)
        else:
            label.update(Text(t("case.closure.nothing_open")))
            if self._first_show or isinstance(self.focused, DataTable):
                focus_now(self.query_one("#closure-outcome"))
        self._first_show = False

    def _selected(self):
        table = self.query_one("#closure-items", DataTable)
        if not self.items or table.cursor_row < 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return self.items.get(key)

    def check_action(self, action: str, parameters) -> bool | None:
        # d, x and a act on the open items only while the list has focus.
        return action != "settle" or isinstance(self.focused, DataTable)

    def action_settle(self, how: str) -> None:
        item = self._selected()
        if item is None:
            return
        from casebook.models import Deadline

        if how == "carry" and isinstance(item, Deadline):
            self.notify(t("error.deadline_carry"), severity="warning")
            return
        if how == "carry":
            # which partner takes over: asked, not assumed
            self.app.push_screen(CarryModal(item, self.case.id), lambda _done: self.reload())
            return
        door.write(
            self,
            lambda session: closure.settle_item(session, item, how, on=self.today),
            lambda _result: self.reload(),
            group="closure-settle",
            failed=self._settle_failed,
        )

    def _settle_failed(self, error) -> None:
        self.app.show_error(error)
        self.reload()

    @on(DataTable.RowSelected, "#closure-items")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()

    def collect(self) -> dict:
        return {
            "outcome": self.query_one("#closure-outcome", CodeSelect).code or "",
            "closed_on": self.query_one("#closure-on", DateInput).value,
            "note": self.query_one("#closure-note", Input).value,
        }

    def apply(self, session, data: dict):
        return closure.close_case(
            session,
            self.case.id,
            outcome=data["outcome"],
            closed_on=data["closed_on"] or None,
            note=data["note"],
            expected_version=self.case_version,
        )


class ReopenModal(FormModal):
    TITLE_KEY = "case.reopen.title"

    def __init__(self, case):
        super().__init__()
        self.case = case

    def heading(self) -> Text:
        return Text(t("case.reopen.title") + f" · {self.case.reference}")

    def fields(self) -> ComposeResult:
        yield FormField("reason", "case.reopen.reason", Input(id="reopen-reason"), required=True)

    def collect(self) -> str:
        return self.query_one("#reopen-reason", Input).value

    def apply(self, session, data: str):
        return closure.reopen_case(
            session, self.case.id, reason=data, expected_version=self.case.version
        )


class CarryModal(FormModal):
    """ "A partner takes over" an open step or referral: which partner, and a note."""

    TITLE_KEY = "closure_carry.title"

    def __init__(self, item, case_id: int):
        super().__init__()
        self.item = item
        self.case_id = case_id

    def hint(self) -> Text:
        return Text(t("closure_carry.hint"))

    def fields(self) -> ComposeResult:
        yield FormField(
            "organisation_id",
            "closure_carry.partner",
            Select([], prompt=t("form.choose"), id="carry-partner"),
            required=True,
        )
        yield FormField("note", "closure_carry.note", Input(id="carry-note"))

    def on_mount(self) -> None:
        from casebook.services import directory

        def show(rows) -> None:
            select = self.query_one("#carry-partner", Select)
            select.set_options(options(rows))
            self.mark_clean()

        door.read(
            self,
            lambda session: [
                (o.id, o.name) for o in directory.search(session, active_only=True, limit=10_000)
            ],
            show,
            group="carry-partners",
        )

    def collect(self) -> dict:
        return {
            "organisation_id": select_value(self.query_one("#carry-partner", Select)),
            "note": self.query_one("#carry-note", Input).value,
        }

    def apply(self, session, data: dict):
        if data["organisation_id"] is None:
            raise ValidationError([FieldError("organisation_id", "error.required")])
        return closure.settle_item(
            session,
            self.item,
            "carry",
            organisation_id=data["organisation_id"],
            note=data["note"],
        )
