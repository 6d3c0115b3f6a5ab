"""The layout of a Derivation: the question, the lines with their rules, the domain, the notes and the verdict.

Text (and rich) opens with "read as:" and writes each rule beside its line; LaTeX is one alignment with the rules in
a \\text{} column and the input as a TeX comment; Markdown is a write-up: the question in words, the working in $$,
the rules used in a numbered list. Those differences of content are `Only` blocks (see document.py).
"""

from __future__ import annotations

from functools import cache

from ..core.derivation import Derivation, Step, Verification
from ..core.rules import describe
from ..language.mathtext import to_text
from ._abbrev import Abbreviations, abbreviations
from ._labels import data_variables, explanation_spans, held_constant, label_spans, note_spans
from .document import (
    CHECK,
    CROSS,
    EQUALS,
    QUESTION,
    Block,
    Code,
    Comment,
    Conditions,
    Display,
    Document,
    Math,
    Note,
    Paragraph,
    Row,
    Rows,
    Spans,
    Steps,
    Symbol,
    Vector,
    Verdict,
    Words,
    later,
    only,
)
from .layouts import register

# The rule column starts after the longest line, but never further right than this.
MAX_LABEL_COLUMN = 72

# Opens the definitions of the names a long derivation gives its repeated subterms (see _abbrev).
_WHERE = Symbol("where", latex=r"\text{where }")
_WHERE_AGAIN = Symbol("     ", latex=r"\phantom{\text{where }}")


def derivation_layout(derivation: Derivation, steps: bool = True, detail: str | None = None) -> Document:
    """The document of a derivation (steps=False: the read-as line and the result only).

    A long derivation names the large subterms its lines share (see _abbrev): "where A = …" after the lines.
    """
    blocks: list[Block] = []
    # Each format's blocks are made when its writer asks (later): text, LaTeX and Markdown lay the lines out their
    # own way, and building all three for one of them was 2/3 of rendering a derivation as text.
    names = cache(lambda: abbreviations(derivation, steps, detail))  # text and LaTeX show the lines in the same order
    markdown_names = cache(lambda: abbreviations(derivation, steps, detail))  # Markdown names the notes' terms first
    domain = cache(lambda: derivation.domain)
    blocks.append(only("text", _read_as(derivation)))
    blocks.append(Comment((Words("read as: "), Math(derivation.expr))))
    blocks.append(only("markdown", Paragraph(_question(derivation))))
    blocks += [Note((Words(warning),)) for warning in derivation.warnings]
    blocks.append(later("latex", lambda: [Note(note) for note in note_spans(derivation)]))
    blocks.append(later("markdown", lambda: [Note(note) for note in note_spans(derivation, markdown_names().show)]))
    blocks.append(later("text", lambda: _lines(derivation, steps, detail, names())))
    blocks.append(
        later("latex", lambda: [Display((derivation_rows(derivation, steps, detail, names(), domain=True),))])
    )
    blocks.append(later("markdown", lambda: [Display((derivation_rows(derivation, steps, detail, markdown_names()),))]))
    blocks.append(later("text", lambda: _where_lines(names())))
    blocks.append(later("text", lambda: _domain_line(domain(), "text")))
    blocks.append(later("markdown", lambda: _domain_line(domain(), "markdown")))
    blocks.append(later("text", lambda: [Note(note) for note in note_spans(derivation, names().show)]))
    if steps:
        blocks.append(later("markdown", lambda: _rules_used(derivation, detail, markdown_names())))
    verdict = derivation_verdict(derivation.verification)
    if verdict is not None:
        blocks.append(verdict)
    return Document(tuple(blocks))


def _domain_line(domain, format: str) -> list[Block]:
    """domain: x > 0, the line after the derivation (text and Markdown; LaTeX writes it beside the last line)."""
    if not domain:
        return []
    if format == "text":
        return [Paragraph((Words("domain:", "aside"), Words(" "), Conditions(domain)))]
    return [Paragraph((Words("domain: "), Conditions(domain)))]


def derivation_verdict(check: Verification | None) -> Verdict | None:
    """✓ verified, ? could not verify, ✗ disagrees (a bug in derivsteps); None when not checked."""
    if check is None:
        return None
    if check.verified is True:
        if check.method == "evaluator":
            words = f"verified: equals a numerical derivative at random points ({check.reason})"
        else:
            words = f"verified: equals SymPy's derivative ({check.how})"
        return Verdict("verified", (Words(words),), CHECK)
    if check.verified is False:
        said: list = [Words("disagrees with SymPy")]
        if check.expected is not None:
            said += [Words(": SymPy gives "), Math(check.expected)]
        said.append(Words(f" ({check.reason}) - this is a bug in derivsteps, please report it"))
        return Verdict("disagrees", tuple(said), CROSS)
    return Verdict("undecided", (Words(f"could not verify ({check.reason})"),), QUESTION)


def _read_as(derivation: Derivation) -> Paragraph:
    """read as: (x + y + z)^2      (treat x, z as constants); a_i is data."""
    line: list = [Words("read as:", "aside"), Words(" "), Math(derivation.expr)]
    asides: list[list] = []
    data = data_variables(derivation)
    if data:
        asides.append([*_listed(data, "aside"), Words(f" {'are' if len(data) > 1 else 'is'} data", "aside")])
    constants = held_constant(derivation)
    if constants and derivation.wrt:
        plural = "s" if len(constants) > 1 else ""
        asides.append([Words("treat ", "aside"), *_listed(constants, "aside"), Words(f" as constant{plural}", "aside")])
    if asides:
        line.append(Words("      (", "aside"))
        for index, aside in enumerate(asides):
            line += ([Words("; ", "aside")] if index else []) + aside
        line.append(Words(")", "aside"))
    return Paragraph(tuple(line))


