"""The public renderers: to_text, to_latex, to_markdown, to_html and to_json of any result, through the one registry
of layouts (render/layouts.py): a result's layout written by the format's writer, or the JSON document of its kind."""

from __future__ import annotations

import inspect
from typing import Any

from ..core.vocabulary import Detail
from .layouts import shown
from .writers import write


def to_text(result: Any, *, steps: bool | None = None, detail: Detail | str | None = None, ascii: bool = False) -> str:
    """Render a result as plain text, lecture notes with ✓ and ✗ (ascii: ASCII only).

    steps: show the working (None: the result's own default); detail: "brief", "normal" or "full" (None: the
    result's own). An option a kind of result does not take raises TypeError.
    """
    shown_text: str = write(_layout("text", result, steps=steps, detail=detail), "text", ascii=ascii)
    return shown_text


def to_latex(result: Any, *, steps: bool | None = None, detail: Detail | str | None = None) -> str:
    """Render a result as LaTeX (an align* environment); steps and detail as in to_text."""
    shown_latex: str = write(_layout("latex", result, steps=steps, detail=detail), "latex")
    return shown_latex


def to_markdown(result: Any, *, steps: bool | None = None, detail: Detail | str | None = None) -> str:
    """Render a result as Markdown, its math in $$; steps and detail as in to_text."""
    shown_markdown: str = write(_layout("markdown", result, steps=steps, detail=detail), "markdown")
    return shown_markdown


def to_html(result: Any, *, math: str = "mathml", steps: bool | None = None, detail: Detail | str | None = None) -> str:
    """Render a result as an HTML fragment (a <div class="derivsteps">), what Markdown says as semantic HTML; math:
    "mathml" (typeset by the browser, no script) or "latex" (for MathJax or KaTeX); steps and detail as in to_text."""
    shown_html: str = write(_layout("html", result, steps=steps, detail=detail), "html", math=math)
    return shown_html


def to_json(result: Any, *, with_sympy: bool = True, steps: str | None = None) -> dict[str, Any]:
    """Render a result as the JSON document `deriv … --format json` prints, as a dict (json.dumps writes it).

    with_sympy=False writes "sympy": null for every expression, so SymPy is never imported. steps (a derivation's
    document only): "whole" (schema 1, the default) or "changes" (schema 2: each step's changes, not its whole
    expression; `--json-steps changes`); a kind of result that does not take it raises TypeError.
    """
    serializer = _entry("json", result).json
    if serializer is None:
        raise TypeError(f"a {type(result).__name__} has no json form")
    options: dict[str, Any] = {"with_sympy": with_sympy}
    if steps is not None:
        if "steps" not in inspect.signature(serializer).parameters:
            raise TypeError(f"to_json of a {type(result).__name__} takes no steps")
        options["steps"] = steps
    document: dict[str, Any] = serializer(result, **options)
    return document


def _entry(fmt: str, result: object) -> Any:
    try:
        return shown(result)
    except TypeError:
        raise TypeError(f"to_{fmt} renders a result of derivsteps, not a {type(result).__name__}") from None


def _layout(fmt: str, result: object, **options: Any) -> Any:
    """The result's layout, called with the options given (None: not given); one it does not take is a TypeError."""
    layout = _entry(fmt, result).layout
    given = {name: value for name, value in options.items() if value is not None}
    refused = sorted(set(given) - set(inspect.signature(layout).parameters))
    if refused:
        raise TypeError(f"to_{fmt} of a {type(result).__name__} takes no {', '.join(refused)}")
    return layout(result, **given)
