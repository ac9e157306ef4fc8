"""Reading the yearly memo's documents back (HTML with the stdlib parser, ODT with
ElementTree), to compare them with the blocks they were made from
(casebook.stats_memo). Shared by tests/test_stats_documents*.py."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser

from casebook import stats_memo as memo
from casebook.text import printable

VOID = {"meta", "col", "br", "hr", "img", "link", "input", "source", "wbr", "area", "base"}
TEXT_TAGS = {"h1", "h2", "h3", "p", "li", "blockquote", "title"}

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
}


def q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def shown(text: str, *, multiline: bool = False) -> str:
    """A text as the documents show it (control characters as symbols)."""
    return printable(text, multiline=multiline).translate({0xFFFE: 0xFFFD, 0xFFFF: 0xFFFD})


def expected(view: dict) -> tuple[list[str], list[list[list[str]]]]:
    """From the blocks: the running text (headings, paragraphs, list items, quotes) in
    order, and every table as rows of cells (the header row and the total included)."""
    texts: list[str] = []
    tables: list[list[list[str]]] = []
    for block in memo.blocks(view):
        if isinstance(block, memo.Heading | memo.Paragraph):
            texts.append("".join(shown(s.text) for s in block.spans))
        elif isinstance(block, memo.Bullets):
            texts += [shown(item) for item in block.items]
        elif isinstance(block, memo.Quote):
            (span,) = block.spans
            texts.append(shown(span.text, multiline=span.user))
        elif isinstance(block, memo.CountTable):
            rows = [list(block.head), *[list(r) for r in block.rows]]
            if block.total is not None:
                rows.append(list(block.total))
            tables.append([[shown(c) for c in row] for row in rows])
    return texts, tables


class HtmlTree(HTMLParser):
    """Well-formedness (every element closed in order), the tags and attributes seen,
    the running text and the tables."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.decls: list[str] = []
        self.lang: str | None = None
        self.title = ""
        self.texts: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._text: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(source)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed {self.stack}")

    def handle_decl(self, decl: str) -> None:
        self.decls.append(decl)

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        self.attrs += attrs
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in TEXT_TAGS:
            self._text = []
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs) -> None:
        self.errors.append(f"self-closing <{tag}/>")
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag) -> None:
        if tag in VOID:
            self.errors.append(f"end tag of void <{tag}>")
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None
        elif tag in TEXT_TAGS and self._text is not None:
            text = "".join(self._text)
            if tag == "title":
                self.title = text
            else:
                self.texts.append(text)
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._text is not None:
            self._text.append(data)


def odf_text(element) -> str:
    """An ODF paragraph's text: `text:s` as spaces, `text:tab` and `text:line-break`
    as the characters they stand for."""
    out = [element.text or ""]
    for child in element:
        if child.tag == q("text:s"):
            out.append(" " * int(child.get(q("text:c"), "1")))
        elif child.tag == q("text:tab"):
            out.append("\t")
        elif child.tag == q("text:line-break"):
            out.append("\n")
        else:
            out.append(odf_text(child))
        out.append(child.tail or "")
    return "".join(out)


class OdtDocument:
    def __init__(self, data: bytes) -> None:
        self.archive = zipfile.ZipFile(io.BytesIO(data))
        self.infos = self.archive.infolist()
        self.content = ET.fromstring(self.archive.read("content.xml"))
        self.styles = ET.fromstring(self.archive.read("styles.xml"))
        self.meta = ET.fromstring(self.archive.read("meta.xml"))
        self.manifest = self.archive.read("META-INF/manifest.xml").decode()
        body = self.content.find("office:body/office:text", NS)
        self.texts: list[str] = []
        self.tables: list[list[list[str]]] = []
        for element in body:
            if element.tag in (q("text:h"), q("text:p")):
                self.texts.append(odf_text(element))
            elif element.tag == q("text:list"):
                for item in element.iter(q("text:list-item")):
                    self.texts += [odf_text(p) for p in item.findall("text:p", NS)]
            elif element.tag == q("table:table"):
                rows = []
                for row in element.iter(q("table:table-row")):
                    cells = row.findall("table:table-cell", NS)
                    rows.append(
                        ["\n".join(odf_text(p) for p in c.findall("text:p", NS)) for c in cells]
                    )
                self.tables.append(rows)
