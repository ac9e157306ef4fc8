"""A writer for the kill test (run as a script, not collected by pytest).

    python tests/helpers_kill_writer.py CASEBOOK_FILE

The test also runs `main` in forked children (a fresh process each, started in
milliseconds rather than the half second an interpreter start costs).

Opens the casebook and saves records in a loop through the real services, each save
in its own `cb.write()` transaction. After each commit it prints what it saved
("signal <id>", "step <id>", "person <id>") and flushes, so a parent that kills it
knows which saves were reported as done. It prints "ready" before the first save.
"""

from __future__ import annotations

import sys
from datetime import date


def main(path: str, out=None) -> None:
    from casebook.db import open_casebook
    from casebook.services import intake, persons, steps

    cb = open_casebook(path, create=False)
    out = out or sys.stdout
    out.write("ready\n")
    out.flush()
    today = date(2026, 11, 28)
    n = 0
    case_id = None
    while True:
        n += 1
        kind = n % 3
        if kind == 1 or case_id is None:
            with cb.write() as s:
                case, signal = intake.record_signal(
                    s,
                    intake.SignalInput(
                        received_on=today,
                        channel="PHONE",
                        source_role="POL",
                        title=f"kill test {n}",
                        observed="x" * (n % 997) * 7,
                        indicators=["GEN_HOUSING"],
                        persons=[intake.PersonInput(role="VICTIM", name=f"p{n}")],
                    ),
                    today=today,
                )
                case_id, saved = case.id, f"signal {signal.id}"
        elif kind == 2:
            with cb.write() as s:
                step = steps.add_step(
                    s, case_id, steps.StepInput(step_type="ENRICH", description=f"step {n}")
                )
                saved = f"step {step.id}"
        else:
            with cb.write() as s:
                person = persons.add_person(
                    s, case_id, intake.PersonInput(role="OTHER", notes="n" * (n % 500))
                )
                saved = f"person {person.id}"
        out.write(saved + "\n")
        out.flush()


if __name__ == "__main__":
    main(sys.argv[1])
