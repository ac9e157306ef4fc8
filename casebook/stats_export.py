"""Rendering the published statistics (`casebook.statistics.public()`) as CSV, JSON,
Markdown, HTML and OpenDocument text. Only the public view is rendered, so no hidden
count can slip out.

* CSV for Dutch Excel: semicolon separator, UTF-8 with a byte-order mark, CRLF line
  ends; medians with a decimal comma in Dutch. Cells that start like a formula are
  prefixed with an apostrophe.
* JSON: the public view as is (schema in docs/statistics-format.md).
* Markdown: a council memo, one table per breakdown, closing with the rules applied.
* HTML (casebook.stats_html) and ODT (casebook.stats_odt): the same memo as a
  document: the blocks of casebook.stats_memo, as the Markdown. ODT is binary: use
  `render_bytes`, and it is never written to a terminal.
"""

from __future__ import annotations

import csv
import io
import json
import re

from casebook import stats_memo as memo
from casebook.i18n import t
from casebook.text import printable

FORMATS = ("md", "csv", "json", "html", "odt")
BINARY_FORMATS = frozenset({"odt"})
EXTENSIONS = {"md": ".md", "csv": ".csv", "json": ".json", "html": ".html", "odt": ".odt"}


def render(view: dict, fmt: str) -> str:
    """A text format's rendering (every format but ODT)."""
    if fmt == "csv":
        return to_csv(view)
    if fmt == "json":
        return to_json(view)
    if fmt == "md":
        return to_markdown(view)
    if fmt == "html":
        from casebook.stats_html import to_html

        return to_html(view)
    raise ValueError(fmt)


def render_bytes(view: dict, fmt: str) -> bytes:
    """Any format's rendering as the bytes of its file (text as UTF-8)."""
    if fmt == "odt":
        # odfpy is imported only here: the other formats never load it
        from casebook.stats_odt import to_odt

        return to_odt(view)
    return render(view, fmt).encode("utf-8")


def write(view: dict, fmt: str, path, *, overwrite: bool = False) -> None:
    """Write the rendering to `path` (refusing an existing file unless `overwrite`).
    CSV keeps its CRLF line ends and BOM; the other text formats are UTF-8 with LF."""
    data = render_bytes(view, fmt)  # rendered first: a failure leaves no file behind
    mode = "wb" if overwrite else "xb"
    with open(path, mode) as fh:
        fh.write(data)


# -- JSON ----------------------------------------------------------------------------


def to_json(view: dict) -> str:
    return json.dumps(view, ensure_ascii=False, indent=2) + "\n"


# -- CSV -----------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: str) -> str:
    value = printable(value).replace("\n", " ")
    return "'" + value if value.startswith(_FORMULA_START) else value


