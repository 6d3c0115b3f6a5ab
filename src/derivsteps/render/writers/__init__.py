"""One writer per format, each rendering any Document (render/document.py): text, rich (terminal), LaTeX, Markdown, HTML.

Writers never re-derive, simplify or parse: they print the words and math the blocks hold, in their own notation.
`write(document, format)` picks one; the rich writer returns a renderable (the only writer that imports rich).
"""

from __future__ import annotations

from ..document import Document


def write(document: Document, format: str, **options):
    """The document in `format` ("text", "latex", "markdown", "html": a string; "rich": a rich renderable)."""
    if format == "text":
        from .text import write_text

        return write_text(document, **options)
    if format == "latex":
        from .latex import write_latex

        return write_latex(document, **options)
    if format == "markdown":
        from .markdown import write_markdown

        return write_markdown(document, **options)
    if format == "html":
        from .htmldoc import write_html

        return write_html(document, **options)
    if format == "rich":
        from .terminal import DocumentView

        return DocumentView(document, **options)
    raise ValueError(f"no writer for {format!r}")


class RichView:
    """A rich renderable of a document that imports rich only when it is printed: the rich writer's DocumentView."""

    def __init__(self, document: Document, ascii: bool = False):
        self.document = document
        self.ascii = ascii

    def __rich_console__(self, console, options):
        from .terminal import DocumentView

        yield DocumentView(self.document, self.ascii)