def _listed(values, style: str | None = None) -> list:
    """x, z as pieces: each value Math, with ", " words between."""
    out: list = []
    for index, value in enumerate(values):
        out += ([Words(", ", style)] if index else []) + [Math(value, style=style)]
    return out


def _question(derivation: Derivation) -> Spans:
    """Differentiate $x^2$ with respect to $x$ (typed as `x^2`), treating $y$ as constant."""
    if derivation.wrt:
        line: list = [Words("Differentiate "), Math(derivation.expr), Words(" with respect to ")]
        for index, var in enumerate(derivation.wrt):
            line += ([Words(", then ")] if index else []) + [Math(var)]
    else:
        line = [Words("Work out "), Math(derivation.expr)]
    typed = derivation.input
    if typed is not None and typed.strip() != to_text(derivation.expr):
        line += [Words(" (typed as "), Code(typed.strip()), Words(")")]
    constants = held_constant(derivation)
    if constants and derivation.wrt:
        line += [Words(", treating "), *_listed(constants), Words(f" as constant{'s' if len(constants) > 1 else ''}")]
    return (*line, Words("."))


def _lines(derivation: Derivation, steps: bool, detail: str | None, names: Abbreviations) -> list[Block]:
    """The lines in the line formats: the start, then `= expr    rule` per line; or start = result."""
    if not steps:
        return [
            Paragraph(
                (Math(names.show(derivation.start)), Words(" = "), Math(names.show(derivation.result), style="result"))
            )
        ]
    rows = [Row((Math(names.show(derivation.start)),))]
    for line in derivation.lines(detail):
        shown = names.show(line.after)
        marks = names.marks(line.after, line_marks(line))
        label = label_spans(line, names.show, detail or derivation.detail)
        rows.append(Row((Math(shown, marks),), EQUALS, (), label))
    return [Rows(tuple(rows), MAX_LABEL_COLUMN)]


def line_marks(line) -> tuple:
    """Where in line.after the line put something new; a mark on the whole expression is dropped, since
    underlining everything points at nothing."""
    return tuple(path for path in line.new_paths if path)


def derivation_rows(
    derivation: Derivation,
    steps: bool = True,
    detail: str | None = None,
    names: Abbreviations | None = None,
    domain: bool = False,
) -> Rows:
    """The rows of the LaTeX alignment: `& start && treat ...`, `&= expr && rule` per line, `\\text{where } A = ...`.

    steps=False gives the start and the result only; domain=True writes where the result holds after the last line.
    A result that shows a derivation inside its own alignment (a gradient's component) uses these rows.
    """
    if names is None:
        names = abbreviations(derivation, steps, detail)
    treat = _treat_as_constants(derivation)
    rows = [Row((Math(names.show(derivation.start)),), None, (), treat)]
    conditions = derivation.domain if domain else ()
    where = (Conditions(conditions, aside=True),) if conditions else ()
    if not steps:
        rows.append(Row((Math(names.show(derivation.result)), *where), EQUALS))
    else:
        lines = derivation.lines(detail)
        for index, line in enumerate(lines):
            marks = names.marks(line.after, line_marks(line))
            body = (Math(names.show(line.after), marks), *(where if index == len(lines) - 1 else ()))
            label = label_spans(line, names.show, detail or derivation.detail)
            rows.append(Row(body, EQUALS, (), label, laws=_laws(line)))
    for index, (name, value) in enumerate(names.definitions()):
        lead = _WHERE if index == 0 else _WHERE_AGAIN
        rows.append(Row((lead, Math(name), Words(" = "), Math(value))))
    return Rows(tuple(rows))


def _laws(line: Step) -> tuple[str, ...]:
    """The laws of the rules a line used, once each, in order (a rule whose law is its own label has none to add)."""
    found = (describe(name) for name in line.rules)
    return tuple(dict.fromkeys(rule.law for rule in found if rule is not None and rule.law and rule.law != rule.label))


def _treat_as_constants(derivation: Derivation) -> Spans:
    """treat x, z as constants, the label of the first row; () when none."""
    constants = held_constant(derivation)
    if not constants or not derivation.wrt:
        return ()
    plural = "s" if len(constants) > 1 else ""
    return (Words("treat "), Vector(tuple(constants), brackets=False), Words(f" as constant{plural}"))


def _where_lines(names: Abbreviations) -> list[Block]:
    """where A = …, then the other names aligned under it; nothing when nothing was named."""
    return [
        Paragraph((Words("where " if index == 0 else "      "), Math(name), Words(" = "), Math(value)))
        for index, (name, value) in enumerate(names.definitions())
    ]


def _rules_used(derivation: Derivation, detail: str | None, names: Abbreviations) -> list[Block]:
    lines = derivation.lines(detail)
    if not lines:
        return []
    detail = detail or derivation.detail
    items = tuple((label_spans(line, names.show, detail), explanation_spans(line, names.show)) for line in lines)
    return [Steps(items, (Words("Rules used:"),))]


def _json(derivation: Derivation, with_sympy: bool = True, steps: str = "whole") -> dict:
    """The derivation's JSON document (render/jsondoc.py, which builds on the writers that import this module);
    steps="changes" writes schema 2, each step's changes instead of its whole expression."""
    from .jsondoc import to_json

    return to_json(derivation, with_sympy, steps)


register(Derivation, layout=derivation_layout, json=_json)
