"""Printing a tree and parsing it back gives the same tree."""

import pytest
from helpers import readable
from hypothesis import assume, given
from strategies import trees

from derivsteps.core.tree import Mul, Num, Var
from derivsteps.language.mathtext import to_text
from derivsteps.language.parser import parse


@given(trees)
def test_parse_of_printed_text_is_the_same_tree(tree):
    assume(readable(tree))
    text = to_text(tree)
    assert parse(text).expr == tree, text


def test_an_absolute_value_inside_another_prints_unambiguously():
    tree = parse("x abs(x - x abs(x))").expr
    assert to_text(tree) == "x |x - x · |x||"
    assert parse(to_text(tree)).expr == tree


@pytest.mark.parametrize("typed", ["2 e1", "2 E1", "3 e2x", "5 e-x", "2 e_1"])
def test_a_number_before_a_variable_named_like_an_exponent_is_kept_apart(typed):
    # 2e1 reads as 20 (scientific notation): printed without the space, 2·e1 would come back as a number.
    tree = Mul((Num(2), Var("e1"))) if typed == "2 e_1" else parse(typed).expr
    assert parse(to_text(tree)).expr == tree, to_text(tree)
