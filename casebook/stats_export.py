"""Rendering the published statistics (`casebook.statistics.public()`) as CSV, JSON
and Markdown. Only the public view is rendered, so no hidden count can slip out.

* CSV for Dutch Excel: semicolon separator, UTF-8 with a byte-order mark, CRLF line
  ends; medians with a decimal comma in Dutch. Cells that start like a formula are
  prefixed with an apostrophe.
* JSON: the public view as is (schema in docs/statistics-format.md).
* Markdown: a council memo, one table per breakdown, closing with the rules applied.
"""

from __future__ import annotations

import csv
import io
import json
import re

from casebook.i18n import t
from casebook.text import printable

FORMATS = ("md", "csv", "json")
EXTENSIONS = {"md": ".md", "csv": ".csv", "json": ".json"}


def render(view: dict, fmt: str) -> str:
    if fmt == "csv":
        return to_csv(view)
    if fmt == "json":
        return to_json(view)
    if fmt == "md":
        return to_markdown(view)
    raise ValueError(fmt)


def write(view: dict, fmt: str, path, *, overwrite: bool = False) -> None:
    """Write the rendering to `path` (refusing an existing file unless `overwrite`).
    CSV keeps its CRLF line ends and BOM; the others are UTF-8 with LF."""
    text = render(view, fmt)
    mode = "w" if overwrite else "x"
    with open(path, mode, encoding="utf-8", newline="") as fh:
        fh.write(text)


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


def _md_count_table(first: str, rows: list[tuple[str, str]], total: tuple[str, str] | None):
    lines = [f"| {first} | {t('stats.md.count')} |", "|---|---:|"]
    for label, shown in rows:
        lines.append(f"| {_md_cell(label)} | {_md_cell(shown)} |")
    if total is not None:
        lines.append(f"| **{_md_cell(total[0])}** | **{_md_cell(total[1])}** |")
    return lines


def _md_table(table: dict) -> list[str]:
    lines = [f"### {_md_cell(table['title'])}", ""]
    if table["note"]:
        lines += [f"_{_md_cell(table['note'])}_", ""]
    if table["withheld"]:
        return lines
    lines += _md_count_table(
        t("stats.md.category"),
        [(c["label"], c["display"]) for c in table["cells"]],
        (table["total"]["label"], table["total"]["display"]),
    )
    return lines + [""]


def to_markdown(view: dict) -> str:
    disclosure = view["disclosure"]
    k = disclosure["k"]
    title = view["title"]
    if view["municipality"]:
        title = f"{_md_cell(title)} — {_md_user(view['municipality'])}"
    else:
        title = _md_cell(title)
    lines = [f"# {title}", ""]
    lines += [_md_cell(t("stats.subtitle", year=view["year"], k=k)), ""]
    lines += [f"**{_md_cell(view['publication']['text'])}**", ""]
    lines += ["_" + _md_cell(t("stats.md.rounded_legend", k=k)) + "_", ""]
    basis = view["basisniveau"]
    tables = {tb["id"]: tb for tb in view["tables"]}
    figures = {fg["id"]: fg for fg in view["figures"]}
    for section in view["sections"]:
        sid = section["id"]
        lines += [f"## {_md_cell(section['title'])}", ""]
        if sid == "basisniveau":
            lines += _md_basisniveau(basis, tables, figures)
            continue
        section_figures = [f for f in view["figures"] if f["section"] == sid]
        if section_figures:
            lines += _md_count_table(
                t("stats.md.figure"), [(f["title"], f["display"]) for f in section_figures], None
            )
            lines.append("")
        for table in view["tables"]:
            if table["section"] == sid:
                lines += _md_table(table)
        section_medians = [m for m in view["medians"] if m["section"] == sid]
        if section_medians:
            lines += [f"| {t('stats.md.figure')} | {t('stats.md.days')} |", "|---|---:|"]
            for med in section_medians:
                lines.append(f"| {_md_cell(med['title'])} | {_md_cell(med['display'])} |")
            lines.append("")
    lines += [f"## {_md_cell(disclosure['title'])}", ""]
    for rule in disclosure["rules"]:
        lines.append(f"- {_md_cell(rule)}")
    lines.append(f"- {_md_cell(disclosure['method'])}")
    lines.append("")
    return "\n".join(lines)


def _md_basisniveau(basis: dict, tables: dict, figures: dict) -> list[str]:
    lines = [f"**{_md_cell(t('stats.basisniveau.signalling'))}**", ""]
    lines += _md_table(tables[basis["signals_table"]])
    lines += [f"**{_md_cell(t('stats.basisniveau.officer'))}**", ""]
    settings = {item["key"]: item for item in basis["settings"]}
    if "officer" in settings:
        item = settings["officer"]
        lines += [f"{_md_cell(item['label'])}: {_md_user(item['text'])}", ""]
        lines += [f"_{_md_cell(t('stats.md.officer_note'))}_", ""]
    rows = [(figures[f]["title"], figures[f]["display"]) for f in basis["figures"]]
    lines += _md_count_table(t("stats.md.figure"), rows, None) + [""]
    lines += [f"**{_md_cell(t('stats.basisniveau.policy'))}**", ""]
    lines += [f"_{_md_cell(t('stats.md.policy_note'))}_", ""]
    for item in basis["settings"]:
        if not item["key"].startswith("policy_"):
            continue
        lines += [f"*{_md_cell(item['label'])}*", ""]
        text = md_escape(item["text"]) if item["text"] else _md_cell(t("stats.setting.empty"))
        for paragraph in text.split("\n"):
            lines.append(f"> {paragraph}" if paragraph else ">")
        lines.append("")
    return lines
