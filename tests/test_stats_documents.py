"""The yearly memo as a document (issue 17): `casebook stats YEAR --format html` and
`--format odt`. The HTML is well-formed, self-contained and in the memo's language;
the ODT is a valid OpenDocument archive on A4 without a date; both carry exactly the
text and the tables of the Markdown memo (the blocks of casebook.stats_memo), escape
every typed text, and show no canary, case reference or date of a case. The ODT never
goes to a terminal, and odfpy is loaded only for it. (LibreOffice and Chromium open
them in tests/test_stats_documents_office.py.)"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from casebook import i18n, statistics, stats_export, stats_html, stats_memo, stats_odt
from tests.memokit import NS, HtmlTree, OdtDocument, expected, q
from tests.safetykit import PREFIX, canary_case
from tests.test_statistics import build_golden
from tests.test_statistics_properties import DATES, REFERENCE

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2025
HOSTILE = {
    "municipality": "Gemeente <script>alert(\"x\")</script> & 'Co' ]]> \x1b[31m",
    "officer": "A. <b>Officier</b> &amp; \x07bel",
    "policy_other": '<?xml version="1.0"?>\n<!-- c --> <a href="http://x">x</a>\n\n  twee  spaties\tend\ufffe',
}


@pytest.fixture
def golden(cb):
    build_golden(cb)
    return cb


def view_of(cb, lang: str = "nl", year: int = YEAR) -> dict:
    i18n.set_language(lang)
    with cb.read() as s:
        return statistics.public(statistics.compute(s, year))


def hostile(view: dict) -> dict:
    """The view with typed texts full of markup and control characters (set in the
    view itself, so that no cleaning on the way in can hide a renderer's fault)."""
    view["municipality"] = HOSTILE["municipality"]
    for item in view["basisniveau"]["settings"]:
        if item["key"] in HOSTILE:
            item["text"] = HOSTILE[item["key"]]
    if not any(i["key"] == "officer" for i in view["basisniveau"]["settings"]):
        view["basisniveau"]["settings"].insert(
            1, {"key": "officer", "label": "Aandachtsfunctionaris", "text": HOSTILE["officer"]}
        )
    return view


# -- HTML ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_html_is_well_formed_self_contained_and_in_its_language(golden, lang):
    view = view_of(golden, lang)
    source = stats_html.to_html(view)
    tree = HtmlTree(source)
    assert tree.errors == []
    assert tree.decls == ["DOCTYPE html"]
    assert tree.lang == lang
    assert tree.tags[:2] == ["html", "head"]
    # nothing to run and nothing to load
    assert "script" not in tree.tags
    assert not {"img", "link", "iframe", "object", "embed", "svg", "form"} & set(tree.tags)
    names = {name for name, _ in tree.attrs}
    assert not names & {"src", "href", "srcset", "action", "style", "background"}
    assert not [name for name in names if name.startswith("on")]
    assert not re.search(r"(?i)https?:|//|url\(|@import|@font-face", source)
    assert ("charset", "utf-8") in tree.attrs
    policy = tree.attrs[tree.attrs.index(("http-equiv", "Content-Security-Policy")) + 1]
    assert policy[0] == "content" and "default-src 'none'" in policy[1]
    # printable on A4
    assert "@page { size: A4;" in source
    assert tree.title == stats_memo.plain_title(view)


def test_html_and_odt_hold_the_text_and_tables_of_the_markdown_memo(golden):
    view = view_of(golden)
    texts, tables = expected(view)
    assert len(tables) >= 15 and len(texts) > 40
    html = HtmlTree(stats_html.to_html(view))
    assert html.texts == texts
    assert html.tables == tables
    odt = OdtDocument(stats_odt.to_odt(view))
    assert odt.texts == texts
    assert odt.tables == tables
    # and the Markdown memo has every row of every table, in the same order
    md = stats_export.to_markdown(view)
    at = 0
    for table in tables:
        for name, shown in table[1:]:
            found = re.search(
                rf"^\| (\*\*)?{re.escape(name)}(\*\*)? \| (\*\*)?{re.escape(shown)}(\*\*)? \|$",
                md[at:],
                re.M,
            )
            assert found, (name, shown)
            at += found.end()
    # the protected counts themselves: the golden figures, rounded to multiples of 5
    gender = next(tb for tb in view["tables"] if tb["id"] == "victims_by_gender")
    rows = {r[0]: r[1] for t in html.tables for r in t[1:]}
    for cell in gender["cells"]:
        assert rows[cell["label"]] == cell["display"] and int(cell["display"]) % 5 == 0


def test_typed_text_is_escaped_in_html(golden):
    view = hostile(view_of(golden))
    source = stats_html.to_html(view)
    tree = HtmlTree(source)
    assert tree.errors == []
    assert tree.tags.count("script") == 0 and "a" not in tree.tags and "b" not in tree.tags
    assert "<script>" not in source and "<b>" not in source and "<!-- c -->" not in source
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;Co&#x27;" in source
    assert "\x1b" not in source and "\x07" not in source and "\ufffe" not in source
    texts, _ = expected(view)
    assert tree.texts == texts
    assert tree.texts[0].endswith("<script>alert(\"x\")</script> & 'Co' ]]> \u241b[31m")
    policy = next(t for t in tree.texts if t.startswith("<?xml"))
    assert policy == (
        '<?xml version="1.0"?>\n<!-- c --> <a href="http://x">x</a>\n\n'
        "  twee  spaties\u2409end\ufffd"
    )


def test_html_escape_covers_every_markup_character():
    assert stats_html.escape("<&>\"'") == "&lt;&amp;&gt;&quot;&#x27;"
    assert stats_html.escape("a\nb") == "a\u240ab"
    assert stats_html.escape("a\nb", multiline=True) == "a\nb"


# -- ODT ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_odt_is_an_opendocument_text_on_a4_in_its_language(golden, lang):
    view = view_of(golden, lang)
    data = stats_odt.to_odt(view)
    doc = OdtDocument(data)
    first = doc.infos[0]
    assert first.filename == "mimetype" and first.compress_type == 0  # stored, first
    assert doc.archive.read("mimetype") == b"application/vnd.oasis.opendocument.text"
    for name in ("content.xml", "styles.xml", "meta.xml"):
        assert f'full-path="{name}"' in doc.manifest
    # no date anywhere: one fixed time stamp, no dates in the metadata; same bytes again
    assert {info.date_time for info in doc.infos} == {stats_odt.FIXED_TIME}
    assert doc.meta.find(".//dc:date", NS) is None
    assert doc.meta.find(".//meta:creation-date", NS) is None
    assert stats_odt.to_odt(view) == data
    # A4, 2 cm margins; the tables 17 cm wide (13 + 4 cm columns): inside the margins
    layout = doc.styles.find(".//style:page-layout-properties", NS)
    assert layout.get(q("fo:page-width")) == "21cm"
    assert layout.get(q("fo:page-height")) == "29.7cm"
    assert {layout.get(q(f"fo:margin-{s}")) for s in ("left", "right")} == {"2cm"}
    widths = {
        st.get(q("style:name")): st.find("style:table-column-properties", NS).get(
            q("style:column-width")
        )
        for st in doc.content.iter(q("style:style"))
        if st.get(q("style:family")) == "table-column"
    }
    assert sorted(widths.values()) == ["13cm", "4cm"]
    # header rows repeat on a next page
    for table in doc.content.iter(q("table:table")):
        assert table.find("table:table-header-rows", NS) is not None
    # the language, for the spelling checker and hyphenation
    default = doc.styles.find(".//style:default-style/style:text-properties", NS)
    assert default.get(q("fo:language")) == lang
    assert default.get(q("fo:country")) == stats_odt.COUNTRY[lang]
    assert doc.meta.find(".//dc:language", NS).text.startswith(lang)
    assert doc.meta.find(".//dc:title", NS).text == stats_memo.plain_title(view)


def test_typed_text_is_plain_text_in_odt(golden):
    view = hostile(view_of(golden))
    data = stats_odt.to_odt(view)
    doc = OdtDocument(data)  # parses: nothing typed broke the XML
    texts, tables = expected(view)
    assert doc.texts == texts and doc.tables == tables
    content = doc.archive.read("content.xml").decode()
    assert "<script>" not in content and "<b>" not in content and "<!-- c" not in content
    assert "\x1b" not in content and "\x07" not in content and "\ufffe" not in content
    # typed text is only ever text: no element, attribute or style comes from it
    body = doc.content.find("office:body/office:text", NS)
    tags = {el.tag.split("}")[1] for el in body.iter()}
    assert tags <= {
        "text",
        "h",
        "p",
        "s",
        "tab",
        "line-break",
        "list",
        "list-item",
        "table",
        "table-column",
        "table-header-rows",
        "table-row",
        "table-cell",
        "sequence-decls",
        "sequence-decl",
    }, tags


# -- what the documents never hold --------------------------------------------------


def test_documents_hold_no_canary_reference_or_case_date(cb, tmp_path):
    """A casebook whose every identifying field is a canary (tests/safetykit.py), its
    year through the CLI as HTML and as ODT: none of it, no reference, no date."""
    info = canary_case(cb, "memo", received=date(2025, 3, 4), closed=date(2025, 9, 1))
    env = dict(os.environ, CASEBOOK_HOME=str(tmp_path / "home"))
    texts = {}
    for fmt in ("html", "odt", "md"):
        target = tmp_path / f"memo.{fmt}"
        done = subprocess.run(
            [sys.executable, "-m", "casebook", "--db", str(cb.path), "stats", "2025"]
            + ["--format", fmt, "--out", str(target)],
            capture_output=True,
            env=env,
            cwd=ROOT,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, done.stderr[-1000:]
        data = target.read_bytes()
        if fmt == "odt":
            doc = OdtDocument(data)
            for member in doc.infos:
                texts[f"odt:{member.filename}"] = doc.archive.read(member).decode("utf-8")
        else:
            texts[fmt] = data.decode("utf-8")
    assert "Jaarcijfers" in texts["html"] and "Jaarcijfers" in texts["odt:content.xml"]
    for name, text in texts.items():
        assert PREFIX not in text, name
        assert info["reference"] not in text, name
        assert not REFERENCE.search(text), (name, REFERENCE.search(text))
        for pattern in DATES:
            assert not pattern.search(text), (name, pattern.search(text))
        assert "04-03-2025" not in text and "2025-03-04" not in text, name


def test_the_canary_check_sees_a_leak(golden):
    """Not vacuous: a canary in a label does show in both documents."""
    view = view_of(golden)
    view["tables"][0]["cells"][0]["label"] = f"{PREFIX}leak 2025-0001 04-03-2025"
    html = stats_html.to_html(view)
    content = OdtDocument(stats_odt.to_odt(view)).archive.read("content.xml").decode()
    for text in (html, content):
        assert PREFIX in text and REFERENCE.search(text) and DATES[0].search(text)


# -- the command ----------------------------------------------------------------------


def _stats(args: list[str], db: Path, tmp_path: Path, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, CASEBOOK_HOME=str(tmp_path / "home"))
    return subprocess.run(
        [sys.executable, "-m", "casebook", "--db", str(db), "stats", str(YEAR), *args],
        env=env,
        cwd=ROOT,
        timeout=120,
        **kw,
    )


def test_odt_is_refused_on_a_terminal_and_written_to_a_file_or_pipe(golden, tmp_path):
    master, slave = pty.openpty()
    try:
        done = _stats(["--format", "odt"], golden.path, tmp_path, stdout=slave, stderr=slave)
        os.close(slave)
        slave = -1
        shown = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the terminal's other end is closed: all was read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if slave != -1:
            os.close(slave)
        os.close(master)
    assert done.returncode == 1
    assert b"--out" in shown and b"PK" not in shown
    # into a pipe: the document's bytes
    piped = _stats(["--format", "odt"], golden.path, tmp_path, capture_output=True)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.startswith(b"PK") and b"opendocument.text" in piped.stdout[:100]
    # to a file: the same bytes; an existing file is refused without --force
    target = tmp_path / "memo.odt"
    written = _stats(["--format", "odt", "--out", str(target)], golden.path, tmp_path,
                     capture_output=True)  # fmt: skip
    assert written.returncode == 0, written.stderr
    assert target.read_bytes() == piped.stdout
    again = _stats(["--format", "odt", "--out", str(target)], golden.path, tmp_path,
                   capture_output=True)  # fmt: skip
    assert again.returncode == 1
    html = _stats(["--format", "html"], golden.path, tmp_path, capture_output=True)
    assert html.returncode == 0 and html.stdout.startswith(b"<!DOCTYPE html>")


def _modules_after(args: list[str], tmp_path: Path) -> dict:
    code = (
        "import sys, json\n"
        "from casebook import cli\n"
        f"code = cli.main({args!r})\n"
        "print('MODULES=' + json.dumps({'code': code, 'odf': 'odf' in sys.modules,"
        " 'textual': 'textual' in sys.modules, 'sqlalchemy': 'sqlalchemy' in sys.modules}))\n"
    )
    env = dict(os.environ, CASEBOOK_HOME=str(tmp_path / "home"))
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("MODULES=")]
    assert lines, done.stderr[-2000:]
    import json

    return json.loads(lines[-1].removeprefix("MODULES="))


def test_odfpy_is_loaded_only_for_the_office_document(golden, tmp_path):
    db = str(golden.path)
    for fmt in ("md", "html", "csv"):
        mods = _modules_after(["--db", db, "stats", "2025", "--format", fmt], tmp_path)
        assert mods == {"code": 0, "odf": False, "textual": False, "sqlalchemy": False}, fmt
    target = str(tmp_path / "m.odt")
    mods = _modules_after(["--db", db, "stats", "2025", "--format", "odt", "--out", target],
                          tmp_path)  # fmt: skip
    assert mods == {"code": 0, "odf": True, "textual": False, "sqlalchemy": False}
