"""The yearly memo as one self-contained HTML page (`casebook stats YEAR --format html`).

The blocks of casebook.stats_memo, so the same figures and text as the Markdown memo.
Self-contained: the style sheet is inline, and there is no script, image, font or link
to load; a Content-Security-Policy forbids loading anything, should a later edit try.
Printable: `@page` asks for A4 with 2 cm margins, and each table is one column of
labels and one narrow column of counts that wraps long text, so it fits the page's
17 cm. Every text goes through `printable()` (control characters shown as symbols)
and is escaped for HTML; nothing typed is ever markup.
"""

from __future__ import annotations

import html

from casebook import stats_memo as memo
from casebook.text import printable

# An A4 page less 2 cm each side is 17 cm wide; on screen the page is as wide.
STYLE = """\
@page { size: A4; margin: 2cm; }
html { background: #fff; color: #000; }
body {
  font-family: "Liberation Sans", Arial, Helvetica, sans-serif;
  font-size: 11pt; line-height: 1.35;
  max-width: 17cm; margin: 1.5em auto; padding: 0 1em;
}
h1 { font-size: 18pt; margin: 0 0 .6em; }
h2 { font-size: 14pt; margin: 1.4em 0 .4em; border-bottom: 1px solid #444; }
h3 { font-size: 11.5pt; margin: 1em 0 .3em; }
h1, h2, h3, .strong, .term { break-after: avoid; page-break-after: avoid; }
p { margin: .3em 0 .6em; }
.strong { font-weight: bold; }
.legend, .term { font-style: italic; }
table {
  border-collapse: collapse; width: 100%; table-layout: fixed;
  margin: .2em 0 .9em;
}
col.num { width: 8em; }
th, td {
  text-align: left; vertical-align: top; padding: .15em .4em;
  border-bottom: 1px solid #bbb; overflow-wrap: anywhere;
}
thead th { border-bottom: 1.5px solid #000; }
th.num, td.num { text-align: right; }
tfoot th, tfoot td { font-weight: bold; border-top: 1.5px solid #000; border-bottom: 0; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
blockquote {
  margin: .2em 0 .9em 1.2em; padding: .1em 0 .1em .8em; border-left: 3px solid #999;
  white-space: pre-wrap; overflow-wrap: anywhere;
}
ul { padding-left: 1.4em; }
li { margin: .2em 0; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
}
"""

# Nothing may be loaded: no script, no image, no font, no style sheet from elsewhere.
POLICY = "default-src 'none'; style-src 'unsafe-inline'"

# Not characters at all in HTML and XML: shown as the replacement character.
_NONCHARACTERS = str.maketrans({0xFFFE: "\ufffd", 0xFFFF: "\ufffd"})


def escape(value: str, *, multiline: bool = False) -> str:
    """Text for an HTML text node or a quoted attribute value: control characters
    shown as symbols, `& < > " '` as entities."""
    text = printable(value, multiline=multiline).translate(_NONCHARACTERS)
    return html.escape(text, quote=True)


def _spans(spans) -> str:
    return "".join(escape(span.text) for span in spans)


def _block(block) -> str:
    if isinstance(block, memo.Heading):
        return f"<h{block.level}>{_spans(block.spans)}</h{block.level}>"
    if isinstance(block, memo.Paragraph):
        style = "" if block.style == "plain" else f' class="{block.style}"'
        return f"<p{style}>{_spans(block.spans)}</p>"
    if isinstance(block, memo.CountTable):
        return _table(block)
    if isinstance(block, memo.Bullets):
        items = "".join(f"\n<li>{escape(item)}</li>" for item in block.items)
        return f"<ul>{items}\n</ul>"
    if isinstance(block, memo.Quote):
        (span,) = block.spans
        text = escape(span.text, multiline=span.user)
        return f"<blockquote>{text}</blockquote>"
    raise TypeError(type(block).__name__)


def _table(block: memo.CountTable) -> str:
    first, second = (escape(h) for h in block.head)
    lines = [
        "<table>",
        '<colgroup><col><col class="num"></colgroup>',
        f'<thead><tr><th scope="col">{first}</th><th scope="col" class="num">{second}</th>'
        "</tr></thead>",
        "<tbody>",
    ]
    for name, shown in block.rows:
        lines.append(f'<tr><td>{escape(name)}</td><td class="num">{escape(shown)}</td></tr>')
    lines.append("</tbody>")
    if block.total is not None:
        name, shown = block.total
        lines.append(
            f'<tfoot><tr><th scope="row">{escape(name)}</th>'
            f'<td class="num">{escape(shown)}</td></tr></tfoot>'
        )
    lines.append("</table>")
    return "\n".join(lines)


def to_html(view: dict) -> str:
    lang = escape(view["language"])
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(memo.plain_title(view))}</title>",
        f"<style>\n{STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
    ]
    parts += [_block(block) for block in memo.blocks(view)]
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)
