"""A fast generator for large fictional casebooks (a decade and more).

`casebook.demo.generate` lives through each case with the officer's services, which is
exact but costs about 25 ms a case. This module writes the same kind of casebook as
rows: it plays every case's life through in plain Python, following the services'
rules (what triage, a referral's reply, a bedenktijd or closing a case write, with
the history entries they record), and inserts the rows with SQLAlchemy Core
`executemany` and explicit ids, some thousands of cases at a time.

The rules it keeps, as the services do:

- an untriaged case is in phase INTAKE with status NEW and has no steps; triage sets
  urgency, exploitation types, sector and route, marks its signals triaged, moves the
  phase to REFERRAL (FOLLOWUP for the routes that need no referral) and the status to
  OPEN, and adds the first steps;
- a referral adds a step that waits for the reply (AANMELD_CM_OPV for the CoMensha
  shelter types, which need consent on record, else SHELTER_REQ); the reply closes that
  step with the new status as its result, and a placement moves REFERRAL to FOLLOWUP;
- a bedenktijd lasts three months, sets the person's B8 status and adds a DEADLINE
  step two weeks before its end;
- a closed case has an outcome, no open step and no referral that is still requested
  or placed without a partner carrying it; a reopened case has no outcome;
- every change appends history entries, as `casebook.services.common.record` does.

The same seed and `today` give the same file (on machines in the same time zone, as
with `casebook.demo`). No name, place or story in it belongs to a real person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random

import sqlalchemy as sa
from sqlmodel import Session

from casebook import refdata
from casebook.dates import add_months
from casebook.dates import today as local_today
from casebook.demo import FIRST, STORIES, TITLES_NL
from casebook.models import (
    Case,
    CaseExploitation,
    Consent,
    ContactMoment,
    Deadline,
    FollowUpStep,
    HistoryEntry,
    Organisation,
    Person,
    Referral,
    Signal,
    SignalIndicator,
    Training,
)

# The same shelter types as casebook.services.referrals.VIA_COMENSHA (kept in step by
# a test): they go through CoMensha and need the person's consent.
VIA_COMENSHA = {"COSM", "OMM", "NLA_BED"}
ROUTES_WITHOUT_REFERRAL = {"ADVICE", "NONE"}
OPEN_STATUSES = ("WAIT_INFO", "WAIT_CONSENT", "REFERRED", "ON_HOLD", "OPEN")
EXPLOITATION = ("SEX", "LAB", "CRIM", "CRIM_BEG", "ORG", "UNK")
ROUTES = ("CARE", "CRIMINAL", "ADMINISTRATIVE", "COMBINED", "ADVICE", "NONE")
URGENCIES = ("ACUTE", "HIGH", "NORMAL", "NORMAL", "LOW")
B8_LATER = ("APPLIED", "GRANTED", "REJECTED", "NONE", "UNKNOWN")

# Surnames made of invented syllables, so that a search for one is as selective as a
# real surname would be (some thousands of different names).
NAME_HEADS = [
    "Zor",
    "Quin",
    "Vlap",
    "Mox",
    "Trel",
    "Brak",
    "Fenn",
    "Gul",
    "Hask",
    "Jor",
    "Kel",
    "Lum",
    "Nor",
    "Prak",
    "Rib",
    "Sket",
    "Tuv",
    "Wix",
    "Yar",
    "Zum",
]
NAME_TAILS = ["bel", "maar", "stra", "mo", "kers", "dal", "ing", "hof", "sen", "ert", "lin", "weg"]
STREETS = ["Voorbeeldstraat", "Proefweg", "Testlaan", "Oefenplein", "Schetsgracht", "Modelkade"]

BATCH_CASES = 2000
# About the number of cases a year one officer handles in the reference decade
# casebook (6,000 cases over ten years).
CASES_PER_YEAR = 600
# In a busier casebook, the cases of the last RECENT_DAYS still come at that pace.
RECENT_DAYS = 120
BIG_CASE_CONTACTS = 300
BIG_CASE_STEPS = 50


@dataclass
class BulkResult:
    cases: int
    big_case_reference: str | None
    rows: dict[str, int] = field(default_factory=dict)


def _lite(model) -> sa.TableClause:
    """The model's table without column types: values go in as stored (ISO text for
    dates and times, 0/1 for booleans), without a bind processor per value."""
    table = model.__table__
    return sa.table(table.name, *[sa.column(c.name) for c in table.columns])


_TABLES = {
    "case_file": Case,
    "case_exploitation": CaseExploitation,
    "signal": Signal,
    "signal_indicator": SignalIndicator,
    "person": Person,
    "referral": Referral,
    "followup_step": FollowUpStep,
    "contact_moment": ContactMoment,
    "consent": Consent,
    "deadline": Deadline,
    "history": HistoryEntry,
}
# Parents before children: foreign keys are on.
_ORDER = tuple(_TABLES)


class _Clock:
    """Local wall-clock moments as stored UTC text, with the zone offset cached a day."""

    def __init__(self) -> None:
        self._offsets: dict[date, timedelta] = {}

    def at(self, day: date, hour: int, minute: int) -> datetime:
        off = self._offsets.get(day)
        if off is None:
            off = datetime(day.year, day.month, day.day, 12).astimezone().utcoffset()
            self._offsets[day] = off
        return datetime(day.year, day.month, day.day, hour, minute) - off


def _ts(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds") + "+00:00"


def _text(value) -> str | None:
    """As casebook.services.common._as_text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


