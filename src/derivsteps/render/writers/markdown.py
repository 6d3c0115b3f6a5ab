"""The Markdown writer: a Document as a write-up for notebooks: sentences with $math$, display math in $$, tables."""

from __future__ import annotations

import re

from ..document import (
    Blank,
    Block,
    Break,
    Code,
    Comment,
    Conditions,
    Display,
    Document,
    Emphasis,
    Formula,
    Heading,
    Inline,
    Lines,
    Math,
    Matrix,
    Nested,
    Note,
    Only,
    Paragraph,
    Phrase,
    Rows,
    Spans,
    Steps,
    Strong,
    Symbol,
    Table,
    Vector,
    Verdict,
    Words,
    shows,
)
from .latex import LatexWriter, condition_latex
from .text import TextWriter

# Characters that Markdown (or a notebook's math typesetting, for $) would read as syntax in running text.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<$|])")  # | too: the text may stand in a table cell


def write_markdown(document: Document) -> str:
    """The document as Markdown: each block a paragraph, display math as $$\\begin{aligned}...$$."""
    return "\n".join(MarkdownWriter(document).lines())


def escape_markdown(text: str) -> str:
    """Words as Markdown running text: syntax characters escaped, whitespace runs as one space."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", " ".join(text.split()))


def markdown_words(text: str) -> str:
    """Words between math, escaped, keeping the spaces at their edges that separate them from the math."""
    if not text.strip():
        return " " if text else ""
    return (" " if text[:1].isspace() else "") + escape_markdown(text) + (" " if text[-1:].isspace() else "")


def code(text: str) -> str:
    """text as inline code: the fence is one backtick longer than any run of backticks inside."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{' '.join(text.split())}{pad}{fence}"


class MarkdownWriter:
    """Writes one document's blocks as Markdown lines; display math goes through the LaTeX writer's rows."""

    FORMAT = "markdown"

    def __init__(self, document: Document, format: str = "markdown"):
        self.document = document
        self.format = format
        self.latex = LatexWriter(document, format)
        self.text = TextWriter(document)

    def inline(self, piece: Inline) -> str:
        match piece:
            case Words(text):
                return markdown_words(text)
            case Code(text):
                return code(text)
            case Strong(text):
                return f"**{escape_markdown(text)}**"
            case Emphasis(text):
                return f"*{escape_markdown(text)}*"
            case Break():
                return "<br>"
            case Phrase():
                return piece.filled(self.latex.math, markdown_words, "${}$".format)
            case Math() | Vector() | Matrix() | Formula():
                return f"${self.latex.spans((piece,))}$"
            case Symbol(text):
                return text
            case Conditions(conditions):
                return ", ".join(f"${condition_latex(condition)}$" for condition in conditions)
        raise TypeError(f"not an inline piece: {piece!r}")

    def spans(self, spans: Spans) -> str:
        return "".join(self.inline(piece) for piece in spans)

    def plain(self, spans: Spans) -> str:
        """Spans in the text notation, escaped: notes and verdicts are sentences, not typeset math."""
        return escape_markdown(self.text.spans(spans))

    def lines(self, blocks=None) -> list[str]:
        out: list[str] = []
        for block in self.document.blocks if blocks is None else blocks:
            out += self.block(block)
        return out

    def block(self, block: Block) -> list[str]:
        match block:
            case Paragraph(spans):
                return [self.spans(spans), ""]
            case Heading(spans):
                return [f"**{self.spans(spans)}**", ""]
            case Blank() | Comment():
                return []
            case Lines(lines):
                return [*(self.spans(line) for line in lines), ""]
            case Note(spans):
                return [f"*Note:* {self.plain(spans)}", ""]
            case Verdict(_, spans, mark):
                return [escape_markdown((f"{mark.text} " if mark else "") + self.text.spans(spans)), ""]
            case Rows():
                return self.display(Display((block,)))
            case Display():
                return self.display(block)
            case Table():
                return self.table(block)
            case Steps(items, title):
                head = [self.spans(title), ""] if title else []
                return [
                    *head,
                    *(
                        f"{n}. **{self.plain(label)}**" + (f": {self.plain(said)}" if said else "")
                        for n, (label, said) in enumerate(items, 1)
                    ),
                    "",
                ]
            case Nested(document):
                return ["\n".join(MarkdownWriter(document, self.format).lines()).rstrip("\n"), ""]
            case Only():
                return self.lines(block.blocks) if shows(self.format, block) else []
        raise TypeError(f"not a block: {block!r}")

    def display(self, display: Display) -> list[str]:
        rows = self.latex.rows(display.blocks)
        if not display.aligned:
            return [f"$${' '.join(row.replace('&', '', 1).strip() for row in rows)}$$", ""]
        # aligned, not align*: it is the form that works inside $$ in LaTeX, KaTeX and MathJax alike.
        return ["$$", r"\begin{aligned}", " \\\\\n".join(rows), r"\end{aligned}", "$$", ""]

    def cell(self, spans: Spans) -> str:
        return "".join(code(p.text).replace("|", "\\|") if isinstance(p, Code) else self.inline(p) for p in spans)

    def table(self, table: Table) -> list[str]:
        rules = {"r": "---:|", "l": ":---|", "c": ":---:|", "-": "---|"}
        gap = "| ⋮ |" + " |" * (len(table.header) - 1)
        # An empty header cell is one space (| |); a | in code would end its cell, so it is written \|.
        out = ["| " + " | ".join(self.spans(cell) for cell in table.header).replace("|  |", "| |") + " |"]
        out.append("|" + "".join(rules[a] for a in table.alignment()))
        out += [gap if row is None else "| " + " | ".join(map(self.cell, row)) + " |" for row in table.rows]
        if table.more:
            out.append(gap)
        return [*out, ""]
