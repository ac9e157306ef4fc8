"""One clock: casebook.clock is the only place that reads the machine's date and time,
and setting it moves every date the core, the screens and the commands use."""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from casebook import clock

ROOT = Path(__file__).resolve().parents[1]
CHANNEL, ROLE = "PHONE", "POLICE"

# Calls that read the machine's clock: (object, attribute).
CLOCK_READS = {
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
    ("time", "ctime"),
    ("time", "strftime"),
}


def clock_reads(source: str) -> list[tuple[int, str]]:
    """Every call in `source` that reads the machine's clock: `date.today()`,
    `datetime.now(...)`, `datetime.datetime.now()`, `time.time()`, and the same through
    names imported from datetime/time (`from time import time`)."""
    tree = ast.parse(source)
    imported: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("time", "datetime"):
            for alias in node.names:
                if alias.name in {"time", "time_ns", "localtime", "gmtime", "ctime"} and (
                    node.module == "time"
                ):
                    imported[alias.asname or alias.name] = ("time", alias.name)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute):
            owner = func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
            if (name, func.attr) in CLOCK_READS:
                # time.localtime(x) / gmtime(x) with an argument convert, they do not read
                if (
                    func.attr in ("localtime", "gmtime", "ctime", "strftime")
                    and node.args[(1 if func.attr == "strftime" else 0) :]
                ):
                    continue
                found.append((node.lineno, f"{name}.{func.attr}()"))
        elif isinstance(func, ast.Name) and func.id in imported and not node.args:
            found.append((node.lineno, f"{'.'.join(imported[func.id])}()"))
    return found


def test_the_scanner_finds_every_way_to_read_the_clock():
    source = """
import time, datetime as dt
from datetime import date, datetime
from time import time as now_seconds
a = date.today()
b = datetime.now(UTC)
c = dt.datetime.now()
d = time.time()
e = now_seconds()
f = datetime.utcnow()
g = time.localtime()
ok1 = datetime.fromtimestamp(0)
ok2 = time.localtime(0)
ok3 = time.monotonic()
"""
    assert [what for _, what in clock_reads(source)] == [
        "date.today()",
        "datetime.now()",
        "datetime.now()",
        "time.time()",
        "time.time()",
        "datetime.utcnow()",
        "time.localtime()",
    ]


@pytest.mark.parametrize("folder", ["casebook", "screens"])
def test_only_the_clock_module_reads_the_machines_clock(folder):
    offenders = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        if path == ROOT / "casebook" / "clock.py":
            continue
        for line, what in clock_reads(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert offenders == [], "read the date and time from casebook.clock:\n" + "\n".join(offenders)


def test_frozen_sets_every_reading_and_restores(monkeypatch):
    monkeypatch.delenv(clock.ENV_NOW, raising=False)
    at = datetime(2028, 2, 29, 23, 30, tzinfo=UTC)
    with clock.frozen(at):
        assert clock.now() == at
        assert clock.timestamp() == at.timestamp()
        with clock.frozen(date(2030, 1, 2)):
            assert clock.today() == date(2030, 1, 2)
        assert clock.now() == at
    real = datetime.now(UTC)
    assert abs(clock.now() - real) < timedelta(seconds=5)


def test_the_environment_sets_the_clock_for_a_whole_process(monkeypatch):
    monkeypatch.setenv(clock.ENV_NOW, "2027-07-15")
    assert clock.today() == date(2027, 7, 15)
    assert clock.now().astimezone().hour == 10
    monkeypatch.setenv(clock.ENV_NOW, "2028-02-29T08:15:00+00:00")
    assert clock.now() == datetime(2028, 2, 29, 8, 15, tzinfo=UTC)
    # nonsense is ignored: the machine's clock is the safe one
    monkeypatch.setenv(clock.ENV_NOW, "tomorrow")
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_the_suite_runs_on_its_own_day_whatever_the_machine_says():
    # conftest fixes the day; a command started in a subprocess shares it
    assert clock.today() == date(2026, 11, 28)
    out = subprocess.run(
        [sys.executable, "-c", "from casebook import clock; print(clock.today())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "2026-11-28"


def test_services_without_a_today_argument_follow_the_clock(cb):
    """The defect that turned the suite red on 29-11-2026: a contact moment on 'today'
    was refused as in the future because the service read the machine's date."""
    from sqlmodel import select

    from casebook.errors import ValidationError
    from casebook.models import ContactMoment
    from casebook.services import contacts
    from tests import servicekit as kit

    case_id = kit.new_case(cb, today=date(2028, 2, 20))
    with clock.frozen(date(2028, 2, 29)), cb.write() as s:
        contacts.log_contact(
            s,
            case_id,
            contacts.ContactInput(on="29-02-2028", channel=CHANNEL, counterpart_role=ROLE),
        )
        untimed = contacts.log_contact(
            s, case_id, contacts.ContactInput(channel=CHANNEL, counterpart_role=ROLE)
        )
        assert untimed.at == clock.now()
    with clock.frozen(date(2028, 2, 28)), pytest.raises(ValidationError), cb.write() as s:
        contacts.log_contact(
            s,
            case_id,
            contacts.ContactInput(on="29-02-2028", channel=CHANNEL, counterpart_role=ROLE),
        )
    with cb.read() as s:
        found = s.exec(select(ContactMoment).where(ContactMoment.case_id == case_id)).all()
        days = [c.at.astimezone().date() for c in found]
    assert days == [date(2028, 2, 29), date(2028, 2, 29)]
