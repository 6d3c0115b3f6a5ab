"""The registry of layouts: for each result type, the function that lays it out as a Document, found by type.

print(result), a notebook cell (_repr_html_, _repr_latex_, _repr_markdown_) and rich (__rich__) show a result through
`display`, which core's `Displayed` mixin imports when a result is first shown (core sits below render). A layout
module registers its result types when it is imported: `register(Gradient, Hessian, layout=layout)`; `view` gives
the rich renderable when the result has a view class of its own (CriticalView), else the rich writer renders the
layout. `_load` imports every layout module, so a new result kind is one module and one line there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .document import Document

# What `display` can show: the writers of render/writers, by the format names of the Displayed hooks.
DISPLAY_FORMATS = ("text", "latex", "markdown", "html", "rich")


@dataclass(frozen=True, slots=True)
class Shown:
    """How one result type is shown: its layout (with its default options), optionally its own rich view, and its
    JSON document (a contract of its own, not a layout; None: the kind has no JSON form)."""

    layout: Callable[..., Document]
    view: Callable[[Any], Any] | None = None
    json: Callable[..., dict[str, Any]] | None = None


LAYOUTS: dict[type, Shown] = {}


def register(
    *kinds: type,
    layout: Callable[..., Document],
    view: Callable[[Any], Any] | None = None,
    json: Callable[..., dict[str, Any]] | None = None,
) -> None:
    """Register the layout (and the rich view and JSON document, where the kind has them) of results of these types."""
    for kind in kinds:
        LAYOUTS[kind] = Shown(layout, view, json)


def shown(result) -> Shown:
    """The registration for the result's type (or the nearest base type that has one)."""
    _load()
    for kind in type(result).__mro__:
        if kind in LAYOUTS:
            return LAYOUTS[kind]
    raise TypeError(f"no layout is registered for {type(result).__name__}")


def layout_of(result) -> Document:
    """The result laid out as a Document, with its layout's default options."""
    return shown(result).layout(result)


def display(result, format: str):
    """The result in a format of DISPLAY_FORMATS: a string, or a rich renderable for "rich"."""
    from .writers import write

    entry = shown(result)
    if format == "rich" and entry.view is not None:
        return entry.view(result)
    return write(entry.layout(result), format)


def _load() -> None:
    """Import the layout modules, each of which registers its result types (Python imports each once)."""
    from . import checks, course, critical, derivation, descent, grading, implicit, multivar, written  # noqa: F401
