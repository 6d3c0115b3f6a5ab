"""The public renderers: to_text, to_latex, to_markdown and to_json of any result, each passed on to the renderer of
that result's own kind (render_text, render_latex, render_markdown, to_json of its render module)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from ..calculus.at_point import Evaluation
from ..calculus.critical import Critical
from ..calculus.descent import Descent
from ..calculus.implicit import Implicit
from ..calculus.multivar import Gradient, Hessian
from ..checking.written import WrittenReport
from ..core.derivation import Derivation
from ..core.vocabulary import Detail
from . import critical, descent, implicit, jsondoc, latex, markdown, multivar, text, written

Result = Derivation | Gradient | Hessian | Evaluation | Critical | Descent | Implicit | WrittenReport

# Each kind of result's renderer per format; a format a kind has no renderer for is missing (a checked written
# derivation has no LaTeX).
RENDERERS: dict[type, dict[str, Callable[..., Any]]] = {
    Derivation: {
        "text": text.render_text,
        "latex": latex.render_latex,
        "markdown": markdown.render_markdown,
        "json": jsondoc.to_json,
    },
    **{
        kind: {
            "text": module.render_text,
            "latex": module.render_latex,
            "markdown": module.render_markdown,
            "json": module.to_json,
        }
        for kinds, module in (
            ((Gradient, Hessian, Evaluation), multivar),
            ((Critical,), critical),
            ((Descent,), descent),
            ((Implicit,), implicit),
        )
        for kind in kinds
    },
    WrittenReport: {"text": written.render_text, "markdown": written.render_markdown, "json": written.to_json},
}


def to_text(
    result: Result, *, steps: bool | None = None, detail: Detail | str | None = None, ascii: bool = False
) -> str:
    """Render a result as plain text, lecture notes with ✓ and ✗ (ascii: ASCII only).

    steps: show the working (None: the result's own default); detail: "brief", "normal" or "full" (None: the
    result's own). An option a kind of result does not take raises TypeError.
    """
    shown: str = _render("text", result, steps=steps, detail=detail, ascii=ascii or None)
    return shown


def to_latex(result: Result, *, steps: bool | None = None, detail: Detail | str | None = None) -> str:
    """Render a result as LaTeX (an align* environment); steps and detail as in to_text."""
    shown: str = _render("latex", result, steps=steps, detail=detail)
    return shown


def to_markdown(result: Result, *, steps: bool | None = None, detail: Detail | str | None = None) -> str:
    """Render a result as Markdown, its math in $$; steps and detail as in to_text."""
    shown: str = _render("markdown", result, steps=steps, detail=detail)
    return shown


def to_json(result: Result, *, with_sympy: bool = True) -> dict[str, Any]:
    """Render a result as the JSON document `deriv … --format json` prints, as a dict (json.dumps writes it).

    with_sympy=False writes "sympy": null for every expression, so SymPy is never imported.
    """
    document: dict[str, Any] = _render("json", result, with_sympy=None if with_sympy else False)
    return document


def _render(fmt: str, result: object, **options: Any) -> Any:
    """The renderer of result's kind for fmt, called with the options given (None: not given)."""
    renderers = next((found for kind, found in RENDERERS.items() if isinstance(result, kind)), None)
    if renderers is None:
        kinds = ", ".join(kind.__name__ for kind in RENDERERS)
        raise TypeError(f"to_{fmt} renders a {kinds}, not a {type(result).__name__}")
    if fmt not in renderers:
        raise TypeError(f"a {type(result).__name__} has no {fmt} form")
    renderer = renderers[fmt]
    accepted = inspect.signature(renderer).parameters
    given = {name: value for name, value in options.items() if value is not None}
    refused = sorted(set(given) - set(accepted))
    if refused:
        raise TypeError(f"to_{fmt} of a {type(result).__name__} takes no {', '.join(refused)}")
    return renderer(result, **given)
