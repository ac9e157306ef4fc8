"""The memo's documents in the programs a clerk uses: the ODT opened by LibreOffice
headless (converted to PDF: A4 pages, a page count a memo should have; converted to
plain text: every heading, paragraph and table cell there, in order), and the HTML
printed to PDF by headless Chromium (A4 pages). Each test is skipped, saying why,
where the program is not installed (`.ci/run` installs LibreOffice Writer; Chromium
is Debian's `chromium` package)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from casebook import i18n, statistics, stats_html, stats_memo, stats_odt
from tests.memokit import expected, shown
from tests.test_statistics import build_golden

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# Writer's library beside soffice (libswlo.so, swlo.dll): Calc alone has soffice too
WRITER = SOFFICE is not None and any(Path(os.path.realpath(SOFFICE)).parent.glob("*swlo.*"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFINFO = shutil.which("pdfinfo")
A4 = (595.3, 841.9)  # points
needs_soffice = pytest.mark.skipif(
    not WRITER,
    reason="LibreOffice Writer (soffice) is not installed: apt-get install libreoffice-writer-nogui",
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed: apt-get install chromium"
)


def golden_view(cb, lang: str) -> dict:
    build_golden(cb)
    i18n.set_language(lang)
    with cb.read() as s:
        return statistics.public(statistics.compute(s, 2025))


def pdf_pages(path) -> list[tuple[float, float]]:
    """The size of every page of a PDF, in points (pdfinfo where there is one; else the
    page objects' MediaBox, as LibreOffice and Chromium write them uncompressed)."""
    if PDFINFO is not None:
        done = subprocess.run(
            [PDFINFO, "-l", "9999", str(path)], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", done.stdout, re.M)
        return [(float(w), float(h)) for w, h in sizes]
    data = path.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    count = len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
    assert count, "no pages found"
    return [(float(boxes[0][0]), float(boxes[0][1]))] * count if boxes else [A4] * count


def is_a4(size: tuple[float, float]) -> bool:
    return abs(size[0] - A4[0]) < 2 and abs(size[1] - A4[1]) < 2


def soffice(source, target_format: str, folder) -> None:
    done = subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{folder}/profile",
            "--convert-to",
            target_format,
            "--outdir",
            str(folder),
            str(source),
        ],
        capture_output=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-500:]


def running_text(view: dict) -> list[str]:
    """What a plain-text rendering shows, line by line: the blocks in order, every
    table cell on its own line (LibreOffice's text export puts each cell on one)."""
    lines: list[str] = []
    texts, tables = expected(view)
    texts, tables = iter(texts), iter(tables)
    for block in stats_memo.blocks(view):
        if isinstance(block, stats_memo.CountTable):
            lines += [cell for row in next(tables) for cell in row]
        elif isinstance(block, stats_memo.Bullets):
            lines += [next(texts) for _ in block.items]
        else:
            lines += next(texts).split("\n")
    return [line.strip() for line in lines if line.strip()]


@needs_soffice
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_libreoffice_opens_the_odt_on_a4_with_every_table(cb, tmp_path, lang):
    view = golden_view(cb, lang)
    source = tmp_path / "jaarcijfers-2025.odt"
    source.write_bytes(stats_odt.to_odt(view))
    soffice(source, "pdf", tmp_path)
    pages = pdf_pages(tmp_path / "jaarcijfers-2025.pdf")
    assert all(is_a4(size) for size in pages), pages
    # some 17 tables, two columns each: a memo of a few pages, not one per table
    assert 3 <= len(pages) <= 8, len(pages)
    soffice(source, "txt:Text (encoded):UTF8", tmp_path)
    text = (tmp_path / "jaarcijfers-2025.txt").read_text(encoding="utf-8-sig")
    lines = [line.strip().removeprefix("•").strip() for line in text.splitlines()]
    assert [line for line in lines if line] == running_text(view)
    # the protected counts among them, in their tables
    gender = next(tb for tb in view["tables"] if tb["id"] == "victims_by_gender")
    at = lines.index(shown(gender["title"]))
    for cell in gender["cells"]:
        at = lines.index(cell["label"], at)
        assert lines[at + 1] == cell["display"]


@needs_soffice
def test_the_text_check_sees_a_missing_cell(cb, tmp_path):
    """Not vacuous: a document that lost a table row does not pass the comparison."""
    view = golden_view(cb, "nl")
    broken = {**view, "tables": [dict(tb) for tb in view["tables"]]}
    broken["tables"][0]["cells"] = broken["tables"][0]["cells"][1:]
    source = tmp_path / "kapot.odt"
    source.write_bytes(stats_odt.to_odt(broken))
    soffice(source, "txt:Text (encoded):UTF8", tmp_path)
    text = (tmp_path / "kapot.txt").read_text(encoding="utf-8-sig")
    lines = [line.strip().removeprefix("•").strip() for line in text.splitlines()]
    assert [line for line in lines if line] != running_text(view)


@needs_chromium
def test_chromium_prints_the_html_on_a4(cb, tmp_path):
    view = golden_view(cb, "nl")
    source = tmp_path / "jaarcijfers-2025.html"
    source.write_text(stats_html.to_html(view), encoding="utf-8")
    target = tmp_path / "jaarcijfers-2025.pdf"
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ],
        capture_output=True,
        timeout=180,
    )
    assert done.returncode == 0 and target.exists(), done.stderr[-500:]
    pages = pdf_pages(target)
    assert all(is_a4(size) for size in pages), pages
    assert 3 <= len(pages) <= 8, len(pages)
