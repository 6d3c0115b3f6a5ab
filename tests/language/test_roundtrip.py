"""Printing a tree and parsing it back gives the same tree."""

from helpers import readable
from hypothesis import assume, given
from strategies import trees

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
