"""The CSV export in LibreOffice: every label cell stays text (`23+` once became the
number 23, and `1-7` would become a date). LibreOffice headless converts the CSV to a
flat OpenDocument spreadsheet with the import options a Dutch user gets (`;`, UTF-8,
Dutch locale, special numbers detected), and every cell of the label columns must be
a string. Skipped, with the reason, where `soffice` is not installed (`.ci/run`
installs Debian's `libreoffice-calc-nogui`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from casebook import i18n, statistics, stats_export

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# Calc's library beside soffice (libsclo.so, sclo.dll): Writer alone has soffice too
CALC = SOFFICE is not None and any(Path(os.path.realpath(SOFFICE)).parent.glob("*sclo.*"))
pytestmark = pytest.mark.skipif(
    not CALC,
    reason="LibreOffice Calc (soffice) is not installed: apt-get install libreoffice-calc-nogui",
)
NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
# separator ;  quote "  UTF-8  from line 1  -  nl-NL  quoted not forced to text  detect
# special numbers (the strictest reading: dates, percentages, "23+")
CSV_FILTER = "CSV:59,34,76,1,,1043,false,true"


def _cells(path) -> list[list[tuple[str, str]]]:
    """(value type, text) of every cell, row by row."""
    q = f"{{{NS['office']}}}"
    rows = []
    for row in ET.parse(path).getroot().iter(f"{{{NS['table']}}}table-row"):
        cells = []
        for cell in row.findall("table:table-cell", NS):
            repeat = int(cell.get(f"{{{NS['table']}}}number-columns-repeated", "1"))
            text = "".join("".join(p.itertext()) for p in cell.findall("text:p", NS))
            cells += [(cell.get(f"{q}value-type", ""), text)] * min(repeat, 8)
        rows.append(cells)
    return rows


def _convert(source, folder) -> list[list[tuple[str, str]]]:
    done = subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{folder}/profile",
            f"--infilter={CSV_FILTER}",
            "--convert-to",
            "fods",
            "--outdir",
            str(folder),
            str(source),
        ],
        capture_output=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-500:]
    return _cells(folder / (source.stem + ".fods"))


def test_the_check_sees_a_label_turned_into_a_number(tmp_path):
    """Not vacuous: the old label `23+` and a hyphenated band come out as a number and
    a date."""
    source = tmp_path / "old.csv"
    source.write_bytes("\ufeffcode;omschrijving\r\nA23;23+\r\nB;1-7\r\n".encode())
    rows = _convert(source, tmp_path)
    assert rows[1][1][0] == "float" and rows[2][1][0] == "date"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_label_stays_text_in_libreoffice(cb, tmp_path, lang):
    from tests.test_statistics import build_golden

    build_golden(cb)
    i18n.set_language(lang)
    with cb.read() as s:
        view = statistics.public(statistics.compute(s, 2025))
    # the medians shown as bands, to check them too
    view["medians"][0]["display"] = statistics.median_band(10)
    source = tmp_path / "cijfers.csv"
    stats_export.write(view, "csv", source)
    rows = _convert(source, tmp_path)
    data = [r for r in rows if any(text for _, text in r)]
    assert len(data) > 80
    labels = 0
    for row in data[1:]:
        for kind, text in row[:5]:  # section, id, table, code, label
            if text:
                assert kind == "string", (text, kind)
                labels += 1
        kind, text = row[5] if len(row) > 5 else ("", "")
        if text and not text.isdigit():
            assert kind == "string", (text, kind)  # median bands, settings texts
    assert labels > 300
    age = [r[4][1] for r in data if r[1][1] == "victims_by_age_band"]
    assert ("23 jaar en ouder" if lang == "nl" else "23 years and older") in age
