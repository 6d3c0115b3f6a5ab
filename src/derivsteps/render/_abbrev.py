"""Names the large subterms a long derivation carries along unchanged, so each is printed once ("where A = …").

A lecture-sized derivation shows every line whole. Past LARGE_ROW nodes in one line, printing every line whole makes
the output grow with the number of lines times their size (cubic for a nested power): so a subterm that the lines
share unchanged, and that stands for at least MIN_NAMED nodes, is printed as a capital letter, defined once after the
lines. The engine shares untouched subtrees between steps, so "unchanged" is identity, found without comparing trees;
nothing here recurses, so a chain 1,000 deep is fine.

JSON keeps the full values: it is a data contract, and a program reading it wants the expressions, not our names.
"""

from __future__ import annotations

from collections.abc import Sequence
from string import ascii_uppercase

from ..core.tree import Expr, Path, Var, children, variables, with_children

# Nodes in the largest line below which nothing is abbreviated (every lecture example and golden file is far smaller).
LARGE_ROW = 150

# Nodes a name must stand for, counting each name inside it as one: smaller repeated parts read better in full.
MIN_NAMED = 12


class Abbreviations:
    """The names of one derivation's repeated large subterms; show(expr) puts them in, definitions() says what they are."""

    def __init__(self, rows: Sequence[Expr]):
        self._named: dict[int, Expr] = {}  # id -> node (kept alive, so the id stays unique)
        self._names: dict[int, Var] = {}  # given in order of first use, so A comes before B in the reading order
        self._shown: dict[int, Expr] = {}  # id -> the node with names put in (memoised: rows share their subtrees)
        self._letters = _letters(rows)
        sizes = _sizes(rows)
        if rows and max(sizes[id(row)] for row in rows) >= LARGE_ROW:
            self._named = _choose(rows)

    def __bool__(self) -> bool:
        return bool(self._named)

    def show(self, expr: Expr) -> Expr:
        """expr with every named subterm replaced by its name (a Var)."""
        if not self._named:
            return expr
        return self._substitute(expr, root=False)

    def marks(self, expr: Expr, paths: Sequence[Path]) -> tuple[Path, ...]:
        """Marks into expr cut at the first name on their way: a name stands for the whole subterm."""
        if not self._named:
            return tuple(paths)
        cut = []
        for path in paths:
            node, kept = expr, ()
            for index in path:
                if id(node) in self._named and kept:
                    break
                node, kept = children(node)[index], kept + (index,)
            cut.append(kept)
        return tuple(dict.fromkeys(cut))

    def definitions(self) -> list[tuple[Var, Expr]]:
        """(name, what it stands for, with names inside), in order of first use; call after showing the lines."""
        done: list[tuple[Var, Expr]] = []
        position = 0
        while position < len(self._names):  # a definition may use a name not seen yet: it is appended and defined too
            key = list(self._names)[position]
            done.append((self._names[key], self._substitute(self._named[key], root=True)))
            position += 1
        return done

    def _name(self, node: Expr) -> Var:
        key = id(node)
        if key not in self._names:
            self._names[key] = self._letters(len(self._names))
        return self._names[key]

    def _substitute(self, expr: Expr, root: bool) -> Expr:
        # Post-order without recursion; the root of a definition is the subterm itself, not its name.
        top = id(expr)
        stack = [(expr, False)]
        while stack:
            node, expanded = stack.pop()
            key = id(node)
            if key in self._shown and not (root and key == top):
                continue
            if key in self._named and not (root and key == top):
                self._shown[key] = self._name(node)
                continue
            kids = children(node)
            if not expanded and kids:
                stack.append((node, True))
                stack.extend((kid, False) for kid in reversed(kids))
                continue
            new_kids = tuple(self._shown[id(kid)] for kid in kids)
            shown = node if all(a is b for a, b in zip(new_kids, kids)) else with_children(node, new_kids)
            if root and key == top:
                return shown
            self._shown[key] = shown
        return self._shown[top]


def abbreviations(derivation, steps: bool = True, detail: str | None = None) -> Abbreviations:
    """The names for a derivation as a renderer shows it: every line (steps=True), or the start and the result."""
    if not steps:
        return Abbreviations([derivation.start, derivation.result])
    return Abbreviations([derivation.start, *(line.after for line in derivation.lines(detail))])


def _letters(rows: Sequence[Expr]):
    """A, B, C, … skipping letters the expression uses as variables; then A_1, A_2, … when they run out."""
    taken = {v.name for row in rows[:1] for v in variables(row)}
    free = [letter for letter in ascii_uppercase if letter not in taken]
    return lambda index: (
        Var(free[index]) if index < len(free) else Var(free[0] if free else "Z", str(index - len(free) + 1))
    )


def _sizes(rows: Sequence[Expr]) -> dict[int, int]:
    """Nodes under each distinct subterm (as a tree: a shared subterm counts at every place), by identity."""
    sizes: dict[int, int] = {}
    for row in rows:
        stack = [(row, False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in sizes:
                continue
            kids = children(node)
            if not expanded and kids:
                stack.append((node, True))
                stack.extend((kid, False) for kid in kids if id(kid) not in sizes)
                continue
            sizes[id(node)] = 1 + sum(sizes[id(kid)] for kid in kids)
    return sizes


def _choose(rows: Sequence[Expr]) -> dict[int, Expr]:
    """The subterms to name: reached more than once (in two lines, or twice in one), or inside such a subterm, and
    standing for at least MIN_NAMED nodes once the names inside them count as one each.

    A pending derivative that waits unchanged while other parts are worked on is named too: printing it whole at every
    line made random trees grow as n^1.35 in print (n^1.16 with it named, 300 to 1,000 nodes).
    """
    seen: dict[int, Expr] = {}
    repeated: dict[int, Expr] = {}
    for row in rows:
        stack = [row]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                repeated[id(node)] = node  # its whole subtree is shared: no need to look inside again
                continue
            seen[id(node)] = node
            stack.extend(children(node))
    # Bottom up over what repeats (everything under a repeated subterm repeats with it): what each subterm stands
    # for once the names inside it count as one node each.
    named: dict[int, Expr] = {}
    residual: dict[int, int] = {}
    for root in repeated.values():
        stack = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in residual:
                continue
            kids = children(node)
            if not expanded and kids:
                stack.append((node, True))
                stack.extend((kid, False) for kid in kids if id(kid) not in residual)
                continue
            weight = 1 + sum(1 if id(kid) in named else residual[id(kid)] for kid in kids)
            residual[id(node)] = weight
            if weight >= MIN_NAMED:
                named[id(node)] = node
    return named
