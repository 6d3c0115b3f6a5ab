"""Vectors, matrices and points in text and LaTeX: the shapes the several-variable commands show."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..core.tree import Expr, Var
from ..language.mathlatex import to_latex
from ..language.mathtext import to_text


def vector_text(values: Sequence[Expr], ascii: bool = False) -> str:
    """(6a - b + 1, 2b - a)"""
    return "(" + ", ".join(to_text(v, ascii) for v in values) + ")"


def vector_latex(values: Sequence[Expr]) -> str:
    return r"\left(" + ", ".join(to_latex(v) for v in values) + r"\right)"


def matrix_text(rows: Sequence[Sequence[Expr]], ascii: bool = False) -> list[str]:
    """The rows of a matrix as aligned lines in brackets: [ 6  -1 ] / [ -1  2 ]."""
    cells = [[to_text(v, ascii) for v in row] for row in rows]
    widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))] if cells else []
    return ["[ " + "  ".join(cell.rjust(width) for cell, width in zip(row, widths)) + " ]" for row in cells]


def matrix_latex(rows: Sequence[Sequence[Expr]]) -> str:
    body = r" \\ ".join(" & ".join(to_latex(v) for v in row) for row in rows)
    return r"\begin{pmatrix} " + body + r" \end{pmatrix}"


def point_text(point: Mapping[Var, Expr], ascii: bool = False) -> str:
    """a = 1, b = 2"""
    return ", ".join(f"{to_text(var, ascii)} = {to_text(value, ascii)}" for var, value in point.items())


def point_latex(point: Mapping[Var, Expr]) -> str:
    return ", ".join(f"{to_latex(var)} = {to_latex(value)}" for var, value in point.items())


def point_json(point: Mapping[Var, Expr], value) -> dict:
    """A point as the JSON contract writes it: variable name (ASCII text) -> VALUE; `value` is jsondoc.valuer()."""
    return {to_text(var, ascii=True): value(expr) for var, expr in point.items()}
