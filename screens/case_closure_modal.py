"""Closing a case: outcome, date and note. Open steps and referrals must be settled
first; the modal lists them with keys to settle each one (done, cancelled, carried on by
a partner). Closing with items still open is refused with the core's message. Reopening
asks for a reason. Both show in the timeline."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from casebook import refdata
from casebook.dates import format_date
from casebook.errors import CasebookError
from casebook.i18n import t
from casebook.models import STEP_OPEN, FollowUpStep, Referral
from casebook.services import closure, referrals, steps
from screens.case_form_modal import FormModal
from screens.widgets.focus import focus_now
from screens.widgets.forms import CodeSelect, DateInput, FormField, literal


def open_items(session, case_id: int) -> tuple[int, list[FollowUpStep], list[Referral]]:
    """The case's version and what still holds it open (as `closure.open_items`
    counts them: open steps; referrals requested, or placed and not carried on)."""
    from casebook.services.cases import case_detail

    detail = case_detail(session, case_id, with_history=False)
    open_steps = [s for s in detail.steps if s.status == STEP_OPEN]
    open_referrals = [
        r
        for r in detail.referrals
        if r.status == "REQUESTED" or (r.status == "PLACED" and not r.carried_by_partner)
    ]
    return detail.case.version, open_steps, open_referrals


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

    @work(thread=True, exclusive=True, group="closure-load")
    def reload(self) -> None:
        with self.app.casebook.read() as session:
            loaded = open_items(session, self.case.id)
        self.app.call_from_thread(self._show, *loaded)

    def _show(self, version: int, open_steps, open_referrals) -> None:
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
        label = self.query_one("#closure-items-label", Static)
        table.display = bool(self.items)
        if self.items:
            label.update(
                Text(
                    t(
                        "case.closure.open_items",
                        steps=len(open_steps),
                        referrals=len(open_referrals),
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
        if item is not None:
            self._settle(item, how)

    @work(thread=True, exclusive=True, group="closure-settle")
    def _settle(self, item, how: str) -> None:
        try:
            with self.app.casebook.write() as session:
                if isinstance(item, FollowUpStep):
                    {
                        "done": lambda: steps.complete_step(
                            session, item.id, done_on=self.today, expected_version=item.version
                        ),
                        "cancel": lambda: steps.cancel_step(
                            session, item.id, expected_version=item.version
                        ),
                        "carry": lambda: steps.carry_step(
                            session, item.id, expected_version=item.version
                        ),
                    }[how]()
                elif how == "carry":
                    referrals.carry_referral(session, item.id, expected_version=item.version)
                else:
                    status = {
                        ("done", "PLACED"): "ENDED",
                        ("cancel", "PLACED"): "WITHDRAWN",
                        ("cancel", "REQUESTED"): "WITHDRAWN",
                        ("done", "REQUESTED"): "REFUSED",
                    }[(how, item.status)]
                    referrals.set_referral_status(
                        session, item.id, status, on=self.today, expected_version=item.version
                    )
        except CasebookError as error:
            self.app.call_from_thread(self.app.show_error, error)
        self.app.call_from_thread(self.reload)

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
