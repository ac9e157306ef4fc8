"""One case in full: a summary with the next step, and a tab per section (signals,
persons, steps, referrals, contact moments, consent, deadlines, timeline). Every section
is added to and edited by keyboard; the forms are modals in screens/case_*_modal.py.

The case is loaded once, in a worker; the sections share one table that shows the
chosen tab, with a bounded number of rows (the latest contact moments and timeline
entries, more on `m`), so a long case paints quickly. The timeline (the case's whole
history) is read only when its tab is shown.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from casebook import refdata
from casebook.dates import format_date, format_datetime
from casebook.i18n import t, tn
from casebook.models import STEP_OPEN
from casebook.services.cases import CaseDetail
from casebook.services.steps import result_text
from casebook.text import one_line
from screens.case_dupes_actions import BINDINGS as DUPES_BINDINGS
from screens.case_dupes_actions import DupesActions
from screens.case_timeline import Lookups, person_name, timeline_row
from screens.widgets.focus import focus_now
from screens.widgets.footer import KeyFooter
from screens.widgets.forms import literal

TABS = ("signals", "persons", "steps", "referrals", "contacts", "consent", "deadlines", "timeline")
CONTACT_PAGE = 100
TIMELINE_PAGE = 200

STEP_MARK = {"OPEN": "○", "DONE": "✓", "CANCELLED": "✗", "CARRIED": "→"}
REFERRAL_DATE = {
    "PLACED": "placed_on",
    "REFUSED": "refused_on",
    "ENDED": "ended_on",
    "WITHDRAWN": "withdrawn_on",
}


def loaded(action):
    """An action that needs the case: a key pressed before it is loaded does nothing."""

    @functools.wraps(action)
    def run(self, *args, **kwargs):
        if self.data is not None:
            return action(self, *args, **kwargs)
        return None

    return run


def short(label: str, limit: int = 32) -> Text:
    """A reference-list label cut to fit a table column."""
    return Text(one_line(label, limit))


class CaseTable(DataTable):
    """The table the sections share."""


class SectionBar(Static):
    """The sections as one line of labels, the active one shown reversed and in bold;
    a label is clicked, or its number pressed, to show that section. (One widget: a
    Tabs widget builds, styles and lays out a widget per section, which is a large
    part of the time to open a case.)"""

    active_section = TABS[0]

    def show_active(self, active: str) -> None:
        self.active_section = active
        # before its first layout the bar has no size yet: the screen's, less its padding
        self.update(self.line_for(self.size.width or self.app.size.width - 2))

    def on_resize(self) -> None:
        self.update(self.line_for(self.size.width))

    def line_for(self, width: int) -> Text:
        """The bar on one line of `width` cells: the labels in full if they fit, else
        the other sections' labels shortened (down to their number alone), the active
        one always in full. It never wraps."""
        for cut in (None, 8, 6, 4, 3, 2, 1, 0):
            text = self._labels(cut)
            if text.cell_len <= width:
                return text
        return text

    def _labels(self, cut: int | None) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        after_active = False
        for n, name in enumerate(TABS, start=1):
            label = t(f"case.tab.{name}")
            if name != self.active_section and cut is not None:
                label = label[:cut] + ("…" if 0 < cut < len(label) else "")
            label = f"{n} {label}".rstrip()
            click = Style.from_meta({"@click": f"screen.tab('{name}')"})
            if name == self.active_section:  # reversed with a space either side
                text.append(f" {label} ", Style(bold=True, reverse=True) + click)
            else:
                text.append(("" if after_active else " ") + label, click)
            after_active = name == self.active_section
        return text


@dataclass
class CaseData:
    detail: CaseDetail
    organisations: dict[int, tuple[str, bool]] = field(default_factory=dict)
    has_history: bool = True  # detail.history holds the timeline (read on its tab)
    other_sectors: list[str] = field(default_factory=list)  # beside the primary one

    @property
    def case(self):
        return self.detail.case

    @property
    def is_open(self) -> bool:
        return self.case.status != "CLOSED"

    def open_steps(self):
        return [s for s in self.detail.steps if s.status == STEP_OPEN]

    def person_options(self) -> list[tuple[int, str]]:
        return [(p.id, person_name(p)) for p in self.detail.persons]

    def organisation_options(self, keep: int | None = None) -> list[tuple[int, str]]:
        return [
            (oid, name)
            for oid, (name, active) in sorted(self.organisations.items(), key=lambda i: i[1][0])
            if active or oid == keep
        ]

    def first_victim(self) -> int | None:
        for p in self.detail.persons:
            if p.role == "VICTIM":
                return p.id
        return self.detail.persons[0].id if self.detail.persons else None


def load_case(session, case_id: int, *, with_history: bool = True) -> CaseData:
    from casebook.services import directory
    from casebook.services.cases import case_detail

    detail = case_detail(session, case_id, with_history=with_history)
    orgs = {o.id: (o.name, o.active) for o in directory.search(session, limit=100_000)}
    from casebook.services.case_details import other_sectors

    return CaseData(
        detail=detail,
        organisations=orgs,
        has_history=with_history,
        other_sectors=other_sectors(session, case_id),
    )


class CaseScreen(DupesActions, Screen):
    # The styles live in case_screen.tcss beside this file, but are given to Textual as
    # the screen's default CSS rather than as CSS_PATH: a screen with a CSS_PATH makes
    # Textual parse every style sheet of the app again and restyle every widget of every
    # screen the first time it is pushed (about 40 ms on opening a case); default CSS is
    # only added.
    DEFAULT_CSS = (Path(__file__).parent / "case_screen.tcss").read_text(encoding="utf-8")
    AUTO_FOCUS = "#case-table"
    # Keys typed while it is pushed wait until it shows the case (screens.app): its
    # keys are priority keys, and would otherwise act before there is a case to act on.
    KEYS_WAIT_FOR_MOUNT = True
    # and a key read before it was pushed (typed right after Enter on the case list)
    # reaches its priority keys when it comes back up unhandled
    LATE_PRIORITY_KEYS = True

    # priority: the keys that open a form run as the App reads them, so what is typed
    # right after goes to the form (screens.form_base), not to this screen's table
    BINDINGS = [
        Binding("escape", "back", "key.back", id="case.back", show=False),
        Binding("c", "contact", "case.key.contact", id="case.contact", priority=True),
        Binding("s", "add_step", "case.key.add_step", id="case.add_step", priority=True),
        Binding("d", "done", "case.key.done", id="case.done", priority=True),
        Binding("x", "cancel_step", "case.key.cancel_step", id="case.cancel_step", priority=True),
        Binding("r", "reschedule", "case.key.reschedule", id="case.reschedule", priority=True),
        Binding("a", "carry", "case.key.carry", id="case.carry", show=False, priority=True),
        Binding("v", "referral", "case.key.referral", id="case.referral", priority=True),
        Binding(
            "u",
            "referral_status",
            "case.key.referral_status",
            id="case.referral_status",
            priority=True,
        ),
        Binding(
            "p",
            "add_person",
            "case.key.add_person",
            id="case.add_person",
            show=False,
            priority=True,
        ),
        Binding("o", "consent", "case.key.consent", id="case.consent", show=False, priority=True),
        Binding(
            "b", "deadline", "case.key.deadline", id="case.deadline", show=False, priority=True
        ),
        Binding(
            "i",
            "add_signal",
            "case.key.add_signal",
            id="case.add_signal",
            show=False,
            priority=True,
        ),
        Binding("e", "edit", "case.key.edit", id="case.edit", show=False, priority=True),
        Binding("m", "more", "case.key.more", id="case.more"),
        Binding("f10,ctrl+w", "close_case", "case.key.close", id="case.close", priority=True),
        Binding("f10,ctrl+w", "reopen_case", "case.key.reopen", id="case.reopen", priority=True),
        Binding("j", "cursor(1)", "case.key.down", id="case.down", show=False),
        Binding("k", "cursor(-1)", "case.key.up", id="case.up", show=False),
    ] + [
        Binding(str(n), f"tab('{name}')", f"case.tab.{name}", id=f"case.tab.{name}", show=False)
        for n, name in enumerate(TABS, start=1)
    ]
    BINDINGS = BINDINGS + DUPES_BINDINGS  # details, move a signal, merge (g, z, M)

    def __init__(self, case_id: int, *, data: CaseData | None = None):
        """`data`: the case already read (without its history), shown on mount."""
        super().__init__()
        self.case_id = case_id
        self._preloaded = data
        self._first_resume = True
        self.data: CaseData | None = None
        self.items: dict[str, dict[str, object]] = {name: {} for name in TABS}
        self.contact_limit = CONTACT_PAGE
        self.timeline_limit = TIMELINE_PAGE
        self._ask_next_step = False
        self._active = "steps"
        self._shown: str | None = None  # the section the table holds now
        self._cursor: dict[str, int] = {}
        self._keys_signature: tuple | None = None

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        if self._preloaded is None:
            self.load()  # reading starts while the widgets are being made
        # The footer is first built with the keys of an open case on this tab (see
        # check_action); showing an open case then leaves it as it is.
        self._keys_signature = self._keys_on_offer()
        yield Header()
        yield Static(Text(t("case.loading")), id="case-summary")
        bar = SectionBar(id="case-tabs")
        bar.show_active(self._active)
        yield bar
        yield Static("", id="case-count", classes="muted page-count")
        yield CaseTable(id="case-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        if self._preloaded is not None:
            data, self._preloaded = self._preloaded, None
            self.show(data)

    def on_screen_resume(self) -> None:
        # The first resume is the screen's own showing; a later one follows a modal or
        # another screen on top, which may have changed the case: read it again.
        if self._first_resume:
            self._first_resume = False
        elif self.data is not None:
            self.load()

    # -- loading -----------------------------------------------------------------------

    def load(self) -> None:
        from screens import door

        # the timeline only when its tab is the one to show; otherwise on that tab
        with_history = self._active == "timeline"
        door.read(
            self,
            lambda session: load_case(session, self.case_id, with_history=with_history),
            self.show,
            group="case-load",
        )

    def _load_timeline(self, data: CaseData) -> None:
        from casebook.services.cases import timeline
        from screens import door

        door.read(
            self,
            lambda session: timeline(session, self.case_id),
            lambda history: self._show_timeline(data, history),
            group="case-load",
        )

    def _show_timeline(self, data: CaseData, history) -> None:
        if data is not self.data:  # the case was read again meanwhile
            return
        data.detail.history = history
        data.has_history = True
        if self._active == "timeline":
            self._section()
            self._refresh_keys()

    def show(self, data: CaseData) -> None:
        self.data = data
        # the reference before the app's own subtitle (the date, and DEMO in demo mode)
        self.sub_title = f"{data.case.reference} · {self.app.sub_title}"
        self._summary()
        self._section()
        self._refresh_keys()
        if self._ask_next_step:
            self._ask_next_step = False
            if data.is_open and not data.open_steps():
                from screens.case_next_step_modal import NextStepModal

                self.app.push_screen(
                    NextStepModal(self.case_id, data.organisation_options(), today=self.app.today())
                )

    # -- the summary ---------------------------------------------------------------------

    def _summary(self) -> None:
        case = self.data.case
        d = self.data.detail
        text = Text()
        text.append(case.reference, style="bold")
        text.append("  ")
        text.append_text(literal(case.title, limit=70))
        text.append("\n")
        from screens.case_header import subject_line

        text.append_text(subject_line(case, d, self.app.today()))
        text.append("\n")
        parts = [
            (t("case.summary.phase"), refdata.label("phases", case.phase)),
            (t("case.summary.status"), refdata.label("statuses", case.status)),
            (t("case.summary.urgency"), refdata.label("urgencies", case.urgency) or "–"),
        ]
        self._parts(text, parts)
        text.append("\n")
        types = ", ".join(refdata.label("exploitation_types", c) for c in d.exploitation_types)
        parts = [
            (t("case.summary.exploitation"), types or "–"),
            (t("case.summary.sector"), self.sector_text()),
        ]
        self._parts(text, parts)
        text.append("\n")
        if not self.data.is_open:
            self._parts(
                text,
                [
                    (t("case.summary.closed_on"), format_date(case.closed_on)),
                    (
                        t("case.summary.outcome"),
                        refdata.label("closure_outcomes", case.closure_outcome),
                    ),
                ],
            )
            if case.merged_into:  # a duplicate: where its contents went
                text.append(f"  ·  {t('dupes.merged_banner', reference=case.merged_into)}")
        else:
            text.append(f"{t('case.summary.next_step')}: ", style="bold")
            text.append_text(self._next_step_text())
        self.query_one("#case-summary", Static).update(text)

    @staticmethod
    def _parts(text: Text, parts) -> None:
        for i, (label, value) in enumerate(parts):
            if i:
                text.append("  ·  ")
            text.append(f"{label}: ", style="dim")
            text.append(value)

    def _next_step_text(self) -> Text:
        open_steps = self.data.open_steps()
        today = self.app.today()
        if open_steps:
            step = open_steps[0]
            out = Text(refdata.label("step_types", step.step_type))
            org = self._org(step.organisation_id)
            if org:
                out.append(" · ")
                out.append_text(literal(org, limit=40))
            if step.due_on:
                out.append(f" · {format_date(step.due_on)} ({self._relative(step.due_on, today)})")
            if len(open_steps) > 1:
                out.append("  " + t("case.summary.more_open", count=len(open_steps) - 1))
            return out
        # No open step: the reason given when the last one was settled, if any.
        done = [s for s in self.data.detail.steps if s.step_type == "EVAL" and s.result]
        if done:
            out = Text(t("case.summary.none_because") + " ")
            out.append_text(literal(done[-1].result, limit=60))
            return out
        return Text("⚠ " + t("case.summary.no_next_step"), style="bold")

    @staticmethod
    def _relative(due: date, today: date) -> str:
        days = (due - today).days
        if days < 0:
            return "⚠ " + tn("case.due.overdue", -days, days=-days)
        if days == 0:
            return t("case.due.today")
        return tn("case.due.in_days", days, days=days)

    def _org(self, org_id: int | None) -> str:
        if org_id is None:
            return ""
        return self.data.organisations.get(org_id, ("", True))[0]

    def _person(self, person_id: int | None) -> Text:
        """A person as a table cell: the name, or the role when there is none."""
        for p in self.data.detail.persons:
            if p.id == person_id:
                return literal(p.name or refdata.label("person_roles", p.role), limit=24)
        return Text("")

    # -- the tables ----------------------------------------------------------------------

    def _section(self) -> None:
        """Show the active section in the table."""
        if self.data is not None:
            getattr(self, f"_{self._active}")()

    def _fill(self, name: str, rows) -> None:
        """Put a section's rows in the table, keeping the cursor on the row it was on
        (by its key: after a step is settled and the list re-sorts, the cursor stays on
        that step, so the next `d` does not settle another one), else on the same row
        number."""
        table = self.query_one("#case-table", DataTable)
        keep_key = None
        if self._shown is not None and table.row_count:
            self._cursor[self._shown] = table.cursor_row
            if self._shown == name and table.cursor_row >= 0:
                keep_key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        # the timeline opens on its latest entry, the other sections on their first row
        keep = self._cursor.get(name, -1 if name == "timeline" else 0)
        if self._shown != name:
            table.clear(columns=True)
            table.add_columns(*(t(f"case.col.{c}") for c in COLUMNS[name]))
        else:
            table.clear()
        self._shown = name
        items = {}
        for obj_key, obj, cells in rows:
            items[obj_key] = obj
            table.add_row(*cells, key=obj_key)
        self.items[name] = items
        if items:
            row = len(items) - 1 if keep < 0 else min(keep, len(items) - 1)
            if keep_key in items:
                row = list(items).index(keep_key)
            table.move_cursor(row=row, animate=False)
            if keep < 0:  # once laid out, scroll the latest entry into view
                table.call_after_refresh(table.scroll_end, animate=False)
        self.query_one("#case-count", Static).display = name in ("contacts", "timeline")

    def _signals(self) -> None:
        d = self.data.detail
        self._fill(
            "signals",
            (
                (
                    str(s.id),
                    s,
                    (
                        Text(format_date(s.received_on)),
                        short(refdata.label("signal_channels", s.channel), 24),
                        short(refdata.label("source_roles", s.source_role), 24),
                        Text(str(len(d.indicators.get(s.id, [])))),
                        literal(s.observed, limit=60),
                    ),
                )
                for s in d.signals
            ),
        )

    def _persons(self) -> None:
        d = self.data.detail
        by_person: dict[int, list] = {}
        for r in d.referrals:
            by_person.setdefault(r.person_id, []).append(r)
        rows = []
        for p in d.persons:
            age = (
                str(p.birth_year)
                if p.birth_year
                else (t("case.years", count=p.age) if p.age is not None else "")
            )
            placements = "; ".join(
                f"{one_line(refdata.label('shelter_types', r.shelter_type), 20)} "
                f"{refdata.label('referral_statuses', r.status).lower()} "
                f"{format_date(getattr(r, REFERRAL_DATE.get(r.status, 'requested_on')))}"
                for r in by_person.get(p.id, [])
            )
            rows.append(
                (
                    str(p.id),
                    p,
                    (
                        short(refdata.label("person_roles", p.role), 24),
                        literal(p.name, limit=24),
                        short(refdata.label("b8_statuses", p.b8_status), 16),
                        Text(placements),
                        short(refdata.label("countries", p.nationality), 16),
                        Text(refdata.label("genders", p.gender)),
                        Text(age),
                    ),
                )
            )
        self._fill("persons", rows)

    def _steps(self) -> None:
        today = self.app.today()
        rows = []
        # open steps first (by due date), then the settled ones, latest first
        steps = self.data.open_steps() + sorted(
            (s for s in self.data.detail.steps if s.status != STEP_OPEN),
            key=lambda s: (s.done_on or date.min, s.id),
            reverse=True,
        )
        for s in steps:
            status = f"{STEP_MARK.get(s.status, '')} {t(f'case.step.status.{s.status}')}"
            if s.status == STEP_OPEN and s.due_on and s.due_on < today:
                status = "⚠ " + t("case.step.overdue")
            rows.append(
                (
                    str(s.id),
                    s,
                    (
                        Text(format_date(s.due_on)),
                        Text(status),
                        short(refdata.label("step_types", s.step_type), 28),
                        literal(self._org(s.organisation_id), limit=20),
                        literal(s.description, limit=24),
                        Text(format_date(s.done_on)),
                        literal(result_text(s), limit=30),
                    ),
                )
            )
        self._fill("steps", rows)

    def _referrals(self) -> None:
        rows = []
        for r in self.data.detail.referrals:
            status = refdata.label("referral_statuses", r.status)
            if r.carried_by_partner:
                status += " · " + t("case.referral.carried")
            when = getattr(r, REFERRAL_DATE[r.status]) if r.status in REFERRAL_DATE else None
            rows.append(
                (
                    str(r.id),
                    r,
                    (
                        self._person(r.person_id),
                        short(refdata.label("shelter_types", r.shelter_type), 26),
                        literal(self._org(r.organisation_id), limit=20),
                        Text(status),
                        Text(format_date(r.requested_on)),
                        Text(format_date(r.reply_due_on)),
                        Text(format_date(when)),
                    ),
                )
            )
        self._fill("referrals", rows)

    def _contacts(self) -> None:
        contacts = self.data.detail.contacts  # latest first
        shown = contacts[: self.contact_limit]
        self._fill(
            "contacts",
            (
                (
                    str(c.id),
                    c,
                    (
                        Text(format_datetime(c.at)),
                        short(refdata.label("contact_channels", c.channel), 22),
                        short(refdata.label("counterpart_roles", c.counterpart_role), 24),
                        self._person(c.person_id),
                        literal(c.summary, limit=60),
                    ),
                )
                for c in shown
            ),
        )
        self._page_count("contacts", len(shown), len(contacts))

    def _page_count(self, name: str, shown: int, total: int) -> None:
        label = self.query_one("#case-count", Static)
        if shown < total:
            label.update(Text(t("case.page.partial", shown=shown, total=total)))
        else:
            label.update(Text(t("case.page.all", total=total)))

    def _consent(self) -> None:
        d = self.data.detail
        latest: dict[tuple, int] = {}
        for c in d.consents:  # ordered by date: the last one per key counts
            latest[(c.person_id, c.purpose, c.organisation_id)] = c.id
        rows = []
        for c in reversed(d.consents):
            purpose = refdata.label("consent_purposes", c.purpose)
            if c.organisation_id:
                purpose += " · " + self._org(c.organisation_id)
            given = (
                "✓ " + t("case.consent.given_word")
                if c.given
                else "✗ " + t("case.consent.withdrawn_word")
            )
            if c.given_by != "PERSON":  # who signed, when it was not the person
                given += f" ({refdata.label('consent_givers', c.given_by).lower()})"
            current = latest[(c.person_id, c.purpose, c.organisation_id)] == c.id
            rows.append(
                (
                    str(c.id),
                    c,
                    (
                        self._person(c.person_id),
                        literal(purpose, limit=50),
                        Text(given),
                        Text(format_date(c.recorded_on)),
                        short(refdata.label("consent_methods", c.method), 20),
                        Text(t("case.consent.current") if current else t("case.consent.earlier")),
                    ),
                )
            )
        self._fill("consent", rows)

    def _deadlines(self) -> None:
        rows = []
        today = self.app.today()
        for dl in self.data.detail.deadlines:
            state = "✓ " + t("case.yes") if dl.done else ""
            if not dl.done and dl.due_on < today:  # passed and open: missed, until handled
                state = "⚠ " + t("casefile.deadline.missed")
            rows.append(
                (
                    str(dl.id),
                    dl,
                    (
                        Text(t(f"case.deadline.kinds.{dl.kind}")),
                        self._person(dl.person_id),
                        Text(format_date(dl.starts_on)),
                        Text(format_date(dl.due_on)),
                        Text(state),
                        literal(dl.note, limit=40),
                    ),
                )
            )
        self._fill("deadlines", rows)

    def _timeline(self) -> None:
        d = self.data.detail
        if not self.data.has_history:
            self._fill("timeline", ())
            self.query_one("#case-count", Static).update(Text(t("case.loading")))
            self._load_timeline(self.data)
            return
        lookups = Lookups(
            persons={p.id: p for p in d.persons},
            steps={s.id: s for s in d.steps},
            referrals={r.id: r for r in d.referrals},
            contacts={c.id: c for c in d.contacts},
            signals={s.id: s for s in d.signals},
            organisations={oid: name for oid, (name, _) in self.data.organisations.items()},
        )
        history = d.history
        shown = history[-self.timeline_limit :] if self.timeline_limit else history
        self._fill(
            "timeline",
            ((str(h.id), h, timeline_row(h, lookups)) for h in shown),
        )
        self._page_count("timeline", len(shown), len(history))

    # -- which keys apply where -----------------------------------------------------------

    @property
    def active_tab(self) -> str:
        return self._active

    def selected(self, name: str | None = None):
        name = name or self.active_tab
        table = self.query_one("#case-table", DataTable)
        if name != self._shown or not table.row_count or table.cursor_row < 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return self.items[name].get(key)

    def _refresh_keys(self) -> None:
        """Redraw the footer only when the keys on offer changed: redrawing it is the
        costliest part of showing a case."""
        signature = self._keys_on_offer()
        if signature != self._keys_signature:
            self._keys_signature = signature
            self.refresh_bindings()

    def _keys_on_offer(self) -> tuple:
        return tuple(self.check_action(action, ()) for action in KEYED_ACTIONS)

    def check_action(self, action: str, parameters) -> bool | None:
        tab = self.active_tab
        if self.data is None:
            # Not loaded yet: offer the keys of an open case on this tab, so the footer
            # stays as it is when the case arrives (the actions wait for the data).
            is_open, more_contacts, more_history = True, False, False
        else:
            d = self.data.detail
            is_open = self.data.is_open
            more_contacts = len(d.contacts) > self.contact_limit
            more_history = self.data.has_history and len(d.history) > self.timeline_limit
        if action == "done":
            return is_open and tab in ("steps", "deadlines")
        if action in ("cancel_step", "reschedule"):
            return is_open and tab == "steps"
        if action == "carry":
            return is_open and tab in ("steps", "referrals")
        if action == "referral_status":
            return is_open and tab == "referrals"
        if action == "edit":
            if tab in ("contacts", "signals"):  # a correction; a closed case is not changed
                return True if is_open else None
            return tab in ("persons", "steps", "referrals", "consent")
        if action == "more":
            return (tab == "contacts" and more_contacts) or (tab == "timeline" and more_history)
        if action == "close_case":
            return is_open
        if action == "reopen_case":
            return not is_open
        if action in ("contact", "add_step", "referral", "add_person", "consent", "deadline"):
            return True if is_open else None
        dupes = self.dupes_check_action(action, tab, is_open)
        if dupes is not NotImplemented:
            return dupes
        return True

    # -- actions -------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_tab(self, name: str) -> None:
        if name in TABS and name != self._active:
            self._active = name
            self.query_one("#case-tabs", SectionBar).show_active(name)
            self._section()
            self._refresh_keys()
        focus_now(self.query_one("#case-table", DataTable))

    def action_cursor(self, delta: int) -> None:
        table = self.query_one("#case-table", DataTable)
        table.move_cursor(row=max(0, table.cursor_row + delta))

    @loaded
    def action_more(self) -> None:
        if self.active_tab == "contacts":
            self.contact_limit += CONTACT_PAGE
            self._contacts()
        elif self.active_tab == "timeline":
            self.timeline_limit += TIMELINE_PAGE
            self._timeline()
        self._refresh_keys()

    def _push(self, modal) -> None:
        self.app.push_screen(modal)

    @loaded
    def action_contact(self) -> None:
        from screens.case_contact_modal import ContactModal

        d = self.data.detail
        last = d.contacts[0] if d.contacts else None
        self._push(
            ContactModal(
                self.case_id,
                self.data.person_options(),
                channel=last.channel if last else "PHONE",
                counterpart_role=last.counterpart_role if last else "SUBJECT",
                person_id=last.person_id if last else self.data.first_victim(),
            )
        )

    @loaded
    def action_add_step(self) -> None:
        from screens.case_step_modal import StepModal

        self._push(
            StepModal(
                self.case_id,
                self.data.organisation_options(),
                case_version=self.data.case.version,
            )
        )

    def _selected_step(self):
        step = self.selected("steps")
        if step is None:
            return None
        if step.status != STEP_OPEN:
            self._cannot(t("case.step.settled_use_e"))
            return None
        return step

    def _cannot(self, message: str) -> None:
        """An action that cannot act here says so; the notice takes the keys typed
        next, so a note typed after a refused key cannot run as commands."""
        from screens.widgets.notice import NoticeModal

        self.app.push_screen(NoticeModal(message))

    def on_key(self, event) -> None:
        from screens.widgets.notice import refuse_unavailable_key

        refuse_unavailable_key(self, event)

    @loaded
    def action_done(self) -> None:
        if self.active_tab == "deadlines":
            deadline = self.selected("deadlines")
            if deadline is None:
                self._cannot(t("today.no_row"))
            elif not deadline.done:
                self._mark_deadline_done(deadline.id)
            else:
                self._ask_reopen_deadline(deadline.id)
            return
        self._settle("done")

    @loaded
    def action_cancel_step(self) -> None:
        self._settle("cancel")

    @loaded
    def action_carry(self) -> None:
        if self.active_tab == "referrals":
            referral = self.selected("referrals")
            if referral is None:
                return
            if referral.status != "PLACED" or referral.carried_by_partner:
                self.notify(t("case.referral.carry_placed_only"), severity="warning")
                return
            self._carry_referral(referral)
            return
        self._settle("carry")

    def _settle(self, mode: str) -> None:
        from screens.case_step_modal import StepSettleModal

        step = self._selected_step()
        if step is None:
            return
        self._ask_next_step = True
        self._push(StepSettleModal(step, mode, today=self.app.today()))

    @loaded
    def action_reschedule(self) -> None:
        from screens.case_step_modal import RescheduleModal

        step = self._selected_step()
        if step is not None:
            self._push(RescheduleModal(step))

    @loaded
    def action_referral(self) -> None:
        from screens.case_referral_modal import ReferralModal

        person = self.selected("persons") if self.active_tab == "persons" else None
        self._push(
            ReferralModal(
                self.case_id,
                self.data.person_options(),
                self.data.organisation_options(),
                person_id=person.id if person else self.data.first_victim(),
                today=self.app.today(),
            )
        )

    @loaded
    def action_referral_status(self) -> None:
        from screens.case_referral_modal import ReferralStatusModal

        referral = self.selected("referrals")
        if referral is None:
            return
        from casebook.services.referrals import TRANSITIONS

        if not TRANSITIONS.get(referral.status):
            # a final outcome: corrected, not moved on (a reply picked one row too low)
            from screens.case_correct_modal import ReferralCorrectModal

            self._push(ReferralCorrectModal(referral))
            return
        self._push(ReferralStatusModal(referral, today=self.app.today()))

    @loaded
    def action_add_person(self) -> None:
        from screens.case_person_modal import PersonModal

        self._push(PersonModal(self.case_id))

    @loaded
    def action_consent(self, preset=None, person_id: int | None = None) -> None:
        from screens.case_consent_modal import ConsentModal

        if person_id is None:
            person = self.selected("persons") if self.active_tab == "persons" else None
            person_id = person.id if person else self.data.first_victim()
        self._push(
            ConsentModal(
                self.data.person_options(),
                self.data.organisation_options(),
                person_id=person_id,
                preset=preset,
                today=self.app.today(),
            )
        )

    @loaded
    def action_deadline(self) -> None:
        from screens.case_deadline_modal import DeadlineModal

        person = self.selected("persons") if self.active_tab == "persons" else None
        person_id = person.id if person else self.data.first_victim()
        b8 = next((p.b8_status for p in self.data.detail.persons if p.id == person_id), None)
        self._push(
            DeadlineModal(
                self.case_id,
                self.data.person_options(),
                person_id=person_id,
                b8_status=b8,
                today=self.app.today(),
            )
        )

    @loaded
    def action_add_signal(self) -> None:
        try:
            self.app.action_intake(case_id=self.case_id)
        except ImportError:
            self.notify(t("case.not_available"), severity="warning")

    @loaded
    def action_edit(self) -> None:
        tab = self.active_tab
        item = self.selected(tab)
        if item is None:
            return
        if tab == "persons":
            from screens.case_person_modal import PersonModal

            self._push(PersonModal(self.case_id, person=item))
        elif tab == "steps":
            from screens.case_step_modal import StepModal

            if item.status != STEP_OPEN:
                from screens.case_correct_modal import StepCorrectModal

                self._push(StepCorrectModal(item))
                return
            self._push(
                StepModal(
                    self.case_id,
                    self.data.organisation_options(keep=item.organisation_id),
                    step=item,
                )
            )
        elif tab == "referrals":
            from screens.case_correct_modal import ReferralCorrectModal

            self._push(ReferralCorrectModal(item))
        elif tab == "consent":
            # A change of consent is a new event: the form opens with this one reversed.
            from casebook.services.consent import ConsentInput

            self.action_consent(
                preset=ConsentInput(
                    purpose=item.purpose,
                    given=not item.given,
                    method=item.method,
                    organisation_id=item.organisation_id,
                    given_by=item.given_by,
                ),
                person_id=item.person_id,
            )
        elif tab == "contacts":
            from screens.case_contact_modal import ContactModal

            self._push(ContactModal(self.case_id, self.data.person_options(), contact=item))
        elif tab == "signals":
            from screens.case_signal_modal import SignalModal

            self._push(
                SignalModal(
                    item,
                    self.data.detail.indicators.get(item.id, []),
                    case_version=self.data.case.version,
                    case=self.data.case,
                )
            )

    def _read_in_full(self, tab: str, item) -> None:
        from screens.case_text_modal import TextModal

        self._push(TextModal.for_record(tab, item, self.data))

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter: a signal or contact moment is read in full (the table shows one line
        of it); any other row is edited."""
        event.stop()
        tab = self.active_tab
        if tab in ("signals", "contacts") and self.data is not None:
            item = self.selected(tab)
            if item is not None:
                self._read_in_full(tab, item)
        elif self.check_action("edit", ()):
            self.action_edit()

    @loaded
    def action_close_case(self) -> None:
        from screens.case_closure_modal import ClosureModal

        self._push(ClosureModal(self.data.case, today=self.app.today()))

    @loaded
    def action_reopen_case(self) -> None:
        from screens.case_closure_modal import ReopenModal

        self._ask_next_step = True  # reopened: what is the next step?
        self._push(ReopenModal(self.data.case))

    # -- quick writes without a form ----------------------------------------------------

    def _mark_deadline_done(self, deadline_id: int) -> None:
        from casebook.services import deadlines

        self._write(lambda s: deadlines.mark_done(s, deadline_id), t("case.deadline.marked_done"))

    def _ask_reopen_deadline(self, deadline_id: int) -> None:
        from casebook.services import deadlines
        from screens.widgets.confirm import ConfirmModal

        def answer(yes: bool | None) -> None:
            if yes:
                self._write(
                    lambda s: deadlines.reopen_deadline(s, deadline_id),
                    t("case.deadline.reopened"),
                )

        # no letter answers it: a sentence typed on after `d` cannot say "yes" (its j)
        self.app.push_screen(
            ConfirmModal(
                t("case.deadline.reopen_question"),
                yes=t("case.deadline.reopen"),
                no=t("case.deadline.keep"),
                letters=False,
            ),
            answer,
        )

    def _carry_referral(self, referral) -> None:
        from casebook.services import referrals

        self._write(
            lambda s: referrals.carry_referral(s, referral.id, expected_version=referral.version)
        )

    def _write(self, change, said: str | None = None) -> None:
        """Run `change(session)` through the door (a worker, one transaction), then
        read the case again, whatever came of it."""
        from screens import door

        def done(_result) -> None:
            if said:
                self.notify(said, markup=False)
            self.load()

        door.write(self, change, done, group="case-write", failed=self._failed)

    def _failed(self, error) -> None:
        self.app.show_error(error)
        self.load()


KEYED_ACTIONS = (
    "done",
    "cancel_step",
    "reschedule",
    "carry",
    "referral_status",
    "edit",
    "more",
    "close_case",
    "reopen_case",
    "contact",
)


COLUMNS = {
    "signals": ("received", "channel", "source", "indicators", "observed"),
    "persons": ("role", "name", "b8", "placements", "nationality", "gender", "age"),
    # status second: at 80 columns what is cut off is on the right, and whether a step
    # is open or overdue must stay in view
    "steps": ("due", "status", "type", "organisation", "description", "done_on", "result"),
    "referrals": ("person", "type", "organisation", "status", "requested", "reply_due", "date"),
    "contacts": ("when", "channel", "counterpart", "person", "summary"),
    "consent": ("person", "purpose", "given", "date", "method", "state"),
    "deadlines": ("kind", "person", "start", "due", "done", "note"),
    "timeline": ("when", "what", "detail"),
}
