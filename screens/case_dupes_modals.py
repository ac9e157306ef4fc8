"""The case file's forms for putting duplicates right and changing the case's details:
move the selected signal to another case, merge this case into another, and change
the title, urgency, sectors and exploitation types (each change in the timeline).

The other case is found as at intake: type part of its reference or title, pick it
from the list (open cases only, this one left out). Each form is a pop-up on the one
form base; its save is guarded by the versions of the cases as they were read."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from casebook import refdata
from casebook.dates import format_date
from casebook.errors import FieldError, ValidationError
from casebook.i18n import t
from casebook.services.case_details import CaseDetailsInput
from screens.case_form_modal import FormModal
from screens.widgets.focus import focus_now
from screens.widgets.forms import CodeSelect, FormField, literal
from screens.widgets.ticks import TickList, ticks_of


class CasePicker(Vertical):
    """Find another open case by reference or title; `chosen` is (id, reference,
    version): the version as the case was picked, which guards the save."""

    DEFAULT_CSS = """
    CasePicker { height: auto; }
    CasePicker OptionList { height: auto; max-height: 6; }
    CasePicker #picker-chosen { height: auto; }
    """

    def __init__(self, exclude: int, **kw) -> None:
        super().__init__(**kw)
        self.exclude = exclude
        self.chosen: tuple[int, str, int] | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder=t("dupes.target.placeholder"), id="picker-search")
        yield OptionList(id="picker-results")
        yield Static("", id="picker-chosen")

    def on_mount(self) -> None:
        self.query_one(OptionList).display = False

    @on(Input.Changed, "#picker-search")
    def _search(self, event: Input.Changed) -> None:
        from casebook.services.cases import CaseFilter, list_cases
        from screens import door

        text = event.value.strip()
        if not text:
            self.query_one(OptionList).display = False
            return
        door.read(
            self,
            lambda s: list_cases(s, CaseFilter(search=text, open_only=True), limit=9),
            lambda rows: self._show(text, rows),
            group="case-picker",
        )

    def _show(self, text: str, rows) -> None:
        if not self.is_attached or self.query_one(Input).value.strip() != text:
            return
        results = self.query_one(OptionList)
        results.clear_options()
        rows = [r for r in rows if r.id != self.exclude][:8]
        for r in rows:
            results.add_option(
                Option(
                    Text.assemble(literal(r.reference), " · ", literal(r.title, limit=50)),
                    id=f"{r.id}:{r.reference}",
                )
            )
        if not rows:
            results.add_option(Option(Text(t("dupes.target.none")), id="none", disabled=True))
        results.display = True

    @on(Input.Submitted, "#picker-search")
    def _to_results(self, event: Input.Submitted) -> None:
        event.stop()  # Enter in the search goes to the list, never saves
        results = self.query_one(OptionList)
        # only to a list with something to pick ("none found" keeps the cursor here)
        if results.display and results.option_count and results.get_option_at_index(0).id != "none":
            focus_now(results)
            results.highlighted = 0

    @on(OptionList.OptionSelected, "#picker-results")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id in (None, "none"):
            return
        from screens import door

        case_id, reference = event.option.id.split(":", 1)
        version = door.read_now(self, lambda s: _version(s, int(case_id)))
        if version is None:
            return
        self.chosen = (int(case_id), reference, version)
        event.option_list.display = False
        self.query_one("#picker-chosen", Static).update(
            Text.assemble(("→ ", "bold"), event.option.prompt)
        )


def _target(picker: CasePicker) -> tuple[int, str, int]:
    if picker.chosen is None:
        raise ValidationError([FieldError("target", "dupes.target.required")])
    return picker.chosen


def _version(session, case_id: int) -> int | None:
    from casebook.models import Case

    case = session.get(Case, case_id)
    return case.version if case is not None else None


class MoveSignalModal(FormModal):
    """Move the selected signal to another open case (both timelines record it)."""

    TITLE_KEY = "dupes.move.title"

    def __init__(self, signal, case_version: int) -> None:
        super().__init__()
        self.signal = signal
        self.case_version = case_version

    def hint(self) -> Text:
        s = self.signal
        return Text.assemble(
            f"{format_date(s.received_on)} · {refdata.label('signal_channels', s.channel)} · ",
            literal(s.observed, limit=50),
            "\n",
            t("dupes.move.hint"),
        )

    def fields(self) -> ComposeResult:
        yield FormField(
            "target",
            "dupes.move.target",
            CasePicker(self.signal.case_id, id="move-target"),
            required=True,
        )

    def on_mount(self) -> None:
        super().on_mount()
        focus_now(self.query_one("#picker-search", Input))

    def collect(self):
        return self.query_one(CasePicker).chosen

    def check(self, data) -> None:
        _target(self.query_one(CasePicker))

    def apply(self, session, data):
        from casebook.services.merge import move_signal

        target_id, reference, target_version = data
        move_signal(
            session,
            self.signal.id,
            target_id,
            expected_source_version=self.case_version,
            expected_target_version=target_version,
        )
        return reference

    def saved(self, reference) -> None:
        self.notify(t("dupes.move.saved", reference=reference), markup=False)
        self.close_form(reference)


class MergeModal(FormModal):
    """Merge this case (a duplicate) into another open case."""

    TITLE_KEY = "dupes.merge.title"

    def __init__(self, case) -> None:
        super().__init__()
        self.case = case

    def hint(self) -> Text:
        return Text(t("dupes.merge.hint", reference=self.case.reference))

    def fields(self) -> ComposeResult:
        yield FormField(
            "target",
            "dupes.merge.target",
            CasePicker(self.case.id, id="merge-target"),
            required=True,
        )
        yield FormField("note", "dupes.merge.note", Input(id="merge-note"))

    def on_mount(self) -> None:
        super().on_mount()
        focus_now(self.query_one("#picker-search", Input))

    def collect(self):
        return self.query_one(CasePicker).chosen, self.query_one("#merge-note", Input).value

    def check(self, data) -> None:
        _target(self.query_one(CasePicker))

    def apply(self, session, data):
        from casebook.services.merge import merge_cases

        (target_id, reference, target_version), note = data
        merge_cases(
            session,
            self.case.id,
            target_id,
            note=note,
            expected_duplicate_version=self.case.version,
            expected_target_version=target_version,
        )
        return target_id, reference

    def saved(self, result) -> None:
        target_id, reference = result
        self.notify(
            t("dupes.merge.saved", reference=self.case.reference, target=reference), markup=False
        )
        self.close_form(result)


class CaseDetailsModal(FormModal):
    """The case's title, urgency, primary and other sectors, and exploitation types."""

    TITLE_KEY = "dupes.details.title"
    DEFAULT_CSS = """
    CaseDetailsModal TickList { height: 7; }
    """

    def __init__(self, case_id: int, version: int, current: CaseDetailsInput) -> None:
        super().__init__()
        self.case_id = case_id
        self.version = version
        self.current = current

    def hint(self) -> Text:
        return Text(t("dupes.details.hint"))

    def fields(self) -> ComposeResult:
        c = self.current
        yield FormField(
            "title", "case.field.title", Input(c.title, id="details-title"), required=True
        )
        yield FormField(
            "urgency",
            "case.field.urgency",
            CodeSelect("urgencies", value=c.urgency, id="details-urgency"),
        )
        yield FormField(
            "sector",
            "dupes.details.sector",
            CodeSelect("sectors", value=c.sector, id="details-sector"),
        )
        yield FormField(
            "other_sectors",
            "dupes.details.other_sectors",
            ticks_of("sectors", c.other_sectors, id="details-other-sectors"),
        )
        yield FormField(
            "exploitation_types",
            "case.field.exploitation_types",
            ticks_of("exploitation_types", c.exploitation_types, id="details-exploitation"),
        )

    def collect(self) -> CaseDetailsInput:
        return CaseDetailsInput(
            title=self.query_one("#details-title", Input).value,
            urgency=self.query_one("#details-urgency", CodeSelect).code,
            sector=self.query_one("#details-sector", CodeSelect).code,
            other_sectors=sorted(self.query_one("#details-other-sectors", TickList).selected),
            exploitation_types=sorted(self.query_one("#details-exploitation", TickList).selected),
        )

    def check(self, data: CaseDetailsInput) -> None:
        from casebook.services.case_details import check_details

        check_details(data)

    def apply(self, session, data: CaseDetailsInput):
        from casebook.services.case_details import edit_details

        return edit_details(session, self.case_id, data, expected_version=self.version)

    def saved(self, result) -> None:
        self.notify(t("dupes.details.saved"), markup=False)
        self.close_form(result)