class _Ids:
    def __init__(self, session: Session) -> None:
        self.next: dict[str, int] = {}
        for name, model in _TABLES.items():
            if name in ("case_exploitation", "signal_indicator"):
                continue
            top = session.execute(sa.select(sa.func.max(model.__table__.c.id))).scalar()
            self.next[name] = (top or 0) + 1

    def take(self, name: str) -> int:
        value = self.next[name]
        self.next[name] = value + 1
        return value


class _CaseLife:
    """One case played through: its rows and its history, in the order of events."""

    def __init__(self, gen: _Generator, case_id: int, reference: str, opened: date) -> None:
        self.gen = gen
        self.id = case_id
        self.reference = reference
        self.opened = opened
        self.rng = gen.rng
        self.events: list[tuple[datetime, int, dict]] = []
        self.touches = 0
        self.last = gen.clock.at(opened, 8, 0)
        self.updated = self.last
        self.steps: list[dict] = []

    def moment(self, day: date) -> datetime:
        """A working-hours moment on `day`, never before the case's previous event."""
        rng = self.rng
        at = self.gen.clock.at(day, rng.randint(8, 16), rng.choice((0, 15, 30, 45)))
        if at <= self.last:
            at = self.last + timedelta(minutes=rng.randint(1, 20))
        self.last = at
        return at

    def record(self, at: datetime, event: str, **kw) -> None:
        self.events.append(
            (
                at,
                len(self.events),
                {
                    "case_id": self.id,
                    "at": _ts(at),
                    "event": event,
                    "entity": kw.get("entity", "case"),
                    "entity_id": kw.get("entity_id"),
                    "field_name": kw.get("field"),
                    "old": _text(kw.get("old")),
                    "new": _text(kw.get("new")),
                },
            )
        )

    def touch(self, at: datetime) -> None:
        self.touches += 1
        if at > self.updated:
            self.updated = at

    def change(self, at: datetime, obj: dict, name: str, value, entity="case", eid=None) -> None:
        old = obj.get(name)
        if old == value:
            return
        obj[name] = value
        self.record(
            at, "field.changed", entity=entity, entity_id=eid or obj.get("id"), field=name, old=old,
            new=value,
        )  # fmt: skip

    def add_step(
        self,
        at: datetime,
        step_type: str,
        due: date | None,
        *,
        org: int | None = None,
        referral_id: int | None = None,
    ) -> dict:
        step = {
            "id": self.gen.ids.take("followup_step"),
            "case_id": self.id,
            "step_type": step_type,
            "organisation_id": org,
            "referral_id": referral_id,
            "description": "",
            "due_on": due,
            "status": "OPEN",
            "done_on": None,
            "result": "",
            "created_at": _ts(at),
            "version": 1,
            "_added": at,
        }
        self.steps.append(step)
        self.touch(at)
        self.record(at, "step.added", entity="step", entity_id=step["id"], new=step_type)
        return step

    def end_step(self, step: dict, status: str, at: datetime, day: date, result: str) -> None:
        step["status"], step["done_on"], step["result"] = status, day, result
        step["version"] += 1
        self.touch(at)
        event = {"DONE": "step.done", "CANCELLED": "step.cancelled", "CARRIED": "step.carried"}
        self.record(at, event[status], entity="step", entity_id=step["id"], new=step["step_type"])


