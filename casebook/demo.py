"""A deterministic, wholly fictional casebook for trying casebook out and for tests.

The generator lives through the cases day by day with the clock frozen at each
event, through the same services the officer uses, so the demo obeys every rule and
the same seed and `today` always give the same file. No name, place or story in it
belongs to a real person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from random import Random

from sqlmodel import Session, select

from casebook import refdata
from casebook.dates import frozen, local_to_utc, utcnow
from casebook.dates import today as local_today
from casebook.models import FollowUpStep, Organisation
from casebook.services import (
    closure,
    consent,
    contacts,
    deadlines,
    intake,
    referrals,
    steps,
    trainings,
    triage,
)
from casebook.services import settings as casebook_settings

FIRST = [
    "Ana",
    "Bogdan",
    "Chidi",
    "Dara",
    "Elif",
    "Farid",
    "Greta",
    "Hoa",
    "Ivan",
    "Joy",
    "Kasia",
    "Luan",
    "Mirela",
    "Nnamdi",
    "Olga",
    "Pim",
    "Quynh",
    "Rosa",
    "Sami",
    "Tess",
]
LAST = [
    "Voorbeeld",
    "Testmans",
    "Fictief",
    "Demora",
    "Oefenaar",
    "Nepper",
    "Proefstra",
    "Zandbak",
    "Schetsma",
    "Modelaar",
]
TITLES_NL = [
    "Signaal nagelstudio",
    "Arbeidsmigranten distributiecentrum",
    "Jongere met dure spullen",
    "Woning met veel aanloop",
    "Melding horecakeuken",
    "Kas met slaapplekken",
    "Escortadvertentie via derden",
    "Pakketjes rondbrengen voor anderen",
    "Bedelen bij station",
    "Schoonmaakbedrijf zonder contracten",
    "Bouwplaats zonder beschermingsmiddelen",
    "Massagesalon tot laat open",
]
STORIES = [
    "Melder zag dat de werkgever de paspoorten bewaart.",
    "Betrokkene kent het eigen woonadres niet en wordt steeds gebracht.",
    "Veel wisselende bewoners op één adres, ingeschreven via hetzelfde bureau.",
    "Jongere heeft plotseling veel geld en wordt na school opgewacht.",
    "Werknemers slapen op de werkplek; loon wordt contant en te laat betaald.",
]


@dataclass
class DemoSize:
    cases: int = 150
    years: int = 3


def _name(rng: Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _at(day: date, rng: Random):
    return local_to_utc(day, rng.randint(8, 17), rng.choice((0, 15, 30, 45)))


class _CaseClock:
    """The moments of one case: office hours on the given day, never earlier than the
    case's previous event (a timeline never runs backwards) and, for a demo made for
    the real today, never later than now."""

    def __init__(self, rng: Random, cap: datetime | None):
        self.rng, self.cap, self.last = rng, cap, None

    def at(self, day: date) -> datetime:
        moment = _at(day, self.rng)
        if self.last is not None and moment <= self.last:
            moment = self.last + timedelta(minutes=1)
        if self.cap is not None and moment > self.cap:
            moment = max(self.cap, self.last or self.cap)
        self.last = moment
        return moment


def generate(
    session: Session, *, cases: int = 150, years: int = 3, seed: int = 1, today: date | None = None
) -> int:
    """Fill an empty casebook; returns the number of cases made."""
    rng = Random(seed)
    cap = None if today is not None else utcnow()
    today = today or local_today()
    start = date(today.year - years + 1, 1, 1)
    span = (today - start).days
    orgs = {o.code: o.id for o in session.exec(select(Organisation)).all() if o.code}
    outcomes = refdata.ref("closure_outcomes").codes()
    shelters = refdata.ref("shelter_types").codes()
    step_types = refdata.ref("step_types").codes()
    statuses = ["WAIT_INFO", "WAIT_CONSENT", "REFERRED", "ON_HOLD", "OPEN"]
    channels = refdata.ref("signal_channels").codes()
    roles = refdata.ref("source_roles").codes()
    indicators = refdata.ref("indicators").codes()
    countries = refdata.ref("countries").codes()
    sectors = refdata.ref("sectors").codes()
    types = ["SEX", "LAB", "CRIM", "CRIM_BEG", "ORG", "UNK"]

    with frozen(local_to_utc(start, 9)):
        casebook_settings.put(session, "municipality", "Gemeente Voorbeeldstad (demo)")
        casebook_settings.put(session, "officer", "Demo-aandachtsfunctionaris")
        # The statistics key from the seed, so that a demo casebook is the same file
        # (and the same yearly figures) every time; fake data has nothing to protect.
        casebook_settings.put(session, "stats_key", f"demo-{seed}-{cases}-{years}")

    # Opening dates sorted, so references follow the order of arrival.
    opened = sorted(start + timedelta(days=rng.randint(0, span)) for _ in range(cases))
    # A few signals from the last days stay untriaged: the officer's morning work.
    ctx = dict(
        orgs=orgs,
        outcomes=outcomes,
        shelters=shelters,
        step_types=step_types,
        statuses=statuses,
        channels=channels,
        roles=roles,
        indicators=indicators,
        countries=countries,
        sectors=sectors,
        types=types,
        referrals=0,
        cap=cap,
    )
    for i, day in enumerate(opened):
        _one_case(session, rng, i, day, today, ctx)
    for _n in range(years * 4):
        day = start + timedelta(days=rng.randint(0, span))
        with frozen(_at(day, rng)):
            trainings.add_training(
                session,
                trainings.TrainingInput(
                    held_on=day,
                    audience=rng.choice(
                        ["Burgerzaken", "Handhaving", "Wijkteams", "Wmo-consulenten", "Leerplicht"]
                    ),
                    participants=rng.randint(6, 30),
                    provider=rng.choice(["FairWork Academie", "CoMensha", "Eigen"]),
                ),
            )
    session.flush()
    return cases


def _one_case(session, rng: Random, i: int, day: date, today: date, ctx: dict) -> None:
    clock = _CaseClock(rng, ctx["cap"])
    orgs, outcomes, shelters, step_types = (
        ctx["orgs"],
        ctx["outcomes"],
        ctx["shelters"],
        ctx["step_types"],
    )
    location = i % 5 == 4
    persons = (
        []
        if location
        else [
            intake.PersonInput(
                role="VICTIM",
                gender=rng.choice(["MALE", "FEMALE", "FEMALE", "OTHER", "UNKNOWN"]),
                birth_year=rng.choice([None, day.year - rng.randint(15, 55)]),
                nationality=rng.choice(
                    ctx["countries"][:60] + ["NL", "NL", "PL", "RO", "NG", "XX"]
                ),
                name=_name(rng),
                contact=f"06-0000{rng.randint(1000, 9999)} (fictief)",
            )
        ]
    )
    if not location and rng.random() < 0.4:
        persons.append(intake.PersonInput(role="PERPETRATOR", gender="MALE", name=_name(rng)))
    data = intake.SignalInput(
        received_on=day,
        channel=rng.choice(ctx["channels"]),
        source_role=rng.choice(ctx["roles"]),
        reporter_anonymous=rng.random() < 0.15,
        observed=rng.choice(STORIES),
        indicators=rng.sample(ctx["indicators"], rng.randint(1, 4)),
        subject_type="LOCATION" if location else "PERSON",
        title=rng.choice(TITLES_NL),
        location=f"Voorbeeldstraat {rng.randint(1, 200)}, Voorbeeldstad" if location else "",
        persons=persons,
    )
    with frozen(clock.at(day)):
        case, _ = intake.record_signal(session, data, today=day)
    age = (today - day).days
    if age < 4 and rng.random() < 0.7:
        return  # still waiting for triage
    tday = min(today, day + timedelta(days=rng.randint(0, 6)))
    first_type = step_types[i % len(step_types)]
    with frozen(clock.at(tday)):
        triage.triage_case(
            session,
            case.id,
            triage.TriageInput(
                urgency=rng.choice(["ACUTE", "HIGH", "NORMAL", "NORMAL", "LOW"]),
                exploitation_types=rng.sample(ctx["types"], rng.choice([1, 1, 2])),
                sector=rng.choice(ctx["sectors"]),
                route=rng.choice(["CARE", "CRIMINAL", "ADMINISTRATIVE", "COMBINED", "ADVICE"]),
                steps=[
                    steps.StepInput(
                        step_type=first_type,
                        due_on=tday + timedelta(days=rng.randint(1, 21)),
                        organisation_id=orgs.get(
                            rng.choice(["POL_AVIM", "ZORGCO", "NLA", "RIEC", "COMENSHA"])
                        ),
                    ),
                    steps.StepInput(
                        step_type="ENRICH", due_on=tday + timedelta(days=rng.randint(2, 10))
                    ),
                ],
            ),
        )
    victim = _victim_id(session, case.id)
    cursor = tday
    # contact moments
    for _ in range(rng.randint(0, 4)):
        cursor = min(today, cursor + timedelta(days=rng.randint(0, 9)))
        with frozen(clock.at(cursor)):
            contacts.log_contact(
                session,
                case.id,
                contacts.ContactInput(
                    channel=rng.choice(refdata.ref("contact_channels").codes()),
                    counterpart_role=rng.choice(refdata.ref("counterpart_roles").codes()),
                    summary="Afstemming over vervolg (fictief).",
                    person_id=victim,
                    at=clock.at(cursor),
                ),
            )
    if victim is not None and rng.random() < 0.6:
        with frozen(clock.at(cursor)):
            consent.record_consent(
                session,
                victim,
                consent.ConsentInput(
                    purpose=rng.choice(["COMENSHA_REG", "COMENSHA_SHELTER"]),
                    given=True,
                    recorded_on=cursor,
                    method=rng.choice(["WRITTEN", "VERBAL"]),
                ),
            )
    if victim is not None and i % 3 == 0:
        shelter = shelters[ctx["referrals"] % len(shelters)]
        ctx["referrals"] += 1
        with frozen(clock.at(cursor)):
            ref = referrals.request_referral(
                session,
                case.id,
                referrals.ReferralInput(
                    shelter_type=shelter,
                    person_id=victim,
                    organisation_id=orgs.get("COMENSHA"),
                    requested_on=cursor,
                    reply_due_on=cursor + timedelta(days=rng.randint(2, 14)),
                ),
            )
        outcome_day = min(today, cursor + timedelta(days=rng.randint(1, 20)))
        fate = rng.choice(["PLACED", "PLACED", "REFUSED", "WITHDRAWN", None])
        if fate and outcome_day > cursor:
            with frozen(clock.at(outcome_day)):
                referrals.set_referral_status(session, ref.id, fate, on=outcome_day)
            if fate == "PLACED" and rng.random() < 0.6:
                end = min(today, outcome_day + timedelta(days=rng.randint(5, 90)))
                if end > outcome_day:
                    with frozen(clock.at(end)):
                        referrals.set_referral_status(session, ref.id, "ENDED", on=end)
            cursor = outcome_day
    if victim is not None and i % 7 == 0:
        with frozen(clock.at(cursor)):
            deadlines.set_bedenktijd(session, case.id, cursor, person_id=victim)
    if i % 11 == 0:
        with frozen(clock.at(cursor)):
            deadlines.add_deadline(
                session,
                case.id,
                "CALLBACK",
                cursor + timedelta(days=rng.randint(1, 20)),
                note="Terugbellen toegezegd (fictief).",
            )
    # Older cases are mostly closed; a few are reopened.
    closing_age = (today - cursor).days
    if closing_age > 60 and rng.random() < 0.85:
        close_day = min(today, cursor + timedelta(days=rng.randint(10, 50)))
        with frozen(clock.at(close_day)):
            _settle(session, case.id, close_day)
            closure.close_case(
                session,
                case.id,
                outcome=outcomes[i % len(outcomes)],
                closed_on=close_day,
                note="Afgesloten (fictief).",
            )
        if i % 13 == 0 and close_day + timedelta(days=5) <= today:
            reopen_day = close_day + timedelta(days=5)
            with frozen(clock.at(reopen_day)):
                closure.reopen_case(session, case.id, reason="Nieuw signaal van partner (fictief).")
                steps.add_step(
                    session,
                    case.id,
                    steps.StepInput(step_type="EVAL", due_on=reopen_day + timedelta(days=14)),
                )
        return
    # Still running: mark some steps done, pick a status.
    for step in _open_steps(session, case.id):
        if step.referral_id is None and step.due_on and step.due_on < today and rng.random() < 0.5:
            with frozen(clock.at(min(today, step.due_on))):
                steps.complete_step(
                    session, step.id, result="Gedaan (fictief).", done_on=min(today, step.due_on)
                )
    status = ctx["statuses"][i % len(ctx["statuses"])]
    with frozen(clock.at(cursor)):
        triage.set_status(session, case.id, status)
        if i % 17 == 5:
            triage.set_phase(session, case.id, "TRIAGE")


def _settle(session, case_id: int, day: date) -> None:
    from casebook.models import Referral

    for ref in session.exec(select(Referral).where(Referral.case_id == case_id)).all():
        if ref.status == "REQUESTED":
            referrals.set_referral_status(
                session, ref.id, "WITHDRAWN", on=max(day, ref.requested_on)
            )
        elif ref.status == "PLACED":
            referrals.carry_referral(session, ref.id)
    for step in _open_steps(session, case_id):
        steps.complete_step(session, step.id, result="Afgerond (fictief).", done_on=day)
    # open deadlines hold a case open as steps do (closure.open_items)
    for deadline in closure.open_deadlines(session, case_id):
        deadlines.mark_done(session, deadline.id)


def _victim_id(session, case_id: int) -> int | None:
    from casebook.models import Person

    person = session.exec(
        select(Person).where(Person.case_id == case_id, Person.role == "VICTIM")
    ).first()
    return person.id if person else None


def _open_steps(session, case_id: int) -> list[FollowUpStep]:
    stmt = select(FollowUpStep).where(
        FollowUpStep.case_id == case_id, FollowUpStep.status == "OPEN"
    )
    return list(session.exec(stmt.order_by(FollowUpStep.id)))