def to_csv(view: dict) -> str:
    """One row per count: section, id, table, code, label, value. `id` is the stable
    id of the table or figure (the JSON id); `code` the category code (TOTAL for the
    total); `value` the count as published (`<k`, `x`, or a number)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(
        [
            t("stats.csv.section"),
            t("stats.csv.id"),
            t("stats.csv.table"),
            t("stats.csv.code"),
            t("stats.csv.label"),
            t("stats.csv.value"),
        ]
    )
    sections = {s["id"]: s["title"] for s in view["sections"]}
    writer.writerow(["", "year", "", "", view["title"], str(view["year"])])
    pub = view["publication"]
    writer.writerow(["", "publication", "", pub["status"], pub["text"], str(pub["version"])])
    if view["municipality"]:
        label = t("stats.setting.municipality")
        writer.writerow(["", "municipality", "", "", label, _safe(view["municipality"])])
    for fig in view["figures"]:
        writer.writerow([sections[fig["section"]], fig["id"], "", "", fig["title"], fig["display"]])
    for table in view["tables"]:
        head = [sections[table["section"]], table["id"], table["title"]]
        if table["note"]:
            writer.writerow([*head, "NOTE", table["note"], ""])
        for cell in table["cells"]:
            writer.writerow([*head, cell["code"], cell["label"], cell["display"]])
        writer.writerow([*head, "TOTAL", table["total"]["label"], table["total"]["display"]])
    for med in view["medians"]:
        writer.writerow([sections[med["section"]], med["id"], "", "", med["title"], med["display"]])
    basis = view["basisniveau"]
    for item in basis["settings"]:
        if item["key"] == "municipality":
            continue
        text = item["text"] or t("stats.setting.empty")
        writer.writerow([basis["title"], item["key"], "", "", item["label"], _safe(text)])
    disclosure = view["disclosure"]
    writer.writerow([disclosure["title"], "k", "", "", "k", str(disclosure["k"])])
    writer.writerow([disclosure["title"], "method", "", "", disclosure["method"], ""])
    for i, rule in enumerate(disclosure["rules"], 1):
        writer.writerow([disclosure["title"], f"rule_{i}", "", "", rule, ""])
    return out.getvalue()


# -- Markdown ------------------------------------------------------------------------

_MD_USER = "\\`*_[]|<>~!"
_LINE_START = re.compile(r"^(\s*)([#+=>-])")
_LINE_NUMBER = re.compile(r"^(\s*\d+)([.)])")


def md_escape(value: str) -> str:
    """User text made literal in Markdown: emphasis, links, HTML, tables and line-start
    constructs (headings, lists, quotes) are backslash-escaped; line breaks kept."""
    lines = []
    for line in printable(value, multiline=True).split("\n"):
        line = "".join("\\" + ch if ch in _MD_USER else ch for ch in line)
        line = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line, count=1)
        lines.append(_LINE_NUMBER.sub(lambda m: m.group(1) + "\\" + m.group(2), line, count=1))
    return "\n".join(lines)


_MD_LIGHT = "\\`*_[]|"


def _md_cell(value: str) -> str:
    """Our own labels (catalogue, reference lists) in a table cell or heading: only what
    would break the layout or start emphasis, a link or an HTML tag is escaped."""
    text = printable(value).replace("\n", " ")
    out = []
    for i, ch in enumerate(text):
        nxt = text[i + 1 : i + 2]
        if ch in _MD_LIGHT or (ch == "<" and nxt and (nxt.isalpha() or nxt in "/!?")):
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _md_user(value: str) -> str:
    return md_escape(value).replace("\n", " ")


def _md_spans(spans) -> str:
    return "".join(_md_user(s.text) if s.user else _md_cell(s.text) for s in spans)


def _md_block(block) -> list[str]:
    if isinstance(block, memo.Heading):
        return ["#" * block.level + " " + _md_spans(block.spans)]
    if isinstance(block, memo.Paragraph):
        mark = {"plain": "", "strong": "**", "legend": "_", "term": "*"}[block.style]
        return [mark + _md_spans(block.spans) + mark]
    if isinstance(block, memo.CountTable):
        lines = [f"| {block.head[0]} | {block.head[1]} |", "|---|---:|"]
        for name, shown in block.rows:
            lines.append(f"| {_md_cell(name)} | {_md_cell(shown)} |")
        if block.total is not None:
            name, shown = block.total
            lines.append(f"| **{_md_cell(name)}** | **{_md_cell(shown)}** |")
        return lines
    if isinstance(block, memo.Bullets):
        return [f"- {_md_cell(item)}" for item in block.items]
    if isinstance(block, memo.Quote):
        (span,) = block.spans
        text = md_escape(span.text) if span.user else _md_cell(span.text)
        return [f"> {paragraph}" if paragraph else ">" for paragraph in text.split("\n")]
    raise TypeError(type(block).__name__)


def to_markdown(view: dict) -> str:
    """The memo (casebook.stats_memo) in Markdown: every block followed by a blank line."""
    lines: list[str] = []
    for block in memo.blocks(view):
        lines += _md_block(block)
        lines.append("")
    return "\n".join(lines)