class _Generator:
    def __init__(self, session: Session, rng: Random, today: date, start: date) -> None:
        self.session = session
        self.rng = rng
        self.today = today
        self.start = start
        self.load = 1.0
        self.clock = _Clock()
        self.ids = _Ids(session)
        orgs = {
            code: oid
            for oid, code in session.execute(sa.select(Organisation.id, Organisation.code))
            if code
        }
        self.orgs = orgs
        self.org_ids = sorted(orgs.values())
        self.outcomes = refdata.ref("closure_outcomes").codes()
        self.shelters = refdata.ref("shelter_types").codes()
        self.step_types = refdata.ref("step_types").codes()
        self.channels = refdata.ref("signal_channels").codes()
        self.roles = refdata.ref("source_roles").codes()
        self.indicators = refdata.ref("indicators").codes()
        self.countries = refdata.ref("countries").codes()[:60] + [
            "NL",
            "NL",
            "PL",
            "RO",
            "NG",
            "XX",
        ]
        self.sectors = refdata.ref("sectors").codes()
        self.contact_channels = refdata.ref("contact_channels").codes()
        self.counterparts = refdata.ref("counterpart_roles").codes()
        self.genders = ("MALE", "FEMALE", "FEMALE", "OTHER", "UNKNOWN")
        self.counter = {"shelter": 0, "outcome": 0, "step": 0, "open": 0}
        self.rows: dict[str, list[dict]] = {name: [] for name in _ORDER}
        self.totals: dict[str, int] = dict.fromkeys(_ORDER, 0)
        self.lite = {name: _lite(model) for name, model in _TABLES.items()}

    # -- writing ---------------------------------------------------------------------

    def flush(self) -> None:
        for name in _ORDER:
            rows = self.rows[name]
            if rows:
                self.session.execute(sa.insert(self.lite[name]), rows)
                self.totals[name] += len(rows)
                self.rows[name] = []

    def _date_text(self, row: dict, *names: str) -> dict:
        for name in names:
            value = row[name]
            if value is not None:
                row[name] = value.isoformat()
        return row

    # -- one case ----------------------------------------------------------------------

    def name(self) -> str:
        rng = self.rng
        return f"{rng.choice(FIRST)} {rng.choice(NAME_HEADS)}{rng.choice(NAME_TAILS)}"

    def person(self, life: _CaseLife, at: datetime, role: str, day: date) -> dict:
        rng = self.rng
        birth = None
        age = None
        if rng.random() < 0.6:
            birth = day.year - rng.randint(15, 60)
        elif rng.random() < 0.5:
            age = rng.randint(15, 60)
        person = {
            "id": self.ids.take("person"),
            "case_id": life.id,
            "role": role,
            "gender": rng.choice(self.genders) if role != "PERPETRATOR" else "MALE",
            "birth_year": birth,
            "age": age,
            "nationality": rng.choice(self.countries),
            "b8_status": None,
            "name": self.name() if rng.random() < 0.9 else "",
            "contact": f"06-0000{rng.randint(1000, 9999)} (fictief)" if role == "VICTIM" else "",
            "address": "",
            "notes": "",
            "erased": 0,
            "created_at": _ts(at),
            "version": 1,
        }
        life.record(at, "person.added", entity="person", entity_id=person["id"], new=role)
        return person

    def signal(self, life: _CaseLife, at: datetime, day: date) -> dict:
        rng = self.rng
        anonymous = rng.random() < 0.15
        sig = {
            "id": self.ids.take("signal"),
            "case_id": life.id,
            "received_on": day,
            "channel": rng.choice(self.channels),
            "source_role": rng.choice(self.roles),
            "reporter_anonymous": int(anonymous),
            "reporter_contact": "" if anonymous or rng.random() < 0.5 else "Melder (fictief)",
            "observed": rng.choice(STORIES),
            "triaged_at": None,
            "created_at": _ts(at),
        }
        for code in rng.sample(self.indicators, rng.randint(1, 4)):
            self.rows["signal_indicator"].append({"signal_id": sig["id"], "code": code})
        life.record(at, "signal.added", entity="signal", entity_id=sig["id"])
        return sig

    def case(
        self, i: int, case_id: int, reference: str, seq: int, opened: date, big: bool, last: bool
    ):
        rng, today = self.rng, self.today
        life = _CaseLife(self, case_id, reference, opened)
        location = not big and rng.random() < 0.2
        at = life.moment(opened)
        case = {
            "id": case_id,
            "reference": reference,
            "ref_year": opened.year,
            "ref_seq": seq,
            "subject_type": "LOCATION" if location else "PERSON",
            "title": rng.choice(TITLES_NL),
            "location": f"{rng.choice(STREETS)} {rng.randint(1, 300)}, Voorbeeldstad"
            if location
            else "",
            "phase": "INTAKE",
            "status": "NEW",
            "urgency": None,
            "sector": None,
            "route": None,
            "route_note": "",
            "opened_on": opened,
            "triaged_at": None,
            "closed_on": None,
            "closure_outcome": None,
            "closure_note": "",
            "created_at": _ts(at),
        }
        life.record(at, "case.opened", new=reference)
        signals = [self.signal(life, at, opened)]
        persons: list[dict] = []
        if location:
            for _ in range(rng.choice((0, 0, 1, 1, 2))):
                persons.append(self.person(life, at, rng.choice(("PERPETRATOR", "OTHER")), opened))
        else:
            persons.append(self.person(life, at, "VICTIM", opened))
            if rng.random() < 0.6:
                persons.append(self.person(life, at, "PERPETRATOR", opened))
            if rng.random() < 0.35:
                persons.append(self.person(life, at, "VICTIM", opened))
            if rng.random() < 0.45:
                persons.append(self.person(life, at, rng.choice(("REPORTER", "OTHER")), opened))
        victims = [p for p in persons if p["role"] == "VICTIM"]
        age = (today - opened).days

        if not big and ((age < 4 and rng.random() < 0.7) or last):
            # Still waiting for triage: the officer's morning work.
            if rng.random() < 0.3 and age > 0:
                day = opened + timedelta(days=rng.randint(1, age))
                extra = life.moment(day)
                life.touch(extra)
                signals.append(self.signal(life, extra, day))
            return self._emit(life, case, signals, persons, [], [], [])

        # -- the case's lifetime: closed at `end`, or running until today -------------
        tday = min(today, opened + timedelta(days=rng.randint(0, 6)))
        # One officer's caseload stays about the same size: in a casebook busier than
        # CASES_PER_YEAR, the cases older than RECENT_DAYS ran shorter and fewer of
        # them stayed open, so that a larger casebook has more history, not more
        # open work.
        load = 1.0 if (today - opened).days < RECENT_DAYS else self.load
        lifetime = (14 + rng.expovariate(1 / 70)) / load
        close_day = opened + timedelta(days=min(int(lifetime) + 1, 500))
        closes = not big and close_day < today and rng.random() > 0.04 / load
        if close_day <= tday:
            close_day = tday + timedelta(days=1)
            closes = closes and close_day < today
        end = close_day if closes else today

        # extra signals before triage
        for _ in range(rng.choice((0, 0, 0, 0, 0, 0, 1, 1, 1, 2))):
            day = opened + timedelta(days=rng.randint(0, (tday - opened).days))
            extra = life.moment(day)
            life.touch(extra)
            signals.append(self.signal(life, extra, day))

        # -- triage ----------------------------------------------------------------------
        at = life.moment(tday)
        life.touch(at)
        route = rng.choice(ROUTES)
        case["_route"] = route
        for name, value in (
            ("urgency", rng.choice(URGENCIES)),
            ("sector", rng.choice(self.sectors)),
            ("route", route),
        ):
            life.change(at, case, name, value)
        types = sorted(rng.sample(EXPLOITATION, rng.choice((1, 1, 2))))
        for code in types:
            self.rows["case_exploitation"].append({"case_id": case_id, "code": code})
        life.record(at, "field.changed", field="exploitation_types", old=[], new=types)
        case["triaged_at"] = _ts(at)
        for sig in signals:
            sig["triaged_at"] = _ts(at)
        target = "FOLLOWUP" if route in ROUTES_WITHOUT_REFERRAL else "REFERRAL"
        life.change(at, case, "phase", target)
        life.change(at, case, "status", "OPEN")
        life.record(at, "case.triaged", new=route)
        first = self.step_types[self.counter["step"] % len(self.step_types)]
        self.counter["step"] += 1
        life.add_step(
            at,
            first,
            tday + timedelta(days=rng.randint(1, 21)),
            org=self.orgs.get(rng.choice(("POL_AVIM", "ZORGCO", "NLA", "RIEC", "COMENSHA"))),
        )
        life.add_step(at, "ENRICH", tday + timedelta(days=rng.randint(2, 10)))

        span = max(0, (end - tday).days)

        def day_in(lo: date = tday, hi: date = end) -> date:
            return lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days)))

        # Events between triage and the end, played through in date order.
        plan: list[tuple[date, int, str, object]] = []
        n_contacts = BIG_CASE_CONTACTS if big else min(80, int(rng.expovariate(1 / 10.5)))
        for k in range(n_contacts):
            plan.append((day_in(), k, "contact", None))
        referrals: list[dict] = []
        consents: list[dict] = []
        deadlines: list[dict] = []
        if victims and not big:
            for k in range(rng.choice((0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3))):
                plan.append((day_in(), 100 + k, "referral", rng.choice(victims)))
            if rng.random() < 0.5:
                plan.append((day_in(), 200, "consent", victims[0]))
            if rng.random() < 0.05:
                plan.append((day_in(), 201, "consent_share", victims[0]))
            if i % 7 == 0:
                plan.append(
                    (day_in(hi=min(end, tday + timedelta(days=30))), 300, "bedenktijd", victims[0])
                )
        if not big:
            if i % 11 == 0:
                plan.append((day_in(), 400, "deadline", "CALLBACK"))
            if i % 13 == 3:
                plan.append((day_in(), 401, "deadline", "AANGIFTE"))
            if i % 29 == 8:
                plan.append((day_in(), 402, "deadline", "OTHER"))
        extra_steps = BIG_CASE_STEPS - 2 if big else min(20, int(rng.expovariate(1 / 4.2)))
        for k in range(extra_steps):
            plan.append((day_in(), 500 + k, "step", None))
        plan.sort(key=lambda item: (item[0], item[1]))

        for day, _k, kind, arg in plan:
            at = life.moment(day)
            if kind == "contact":
                self._contact(life, at, day, victims)
            elif kind == "referral":
                referrals.append(self._referral(life, case, at, day, end, arg, consents))
            elif kind == "consent":
                consents.append(
                    self._consent(
                        life, at, day, arg, rng.choice(("COMENSHA_REG", "COMENSHA_SHELTER"))
                    )
                )
                if rng.random() < 0.1 and day < end:
                    later = day_in(lo=day)
                    consents.append(
                        self._consent(
                            life,
                            life.moment(later),
                            later,
                            arg,
                            consents[-1]["purpose"],
                            given=False,
                        )
                    )
            elif kind == "consent_share":
                consents.append(
                    self._consent(life, at, day, arg, "SHARE_PARTNER", org=rng.choice(self.org_ids))
                )
            elif kind == "bedenktijd":
                deadlines.append(self._bedenktijd(life, at, day, arg))
            elif kind == "deadline":
                life.touch(at)
                dl = self._deadline(
                    life, at, arg, day + timedelta(days=rng.randint(1, 20)), None, None
                )
                dl["note"] = "Terugbellen toegezegd (fictief)." if arg == "CALLBACK" else ""
                deadlines.append(dl)
            else:
                st = self.step_types[self.counter["step"] % len(self.step_types)]
                self.counter["step"] += 1
                life.add_step(at, st, day + timedelta(days=rng.randint(3, 30)),
                              org=rng.choice(self.org_ids) if rng.random() < 0.4 else None)  # fmt: skip

        # Steps the officer finished along the way (not the ones waiting for a reply).
        for step in life.steps:
            due = step["due_on"]
            if step["status"] != "OPEN" or step["referral_id"] is not None or due is None:
                continue
            if due < end and (closes or rng.random() < 0.6):
                day = max(due, step["_added"].date())
                life_at = (
                    life.moment(day) if day >= life.last.date() else self._at_after(life, step, day)
                )
                life.end_step(step, "DONE", life_at, day, "Gedaan (fictief).")

        # B8 status after the bedenktijd, and deadlines that have passed.
        for dl in deadlines:
            if dl["due_on"] < end and rng.random() < 0.8:
                at = self._at_after(life, None, dl["due_on"])
                life.touch(at)
                life.change(at, dl, "done", True, entity="deadline")
                if dl["kind"] == "BEDENKTIJD" and dl["person_id"] is not None:
                    person = next(p for p in persons if p["id"] == dl["person_id"])
                    life.change(at, person, "b8_status", rng.choice(B8_LATER), entity="person")

        if closes:
            self._close(life, case, referrals, end)
            recent = (today - end).days < 90
            if (i % 13 == 0 or (recent and i % 3 == 0)) and end + timedelta(days=5) <= today:
                reopen = end + timedelta(days=5)
                at = life.moment(reopen)
                life.touch(at)
                for name, value in (
                    ("closed_on", None),
                    ("closure_outcome", None),
                    ("phase", "FOLLOWUP"),
                    ("status", "REOPENED"),
                ):
                    life.change(at, case, name, value)
                life.record(at, "case.reopened", new="Nieuw signaal van partner (fictief).")
                due = reopen + timedelta(days=14)
                step = life.add_step(at, "EVAL", due)
                if due < today - timedelta(days=30):
                    # Evaluated, and closed again.
                    day = due
                    life.end_step(step, "DONE", life.moment(day), day, "Geëvalueerd (fictief).")
                    self._close(life, case, [], day)
        else:
            at = life.moment(today if span else tday)
            n_open = self.counter["open"]
            self.counter["open"] += 1
            status = OPEN_STATUSES[n_open % len(OPEN_STATUSES)]
            life.touch(at)
            life.change(at, case, "status", status)
            if n_open % 11 == 3:
                life.touch(at)
                life.change(at, case, "phase", "TRIAGE")
        return self._emit(life, case, signals, persons, referrals, consents, deadlines)

    def _at_after(self, life: _CaseLife, step, day: date) -> datetime:
        """A moment on `day` for an event recorded out of the case's running order."""
        rng = self.rng
        at = self.clock.at(day, rng.randint(8, 16), rng.choice((0, 15, 30, 45)))
        if step is not None and at <= step["_added"]:
            at = step["_added"] + timedelta(minutes=5)
        return at

    def _contact(self, life: _CaseLife, at: datetime, day: date, victims: list[dict]) -> None:
        rng = self.rng
        cid = self.ids.take("contact_moment")
        channel = rng.choice(self.contact_channels)
        self.rows["contact_moment"].append(
            {
                "id": cid,
                "case_id": life.id,
                "person_id": rng.choice(victims)["id"] if victims and rng.random() < 0.7 else None,
                "at": _ts(at),
                "channel": channel,
                "via_interpreter": int(rng.random() < 0.1),
                "counterpart_role": rng.choice(self.counterparts),
                "summary": "Afstemming over vervolg (fictief).",
                "created_at": _ts(at),
                "version": 1,
            }
        )
        life.touch(at)
        life.record(at, "contact.logged", entity="contact", entity_id=cid, new=channel)

    def _consent(self, life, at, day, person, purpose, *, given=True, org=None) -> dict:
        row = {
            "id": self.ids.take("consent"),
            "person_id": person["id"],
            "purpose": purpose,
            "organisation_id": org,
            "given": int(given),
            "recorded_on": day,
            "method": self.rng.choice(("WRITTEN", "VERBAL", "DIGITAL", "VIA_PARTNER")),
            "note": "",
            "created_at": _ts(at),
        }
        life.touch(at)
        life.record(
            at,
            "consent.given" if given else "consent.withdrawn",
            entity="person",
            entity_id=person["id"],
            new=purpose,
        )
        return row

    def _deadline(self, life, at, kind, due, person_id, starts) -> dict:
        row = {
            "id": self.ids.take("deadline"),
            "case_id": life.id,
            "person_id": person_id,
            "kind": kind,
            "starts_on": starts,
            "due_on": due,
            "done": False,
            "note": "",
            "created_at": _ts(at),
        }
        if kind == "BEDENKTIJD":
            life.record(
                at,
                "deadline.bedenktijd",
                entity="deadline",
                entity_id=row["id"],
                old=starts,
                new=due,
            )
        else:
            life.record(
                at, f"deadline.{kind.lower()}", entity="deadline", entity_id=row["id"], new=due
            )
        return row

    def _bedenktijd(self, life: _CaseLife, at: datetime, day: date, person: dict) -> dict:
        life.touch(at)
        end = add_months(day, 3)
        row = self._deadline(life, at, "BEDENKTIJD", end, person["id"], day)
        life.change(at, person, "b8_status", "BEDENKTIJD", entity="person")
        life.add_step(at, "DEADLINE", end - timedelta(days=14))
        return row

    def _referral(self, life, case, at, day, end, person, consents) -> dict:
        rng = self.rng
        shelter = self.shelters[self.counter["shelter"] % len(self.shelters)]
        self.counter["shelter"] += 1
        if shelter in VIA_COMENSHA and not any(
            c["person_id"] == person["id"] and c["purpose"] == "COMENSHA_SHELTER" and c["given"]
            for c in consents
        ):
            consents.append(self._consent(life, at, day, person, "COMENSHA_SHELTER"))
            at = life.moment(day)
        org = self.orgs.get("COMENSHA") if shelter in VIA_COMENSHA else rng.choice(self.org_ids)
        reply_due = day + timedelta(days=rng.randint(2, 14))
        ref = {
            "id": self.ids.take("referral"),
            "case_id": life.id,
            "person_id": person["id"],
            "shelter_type": shelter,
            "organisation_id": org,
            "status": "REQUESTED",
            "requested_on": day,
            "reply_due_on": reply_due,
            "placed_on": None,
            "refused_on": None,
            "ended_on": None,
            "withdrawn_on": None,
            "carried_by_partner": 0,
            "note": "",
            "created_at": _ts(at),
            "version": 1,
        }
        life.touch(at)
        life.record(at, "referral.requested", entity="referral", entity_id=ref["id"], new=shelter)
        step_type = "AANMELD_CM_OPV" if shelter in VIA_COMENSHA else "SHELTER_REQ"
        step = life.add_step(at, step_type, reply_due, org=org, referral_id=ref["id"])
        ref["_step"] = step
        reply = day + timedelta(days=rng.randint(1, 20))
        fate = rng.choice(("PLACED", "PLACED", "PLACED", "REFUSED", "WITHDRAWN", None))
        if fate and reply < end:
            self._referral_status(life, case, ref, fate, reply)
            if fate == "PLACED" and rng.random() < 0.6:
                ended = reply + timedelta(days=rng.randint(5, 120))
                if ended < end:
                    self._referral_status(life, case, ref, "ENDED", ended)
        return ref

    def _referral_status(self, life, case, ref, status: str, day: date, at=None) -> None:
        at = at or self._at_after(life, ref["_step"], day)
        life.touch(at)
        old = ref["status"]
        ref["status"] = status
        ref[
            {"PLACED": "placed_on", "REFUSED": "refused_on", "ENDED": "ended_on",
             "WITHDRAWN": "withdrawn_on"}[status]
        ] = day  # fmt: skip
        ref["version"] += 1
        life.record(
            at, f"referral.{status.lower()}", entity="referral", entity_id=ref["id"], field="status",
            old=old, new=status,
        )  # fmt: skip
        step = ref["_step"]
        if step["status"] == "OPEN":
            step["status"], step["done_on"], step["result"] = "DONE", day, status
            life.record(at, "step.done", entity="step", entity_id=step["id"], new=step["step_type"])
        if status == "PLACED" and case["phase"] == "REFERRAL":
            life.change(at, case, "phase", "FOLLOWUP")

    def _close(self, life: _CaseLife, case: dict, referrals: list[dict], day: date) -> None:
        rng = self.rng
        # Settle the open items first, as the Closure screen makes the officer do.
        for ref in referrals:
            if ref["status"] == "REQUESTED":
                self._referral_status(
                    life, case, ref, "WITHDRAWN", max(day, ref["requested_on"]), life.moment(day)
                )
            elif ref["status"] == "PLACED" and not ref["carried_by_partner"]:
                at = life.moment(day)
                life.touch(at)
                ref["version"] += 1
                life.change(at, ref, "carried_by_partner", True, entity="referral")
                ref["carried_by_partner"] = 1
        for step in life.steps:
            if step["status"] == "OPEN":
                roll = rng.random()
                status = "DONE" if roll < 0.7 else "CANCELLED" if roll < 0.85 else "CARRIED"
                result = {"DONE": "Afgerond (fictief).", "CANCELLED": "Niet meer nodig (fictief).",
                          "CARRIED": "Partner pakt dit op (fictief)."}[status]  # fmt: skip
                life.end_step(step, status, life.moment(day), day, result)
        at = life.moment(day)
        life.touch(at)
        outcome = self.outcomes[self.counter["outcome"] % len(self.outcomes)]
        self.counter["outcome"] += 1
        life.change(at, case, "closure_outcome", outcome)
        life.change(at, case, "closure_note", "Afgesloten (fictief).")
        life.change(at, case, "closed_on", day)
        life.change(at, case, "phase", "CLOSURE")
        life.change(at, case, "status", "CLOSED")
        life.record(at, "case.closed", new=outcome)

    def _emit(self, life, case, signals, persons, referrals, consents, deadlines):
        case.pop("_route", None)
        case["updated_at"] = _ts(life.updated)
        case["version"] = 1 + life.touches
        rows = self.rows
        rows["case_file"].append(self._date_text(case, "opened_on", "closed_on"))
        for sig in signals:
            rows["signal"].append(self._date_text(sig, "received_on"))
        rows["person"].extend(persons)
        for ref in referrals:
            ref.pop("_step", None)
            rows["referral"].append(
                self._date_text(
                    ref, "requested_on", "reply_due_on", "placed_on", "refused_on", "ended_on",
                    "withdrawn_on",
                )
            )  # fmt: skip
        for step in life.steps:
            step.pop("_added", None)
            rows["followup_step"].append(self._date_text(step, "due_on", "done_on"))
        for c in consents:
            rows["consent"].append(self._date_text(c, "recorded_on"))
        for dl in deadlines:
            dl["done"] = int(bool(dl["done"]))
            rows["deadline"].append(self._date_text(dl, "starts_on", "due_on"))
        life.events.sort(key=lambda e: (e[0], e[1]))
        for _at, _n, entry in life.events:
            entry["id"] = self.ids.take("history")
            rows["history"].append(entry)


