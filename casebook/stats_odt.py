"""The yearly memo as an OpenDocument text (`casebook stats YEAR --format odt --out F`).

ODF is the open standard Dutch government bodies must accept for documents (the
Forum Standaardisatie's "pas toe of leg uit" list), and LibreOffice, Word and most
other office programs open it as it is: the council clerk opens a document, not
Markdown. It is written through odfpy (pure Python, imported here only, so `casebook
stats` in another format never loads it).

The blocks of casebook.stats_memo, so the same figures and text as the Markdown and
HTML memos. An A4 page with 2 cm margins; each table 17 cm wide (labels 13 cm, counts
4 cm) with its header row repeated on a next page; the document's language set for the
spelling checker and hyphenation. Text goes through `printable()` and into XML text
nodes, which odfpy escapes; no typed text becomes an attribute, a style or a field.
The archive holds no date: every member carries the same fixed time stamp, so the same
publication gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile

from casebook import stats_memo as memo
from casebook.text import printable

COUNTRY = {"nl": "NL", "en": "GB"}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a ZIP can say: no real date
FONT = "Liberation Sans"
_NONCHARACTERS = str.maketrans({0xFFFE: "\ufffd", 0xFFFF: "\ufffd"})


def _text(value: str, *, multiline: bool = False) -> str:
    return printable(value, multiline=multiline).translate(_NONCHARACTERS)


class _Styles:
    """The document's named styles (styles.xml) and its A4 page."""

    def __init__(self, doc, lang: str) -> None:
        from odf.style import (
            DefaultStyle,
            FontFace,
            ListLevelProperties,
            MasterPage,
            PageLayout,
            PageLayoutProperties,
            ParagraphProperties,
            Style,
            TableCellProperties,
            TableColumnProperties,
            TableProperties,
            TextProperties,
        )
        from odf.text import ListLevelStyleBullet, ListStyle

        doc.fontfacedecls.addElement(
            FontFace(
                name=FONT,
                fontfamily=f"'{FONT}'",
                fontfamilygeneric="swiss",
                fontpitch="variable",
            )
        )
        layout = PageLayout(name="A4")
        layout.addElement(
            PageLayoutProperties(
                pagewidth="21cm",
                pageheight="29.7cm",
                printorientation="portrait",
                margintop="2cm",
                marginbottom="2cm",
                marginleft="2cm",
                marginright="2cm",
            )
        )
        doc.automaticstyles.addElement(layout)
        doc.masterstyles.addElement(MasterPage(name="Standard", pagelayoutname=layout))

        default = DefaultStyle(family="paragraph")
        default.addElement(
            TextProperties(
                fontname=FONT,
                fontsize="11pt",
                language=lang,
                country=COUNTRY.get(lang, "NL"),
            )
        )
        doc.styles.addElement(default)

        def paragraph(name, display, text=None, para=None, parent=None):
            extra = {} if parent is None else {"parentstylename": parent}
            st = Style(name=name, displayname=display, family="paragraph", **extra)
            st.addElement(ParagraphProperties(**(para or {})))
            st.addElement(TextProperties(**(text or {})))
            doc.styles.addElement(st)
            return st

        body = {"margintop": "0cm", "marginbottom": "0.2cm"}
        self.body = paragraph("Text_20_body", "Text body", para=body)
        keep = {"keepwithnext": "always"}
        self.headings = {
            1: paragraph(
                "Heading_20_1",
                "Heading 1",
                {"fontsize": "18pt", "fontweight": "bold"},
                {"margintop": "0cm", "marginbottom": "0.3cm", **keep},
            ),
            2: paragraph(
                "Heading_20_2",
                "Heading 2",
                {"fontsize": "14pt", "fontweight": "bold"},
                {
                    "margintop": "0.5cm",
                    "marginbottom": "0.2cm",
                    "borderbottom": "0.5pt solid #444444",
                    "padding": "0.05cm",
                    **keep,
                },
            ),
            3: paragraph(
                "Heading_20_3",
                "Heading 3",
                {"fontsize": "11.5pt", "fontweight": "bold"},
                {"margintop": "0.3cm", "marginbottom": "0.1cm", **keep},
            ),
        }
        self.paragraphs = {
            "plain": self.body,
            "strong": paragraph(
                "Memo_20_strong", "Memo strong", {"fontweight": "bold"}, {**body, **keep}
            ),
            "legend": paragraph("Memo_20_legend", "Memo legend", {"fontstyle": "italic"}, body),
            "term": paragraph(
                "Memo_20_term", "Memo term", {"fontstyle": "italic"}, {**body, **keep}
            ),
        }
        self.quote = paragraph(
            "Quotations",
            "Quotations",
            para={
                "marginleft": "0.8cm",
                "marginbottom": "0.3cm",
                "borderleft": "1.5pt solid #999999",
                "padding": "0.2cm",
            },
        )
        self.list_item = paragraph("List_20_item", "List item", para={"marginbottom": "0.1cm"})
        self.cell = paragraph("Table_20_Contents", "Table Contents")
        self.cell_head = paragraph(
            "Table_20_Heading", "Table Heading", {"fontweight": "bold"}, {}, "Table_20_Contents"
        )
        self.cell_number = paragraph(
            "Table_20_Number", "Table Number", para={"textalign": "end"}, parent="Table_20_Contents"
        )
        self.cell_number_head = paragraph(
            "Table_20_Number_20_Heading",
            "Table Number Heading",
            {"fontweight": "bold"},
            {"textalign": "end"},
            "Table_20_Contents",
        )

        # automatic styles (content.xml) for the tables
        self.table = Style(name="MemoTable", family="table")
        self.table.addElement(
            TableProperties(width="17cm", align="margins", margintop="0.1cm", marginbottom="0.3cm")
        )
        self.col_label = Style(name="MemoTable.A", family="table-column")
        self.col_label.addElement(TableColumnProperties(columnwidth="13cm"))
        self.col_count = Style(name="MemoTable.B", family="table-column")
        self.col_count.addElement(TableColumnProperties(columnwidth="4cm"))

        def cell(name, border):
            st = Style(name=name, family="table-cell")
            st.addElement(TableCellProperties(padding="0.06cm", **border))
            return st

        self.cell_body = cell("MemoTable.Cell", {"borderbottom": "0.5pt solid #bbbbbb"})
        self.cell_top = cell("MemoTable.Head", {"borderbottom": "1pt solid #000000"})
        self.cell_total = cell("MemoTable.Total", {"bordertop": "1pt solid #000000"})
        for st in (
            self.table,
            self.col_label,
            self.col_count,
            self.cell_body,
            self.cell_top,
            self.cell_total,
        ):
            doc.automaticstyles.addElement(st)

        self.bullets = ListStyle(name="Memo_20_bullets", displayname="Memo bullets")
        level = ListLevelStyleBullet(level=1, bulletchar="•")
        level.addElement(ListLevelProperties(spacebefore="0.3cm", minlabelwidth="0.5cm"))
        self.bullets.addElement(level)
        doc.styles.addElement(self.bullets)


