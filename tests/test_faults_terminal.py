"""Issue 14, part 2: no control character from stored or imported text reaches the
terminal — header and title, edit forms' Input and TextArea, CLI output and error
messages, the access export — it is shown visibly (ESC as ␛) and stored unchanged."""

from __future__ import annotations

import json
import re

from sqlmodel import select

from casebook.cli import main
from casebook.models import Person, Signal
from casebook.services import settings as casebook_settings
from casebook.text import printable
from tests.caseui import case_app, settle
from tests.servicekit import persons_of, triaged_case
from tests.uikit import SIZE, make_app, screen_text

# An OSC 0 (retitle the terminal), a CSI (clear the screen), BEL, a C1 CSI and DEL.
HOSTILE = "Anna\x1b]0;owned\x07 \x1b[2J\x9b31m\x7fB"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _no_control(text: str) -> None:
    found = CONTROL.findall(text)
    assert not found, f"control characters reach the terminal: {found!r}"


def _plant(cb, case_id: int) -> None:
    with cb.write() as s:
        casebook_settings.put(s, "municipality", "Gemeente " + HOSTILE)
        person = s.exec(select(Person).where(Person.case_id == case_id)).first()
        person.name = HOSTILE
        person.notes = "regel 1\n" + HOSTILE
        s.add(person)
        signal = s.exec(select(Signal).where(Signal.case_id == case_id)).first()
        signal.observed = "gezien\n" + HOSTILE
        s.add(signal)


async def test_the_header_and_title_show_a_hostile_municipality_visibly(cb):
    with cb.write() as s:
        casebook_settings.put(s, "municipality", HOSTILE)
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _no_control(app.title)
        assert "␛]0;owned␇" in app.title
        _no_control(screen_text(app))
        await pilot.press("f9")  # Settings: the municipality's Input
        await settle(pilot)
        field = app.screen.query_one("#municipality")
        assert field.value == printable(HOSTILE)
        _no_control(screen_text(app))
    with cb.read() as s:  # stored unchanged
        assert casebook_settings.get(s, "municipality") == HOSTILE


async def test_edit_forms_show_stored_control_characters_visibly(cb):
    case_id = triaged_case(cb)
    _plant(cb, case_id)
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        _no_control(screen_text(app))
        await pilot.press("1")  # signals
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        modal = app.screen
        assert type(modal).__name__ == "SignalModal"
        observed = modal.query_one("#signal-observed").text
        _no_control(observed)
        assert "␛[2J" in observed
        _no_control(screen_text(app))
        await pilot.press("escape")
        await settle(pilot)
        if type(app.screen).__name__ != "CaseScreen":  # a discard question
            await pilot.press("y")
            await settle(pilot)
        await pilot.press("2")  # persons
        await settle(pilot)
        await pilot.press("ctrl+home", "enter")
        await settle(pilot)
        values = [w.value for w in app.screen.query("Input")]
        texts = [w.text for w in app.screen.query("TextArea")]
        assert any("␛]0;owned␇" in v for v in values), values
        for value in values + texts:
            _no_control(value.replace("\n", "").replace("\t", ""))
        _no_control(screen_text(app))
    person = persons_of(cb, case_id)[0]
    assert person.name == HOSTILE  # stored unchanged


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_output_and_errors_show_control_characters_visibly(cb, tmp_path, capsys):
    case_id = triaged_case(cb)
    _plant(cb, case_id)
    with cb.read() as s:
        from casebook.models import Case

        reference = s.get(Case, case_id).reference
    path = str(cb.path)
    cb.close()
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "format": "casebook-dump",
                "format_version": 1,
                "cases": [{"reference": "2026-0001\x1b]0;x\x07", HOSTILE * 1000: 1}],
                "settings": {"retention_mode": HOSTILE},
            }
        )
    )
    outputs = []
    for argv in (
        ["import", str(bad)],
        ["erase", reference, "--person", "1"],
        ["access", reference, "--person", "1", "--out", str(tmp_path / "a.md")],
        ["access", reference, "--person", "1", "--out", str(tmp_path / "a.json")],
        ["check"],
        ["purge"],
        ["erase", HOSTILE, "--person", "1"],
        ["backup", "--out", str(tmp_path / HOSTILE.replace("/", "") / "x")],
    ):
        code, out, err = _run(capsys, "--db", path, *argv)
        assert code in (0, 1), (argv, code, err)
        assert "Interne fout" not in err and "Traceback" not in err
        outputs.append(out + err)
    for text in outputs:
        _no_control(text.replace("\n", ""))
    assert "␛]0;x␇" in outputs[0] and max(map(len, outputs[0].splitlines())) <= 420
    markdown = (tmp_path / "a.md").read_text()
    _no_control(markdown.replace("\n", ""))
    assert "␛]0;owned␇" in markdown
    raw_json = (tmp_path / "a.json").read_text()
    _no_control(raw_json.replace("\n", ""))
    assert HOSTILE in set(_strings(json.loads(raw_json)))  # the data itself unchanged


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
