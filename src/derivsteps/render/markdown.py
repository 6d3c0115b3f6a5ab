"""A derivation as Markdown for notebooks and homework write-ups: the question, the working in $$, the rules in words."""

from __future__ import annotations

import re

from ..core.derivation import Derivation
from ..language.mathlatex import to_latex
from ..language.mathtext import to_text
from ._abbrev import abbreviations
from ._labels import explanation, held_constant, line_label, notes
from .latex import condition_latex, latex_rows
from .text import verdict_text

# Characters that Markdown (or a notebook's math typesetting, for $) would read as syntax in running text.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<$|])")  # | too: the text may stand in a table cell


def render_markdown(derivation: Derivation, steps: bool = True, detail: str | None = None) -> str:
    """The question, the derivation as LaTeX inside $$ (steps=False: start = result), the rules used, the verdict."""
    out = [_question(derivation), ""]
    names = abbreviations(derivation, steps, detail)  # a long derivation's repeated subterms, named (see _abbrev)
    show = lambda expr: to_text(names.show(expr))  # noqa: E731
    for warning in [*derivation.warnings, *notes(derivation, show)]:
        out += [f"*Note:* {escape_markdown(warning)}", ""]
    # aligned, not align*: it is the form that works inside $$ in LaTeX, KaTeX and MathJax alike.
    rows = latex_rows(derivation, steps, detail, names)
    out += ["$$", r"\begin{aligned}", " \\\\\n".join(rows), r"\end{aligned}", "$$", ""]
    domain = derivation.domain
    if domain:
        out += ["domain: " + ", ".join(f"${condition_latex(c)}$" for c in domain), ""]
    if steps:
        lines = derivation.lines(detail)
        if lines:
            out += ["Rules used:", ""]
            for number, line in enumerate(lines, 1):
                label = line_label(line, show, detail or derivation.detail)
                # Explanation templates write their math in the text notation (ln({a}), |{x}|), so bindings stay text.
                said = explanation(line, show)
                out.append(f"{number}. **{escape_markdown(label)}**" + (f": {escape_markdown(said)}" if said else ""))
            out.append("")
    verdict = verdict_text(derivation)
    if verdict:
        out += [escape_markdown(verdict), ""]
    return "\n".join(out)


def _question(derivation: Derivation) -> str:
    """The opening line: what is differentiated by what, as read, and what is held constant."""
    read = f"${to_latex(derivation.expr)}$"
    if derivation.wrt:
        by = ", then ".join(f"${to_latex(var)}$" for var in derivation.wrt)
        line = f"Differentiate {read} with respect to {by}"
    else:
        line = f"Work out {read}"
    typed = derivation.input
    if typed is not None and typed.strip() != to_text(derivation.expr):
        line += f" (typed as {_code(typed.strip())})"
    constants = held_constant(derivation)
    if constants and derivation.wrt:
        names = ", ".join(f"${to_latex(var)}$" for var in constants)
        line += f", treating {names} as constant{'s' if len(constants) > 1 else ''}"
    return line + "."


def _code(text: str) -> str:
    """text as inline code: the fence is one backtick longer than any run of backticks inside."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{' '.join(text.split())}{pad}{fence}"


def escape_markdown(text: str) -> str:
    return _MARKDOWN_SPECIALS.sub(r"\\\1", " ".join(text.split()))