def to_odt(view: dict) -> bytes:
    from odf import dc, teletype
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableHeaderRows, TableRow
    from odf.text import H, List, ListItem, P

    lang = view["language"]
    doc = OpenDocumentText()
    doc.meta.addElement(dc.Title(text=_text(memo.plain_title(view))))
    doc.meta.addElement(dc.Language(text=f"{lang}-{COUNTRY.get(lang, 'NL')}"))
    styles = _Styles(doc, lang)

    def para(spans_or_text, stylename, *, multiline: bool = False):
        element = P(stylename=stylename)
        if isinstance(spans_or_text, str):
            text = _text(spans_or_text, multiline=multiline)
        else:
            text = "".join(_text(span.text) for span in spans_or_text)
        teletype.addTextToElement(element, text)
        return element

    def table(block: memo.CountTable, number: int):
        tb = Table(name=f"Tabel{number}", stylename=styles.table)
        tb.addElement(TableColumn(stylename=styles.col_label))
        tb.addElement(TableColumn(stylename=styles.col_count))

        def row(name, shown, cell_style, label_style, count_style):
            tr = TableRow()
            for text, paragraph_style in ((name, label_style), (shown, count_style)):
                td = TableCell(stylename=cell_style, valuetype="string")
                td.addElement(para(text, paragraph_style))
                tr.addElement(td)
            return tr

        head = TableHeaderRows()
        head.addElement(
            row(*block.head, styles.cell_top, styles.cell_head, styles.cell_number_head)
        )
        tb.addElement(head)
        for name, shown in block.rows:
            tb.addElement(row(name, shown, styles.cell_body, styles.cell, styles.cell_number))
        if block.total is not None:
            tb.addElement(
                row(*block.total, styles.cell_total, styles.cell_head, styles.cell_number_head)
            )
        return tb

    tables = 0
    for block in memo.blocks(view):
        if isinstance(block, memo.Heading):
            heading = H(outlinelevel=block.level, stylename=styles.headings[block.level])
            teletype.addTextToElement(heading, "".join(_text(s.text) for s in block.spans))
            doc.text.addElement(heading)
        elif isinstance(block, memo.Paragraph):
            doc.text.addElement(para(block.spans, styles.paragraphs[block.style]))
        elif isinstance(block, memo.CountTable):
            tables += 1
            doc.text.addElement(table(block, tables))
        elif isinstance(block, memo.Bullets):
            items = List(stylename=styles.bullets)
            for item in block.items:
                li = ListItem()
                li.addElement(para(item, styles.list_item))
                items.addElement(li)
            doc.text.addElement(items)
        elif isinstance(block, memo.Quote):
            (span,) = block.spans
            doc.text.addElement(para(span.text, styles.quote, multiline=span.user))
        else:
            raise TypeError(type(block).__name__)
    raw = io.BytesIO()
    doc.save(raw)  # closes the archive (write() leaves that to the garbage collector)
    return _without_dates(raw.getvalue())


def _without_dates(archive: bytes) -> bytes:
    """The same archive with a fixed time stamp on every member (odfpy stamps them with
    the moment of writing): the mimetype first and stored, as ODF requires."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(archive)) as src,
        zipfile.ZipFile(out, "w") as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, FIXED_TIME)
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