def generate_bulk(
    session: Session,
    *,
    cases: int = 6000,
    years: int = 10,
    seed: int = 1,
    today: date | None = None,
    big_case: bool = True,
) -> BulkResult:
    """Fill an empty casebook with `cases` fictional cases over `years` years.

    With `big_case`, the first case of the year before `today` (or the first case, for
    a one-year casebook) is a long-running open case with exactly 300 contact moments
    and 50 steps; its reference is returned.
    """
    from casebook.dates import frozen, local_to_utc
    from casebook.services import settings as casebook_settings

    if session.execute(sa.select(sa.func.count()).select_from(Case.__table__)).scalar():
        from casebook.errors import CasebookError

        raise CasebookError("bench.demo_not_empty")
    rng = Random(seed)
    today = today or local_today()
    start = date(today.year - years + 1, 1, 1)
    span = (today - start).days
    conn = session.connection()
    conn.exec_driver_sql("PRAGMA cache_size=-200000")

    with frozen(local_to_utc(start, 9)):
        casebook_settings.put(session, "municipality", "Gemeente Voorbeeldstad (demo)")
        casebook_settings.put(session, "officer", "Demo-aandachtsfunctionaris")
    session.flush()

    gen = _Generator(session, rng, today, start)
    gen.load = max(1.0, cases / (CASES_PER_YEAR * (span + 1) / 365.25))
    if gen.load > 1.0 and span > 2 * RECENT_DAYS:
        # A busier casebook is a longer history, not more open work: the last months
        # arrive at one officer's pace, the rest of the cases fill the years before.
        recent = min(cases, round(CASES_PER_YEAR * RECENT_DAYS / 365.25))
        cut = span - RECENT_DAYS
        opened = sorted(
            [start + timedelta(days=rng.randint(cut + 1, span)) for _ in range(recent)]
            + [start + timedelta(days=rng.randint(0, cut)) for _ in range(cases - recent)]
        )
    else:
        opened = sorted(start + timedelta(days=rng.randint(0, span)) for _ in range(cases))
    big_year = today.year - 1 if years > 1 else today.year
    big_index = next((k for k, d in enumerate(opened) if d.year == big_year), 0)
    big_reference = None
    seqs: dict[int, int] = {}
    first_id = gen.ids.next["case_file"] = (
        session.execute(sa.select(sa.func.max(Case.__table__.c.id))).scalar() or 0
    ) + 1
    for i, day in enumerate(opened):
        seq = seqs[day.year] = seqs.get(day.year, 0) + 1
        reference = f"{day.year}-{seq:04d}"
        big = big_case and i == big_index
        if big:
            big_reference = reference
        gen.case(i, first_id + i, reference, seq, day, big, i == cases - 1)
        if (i + 1) % BATCH_CASES == 0:
            gen.flush()
    gen.flush()

    for _n in range(years * 4):
        day = start + timedelta(days=rng.randint(0, span))
        session.add(
            Training(
                held_on=day,
                audience=rng.choice(
                    ["Burgerzaken", "Handhaving", "Wijkteams", "Wmo-consulenten", "Leerplicht"]
                ),
                participants=rng.randint(6, 30),
                provider=rng.choice(["FairWork Academie", "CoMensha", "Eigen"]),
            )
        )
    session.flush()
    return BulkResult(cases=cases, big_case_reference=big_reference, rows=dict(gen.totals))
