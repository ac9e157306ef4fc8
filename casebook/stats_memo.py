"""The yearly memo's content, once, for every document format.

`blocks(view)` lays out the published view (`casebook.statistics.public()`) as a list
of headings, paragraphs, count tables, lists and quotes. The Markdown, HTML and
OpenDocument renderings (casebook.stats_export, stats_html, stats_odt) each only turn
these blocks into their own syntax, so the three documents carry the same figures and
the same text, and a renderer can add nothing the view does not hold.

Text is kept raw here; each renderer escapes it for its format. A `Span` says whose
text it is: our own labels (catalogue, reference lists) or text the officer typed
(municipality, officer, policy texts), which Markdown escapes more strictly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from casebook.i18n import t


@dataclass(frozen=True)
class Span:
    text: str
    user: bool = False  # typed by the officer (else a label of our own)


def own(text: str) -> Span:
    return Span(text)


def typed(text: str) -> Span:
    return Span(text, user=True)


@dataclass(frozen=True)
class Heading:
    level: int  # 1 the memo's title, 2 a section, 3 a table
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Paragraph:
    spans: tuple[Span, ...]
    # plain; strong (the publication status, a sub-heading); legend (an explanation in
    # italics); term (the name of a policy text, in italics)
    style: str = "plain"


@dataclass(frozen=True)
class CountTable:
    """Two columns: what is counted and the count (or the median band)."""

    head: tuple[str, str]
    rows: tuple[tuple[str, str], ...]
    total: tuple[str, str] | None = None
    key: str = ""  # the table's or section's id, for a document's internal names


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Quote:
    """A text as the officer typed it, line breaks kept; `spans` is one label instead
    when the text is empty."""

    spans: tuple[Span, ...] = field(default_factory=tuple)


Block = Heading | Paragraph | CountTable | Bullets | Quote


def title_spans(view: dict) -> tuple[Span, ...]:
    if view["municipality"]:
        return (own(view["title"]), own(" — "), typed(view["municipality"]))
    return (own(view["title"]),)


def plain_title(view: dict) -> str:
    return "".join(span.text for span in title_spans(view))


def blocks(view: dict) -> list[Block]:
    disclosure = view["disclosure"]
    k = disclosure["k"]
    out: list[Block] = [
        Heading(1, title_spans(view)),
        Paragraph((own(t("stats.subtitle", year=view["year"], k=k)),)),
        Paragraph((own(view["publication"]["text"]),), "strong"),
        Paragraph((own(t("stats.md.rounded_legend", k=k)),), "legend"),
    ]
    basis = view["basisniveau"]
    tables = {tb["id"]: tb for tb in view["tables"]}
    figures = {fg["id"]: fg for fg in view["figures"]}
    for section in view["sections"]:
        sid = section["id"]
        out.append(Heading(2, (own(section["title"]),)))
        if sid == "basisniveau":
            out += _basisniveau(basis, tables, figures)
            continue
        section_figures = [f for f in view["figures"] if f["section"] == sid]
        if section_figures:
            rows = tuple((f["title"], f["display"]) for f in section_figures)
            out.append(CountTable((t("stats.md.figure"), t("stats.md.count")), rows, key=sid))
        for table in view["tables"]:
            if table["section"] == sid:
                out += _table(table)
        section_medians = [m for m in view["medians"] if m["section"] == sid]
        if section_medians:
            rows = tuple((m["title"], m["display"]) for m in section_medians)
            head = (t("stats.md.figure"), t("stats.md.days"))
            out.append(CountTable(head, rows, key=f"{sid}-medians"))
    out.append(Heading(2, (own(disclosure["title"]),)))
    out.append(Bullets((*disclosure["rules"], disclosure["method"])))
    return out


def _table(table: dict) -> list[Block]:
    out: list[Block] = [Heading(3, (own(table["title"]),))]
    if table["note"]:
        out.append(Paragraph((own(table["note"]),), "legend"))
    if table["withheld"]:
        return out
    rows = tuple((c["label"], c["display"]) for c in table["cells"])
    total = (table["total"]["label"], table["total"]["display"])
    head = (t("stats.md.category"), t("stats.md.count"))
    out.append(CountTable(head, rows, total, key=table["id"]))
    return out


def _basisniveau(basis: dict, tables: dict, figures: dict) -> list[Block]:
    out: list[Block] = [Paragraph((own(t("stats.basisniveau.signalling")),), "strong")]
    out += _table(tables[basis["signals_table"]])
    out.append(Paragraph((own(t("stats.basisniveau.officer")),), "strong"))
    settings = {item["key"]: item for item in basis["settings"]}
    if "officer" in settings:
        item = settings["officer"]
        out.append(Paragraph((own(item["label"]), own(": "), typed(item["text"]))))
        out.append(Paragraph((own(t("stats.md.officer_note")),), "legend"))
    rows = tuple((figures[f]["title"], figures[f]["display"]) for f in basis["figures"])
    head = (t("stats.md.figure"), t("stats.md.count"))
    out.append(CountTable(head, rows, key="basisniveau"))
    out.append(Paragraph((own(t("stats.basisniveau.policy")),), "strong"))
    out.append(Paragraph((own(t("stats.md.policy_note")),), "legend"))
    for item in basis["settings"]:
        if not item["key"].startswith("policy_"):
            continue
        out.append(Paragraph((own(item["label"]),), "term"))
        if item["text"]:
            out.append(Quote((typed(item["text"]),)))
        else:
            out.append(Quote((own(t("stats.setting.empty")),)))
    return out
