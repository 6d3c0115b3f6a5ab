"""Points in the JSON documents: the one shape the several-variable serialisers share (the layouts use Formula)."""

from __future__ import annotations

from collections.abc import Mapping

from ..core.tree import Expr, Var
from ..language.mathtext import to_text


def point_json(point: Mapping[Var, Expr], value) -> dict:
    """A point as the JSON contract writes it: variable name (ASCII text) -> VALUE; `value` is jsondoc.valuer()."""
    return {to_text(var, ascii=True): value(expr) for var, expr in point.items()}
