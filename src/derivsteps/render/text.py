"""A derivation as plain text: aligned lines, each the whole expression, with the rule in a second column."""

from __future__ import annotations

from ..core.derivation import Derivation
from ..core.domain import Condition
from ..language.mathtext import to_text
from ._abbrev import Abbreviations
from ._labels import data_variables, held_constant, line_label, notes

# The rule column starts after the longest line, but never further right than this.
MAX_LABEL_COLUMN = 72


def verdict_text(derivation: Derivation, ascii: bool = False) -> str | None:
    """The last line: ✓ verified, ? could not verify, ✗ disagrees, or None when not checked."""
    check = derivation.verification
    if check is None:
        return None
    if check.verified is True:
        if check.method == "evaluator":
            return f"{'OK' if ascii else '✓'} verified: equals a numerical derivative at random points ({check.reason})"
        how = check.how
        return f"{'OK' if ascii else '✓'} verified: equals SymPy's derivative ({how})"
    if check.verified is False:
        expected = f": SymPy gives {to_text(check.expected, ascii)}" if check.expected is not None else ""
        return f"{'WRONG' if ascii else '✗'} disagrees with SymPy{expected} ({check.reason}) - this is a bug in derivsteps, please report it"
    return f"? could not verify ({check.reason})"


def read_as_line(derivation: Derivation, ascii: bool = False) -> str:
    line = f"read as: {to_text(derivation.expr, ascii)}"
    notes = []
    data = data_variables(derivation)
    if data:
        notes.append(f"{', '.join(to_text(v, ascii) for v in data)} {'are' if len(data) > 1 else 'is'} data")
    constants = held_constant(derivation)
    if constants and derivation.wrt:
        names = ", ".join(to_text(v, ascii) for v in constants)
        notes.append(f"treat {names} as constant{'s' if len(constants) > 1 else ''}")
    return line + (f"      ({'; '.join(notes)})" if notes else "")


def render_text(derivation: Derivation, steps: bool = True, ascii: bool = False, detail: str | None = None) -> str:
    """The whole derivation as text (steps=False: the read-as line and the result only).

    A long derivation names the large subterms its lines share (see _abbrev): "where A = …" after the lines.
    """
    out = [read_as_line(derivation, ascii)]
    out += [f"note: {warning}" for warning in derivation.warnings]
    lines = derivation.lines(detail) if steps else ()
    names = Abbreviations(
        [derivation.start, *(line.after for line in lines)] if steps else [derivation.start, derivation.result]
    )
    show = lambda e: to_text(names.show(e), ascii)  # noqa: E731
    if steps:
        rows = [("  " + show(derivation.start), "")]
        for line in lines:
            rows.append(("= " + show(line.after), line_label(line, show, detail or derivation.detail)))
        width = min(max(len(text) for text, _ in rows), MAX_LABEL_COLUMN)
        for text, label in rows:
            out.append(f"{text.ljust(width)}    {label}".rstrip() if label else text)
    else:
        out.append(f"{show(derivation.start)} = {show(derivation.result)}")
    out += where_lines(names, ascii)
    domain = domain_line(derivation, ascii)
    if domain:
        out.append(domain)
    out += [f"note: {note}" for note in notes(derivation, show)]
    verdict = verdict_text(derivation, ascii)
    if verdict:
        out.append(verdict)
    return "\n".join(out) + "\n"


def condition_text(condition: Condition, ascii: bool = False) -> str:
    """One condition as text: x > 0, -1 ≤ x ≤ 1, cos(x) ≠ 0 (x != 0 with ascii)."""
    return condition.text(ascii)


def domain_line(derivation: Derivation, ascii: bool = False) -> str | None:
    """ "domain: x > 0, x ≠ 1": where the input and its derivative are defined over the reals; None when everywhere."""
    domain = derivation.domain
    return f"domain: {', '.join(condition_text(c, ascii) for c in domain)}" if domain else None


def where_lines(names: Abbreviations, ascii: bool = False) -> list[str]:
    """where A = …, then the other names aligned under it; nothing when nothing was named."""
    return [
        f"{'where' if index == 0 else '     '} {to_text(name, ascii)} = {to_text(value, ascii)}"
        for index, (name, value) in enumerate(names.definitions())
    ]
