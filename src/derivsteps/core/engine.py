"""Finds the next pending derivative, applies the first rule that matches, records a Step; it knows no calculus itself."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from itertools import compress

from . import limits
from .derivation import DETAILS, Derivation, Rewrite, Step
from .errors import LimitError, StepLimitError, UsageError
from .rules import CAS_FALLBACK, DIFF_RULES, Rule
from .simplify_rules import SIMPLIFY_RULES
from .tree import (
    Add,
    Call,
    Deriv,
    Expr,
    Mul,
    Path,
    Pow,
    Sum,
    Var,
    children,
    get_at,
    is_number,
    number_value,
    replace_at,
    variables,
    walk,
    with_children,
)

SIMPLIFY_LEVELS = ("none", "light", "full")


def differentiate(
    expr: Expr | str,
    wrt: Var | str | Sequence[Var | str] | None = None,
    *,
    detail: str = "normal",
    simplify: str = "light",
    variables: Sequence[str] = (),
    functions: Sequence[str] = (),
    rules: Sequence[Rule] = DIFF_RULES,
) -> Derivation:
    """Work out the derivative of expr step by step; wrt may list several variables (x, x is the second derivative).

    expr is a tree or the text a student types; wrt may be omitted when the expression has one variable or holds its
    own pending derivative (d/dx x^2 sin x). The result is a Derivation: every step, named, in order.
    """
    if detail not in DETAILS:
        raise UsageError(f"detail must be one of {', '.join(DETAILS)}, not {detail!r}")
    if simplify not in SIMPLIFY_LEVELS:
        raise UsageError(f"simplify must be one of {', '.join(SIMPLIFY_LEVELS)}, not {simplify!r}")
    text, warnings = None, ()
    if isinstance(expr, str):
        from ..language.parser import parse

        parsed = parse(expr, variables=variables, functions=functions)
        text, warnings, expr = expr, parsed.warnings, parsed.expr
    wrt_vars = _wrt(expr, wrt, variables, functions)
    if wrt_vars and any(isinstance(node, Deriv) for _, node in walk(expr)):
        # d/dx … with --wrt x asks for one derivative, written twice: taking it twice would answer another question.
        if _front_operators(expr) != wrt_vars:
            raise UsageError(
                "the expression holds its own derivative operator, and --wrt "
                f"{','.join(_name(v) for v in wrt_vars)} would differentiate its result again; drop --wrt, or write the "
                "whole derivative in the expression (d/dy d/dx …)"
            )
        operators = " ".join(f"d/d{_name(v)}" for v in reversed(wrt_vars))
        warnings = (
            *warnings,
            f"the expression holds its own {operators} and --wrt asks for the same derivative: taken once",
        )
        wrt_vars = ()
    _refuse_indexed(expr, wrt_vars)
    start = expr
    for var in wrt_vars:
        start = Deriv(start, var)
    run = _Run(rules)  # another table replays a student's slip (the homework checker's mistake catalogue)
    final = run.derive(start, simplify)
    assert final is (run.steps[-1].after if run.steps else start)
    return Derivation(text, expr, wrt_vars, start, tuple(run.steps), tuple(warnings), detail)


def simplify(expr: Expr, keep_written: bool = False) -> tuple[Step, ...]:
    """The simplification steps for expr, with the same rules as a derivation's last phase.

    keep_written=False tidies every part (after a substitution, 3 · 2^2 is arithmetic to do); True leaves the
    subtrees of expr as written, as a derivation does with the student's own expression.
    """
    run = _Run()
    if keep_written:
        run.written = {id(node) for _, node in walk(expr) if children(node)}
    run.simplify_scope(expr, ())
    return tuple(run.steps)


def substitute(expr: Expr, point: Mapping[Var, Expr]) -> Step:
    """One step that puts the point's values in place of its variables, every occurrence at once."""
    from .rules import SUBSTITUTE

    after = expr
    paths = [path for path, node in walk(expr) if node in point]
    for path in paths:  # occurrences never nest, and replacing one leaves the others' paths valid
        after = replace_at(after, path, point[get_at(expr, path)])
    rewrites = tuple(
        Rewrite(
            SUBSTITUTE.name,
            path,
            {"x": get_at(expr, path), "value": point[get_at(expr, path)]},
            (path,),
            SUBSTITUTE.group,
            "substitute",
        )
        for path in paths
    )
    return Step(
        rewrites or (Rewrite(SUBSTITUTE.name, (), {}, (), SUBSTITUTE.group, "substitute"),), expr, after, "substitute"
    )


def _wrt(expr: Expr, wrt, declared_vars, functions) -> tuple[Var, ...]:
    """The variables to differentiate by, as Vars; none when the expression carries its own d/dx."""
    if wrt is None or wrt == ():
        if any(isinstance(node, Deriv) for _, node in walk(expr)):
            return ()
        free = variables(expr)
        if len(free) == 1:
            return (free[0],)
        names = ", ".join(_name(v) for v in free)
        raise UsageError(
            f"say which variable to differentiate by: the expression has {len(free)} variables ({names}); use --wrt"
            if free
            else "the expression has no variable: its derivative is 0 with respect to anything; say which with --wrt"
        )
    if isinstance(wrt, str) and not wrt.strip():
        raise UsageError("--wrt is empty: name the variable to differentiate by, such as --wrt x (or leave --wrt out)")
    items = wrt.split(",") if isinstance(wrt, str) else [wrt] if isinstance(wrt, Var) else list(wrt)
    if len(items) > limits.MAX_DERIVATIVE_ORDER:
        raise LimitError(
            f"--wrt asks for a derivative of order {len(items):,}; the limit is {limits.MAX_DERIVATIVE_ORDER} ({limits.named('MAX_DERIVATIVE_ORDER')})"
        )
    result = []
    for item in items:
        if isinstance(item, Var):
            result.append(item)
            continue
        if not item.strip():
            raise UsageError(f"--wrt lists variables separated by commas, such as x or x,y; {wrt!r} has an empty one")
        name = item.strip()
        if len(name) == 1 and name.isascii() and name.isalpha() and name != "e" and name not in functions:
            result.append(
                Var(name)
            )  # what the parser reads a single letter as; parsing it took most of a small derivative
            continue
        from ..language.parser import parse

        var = parse(item.strip(), variables=declared_vars, functions=functions).expr
        if not isinstance(var, Var):
            raise UsageError(f"--wrt takes variables, such as x or x,y; {item.strip()!r} is not one")
        result.append(var)
    return tuple(result)


def _front_operators(expr: Expr) -> tuple[Var, ...] | None:
    """The variables of the derivative operators expr starts with, innermost first (d/dy d/dx u: x, y); None when it
    holds an operator anywhere else (x + d/dx u)."""
    own = []
    while isinstance(expr, Deriv) and isinstance(expr.var, Var):
        own.append(expr.var)
        expr = expr.body
    if any(isinstance(node, Deriv) for _, node in walk(expr)):
        return None
    return tuple(reversed(own))


def _refuse_indexed(expr: Expr, wrt: tuple[Var, ...]) -> None:
    """w_j inside a sum over j is a whole column of values, not one variable: the derivative by it is not defined here.
    Nor is the derivative by a sum's bound: Σ_{i=1}^{x} counts x terms, a whole number, and Σ_i without bounds runs
    over the n data points."""
    sums = [node for _, node in walk(expr) if isinstance(node, Sum)]
    for var in wrt:
        for node in sums:
            bounds = [bound for bound in (node.lower, node.upper) if bound is not None]
            if any(var in variables(bound) for bound in bounds):
                raise UsageError(
                    f"a bound of the sum over {node.index} depends on {_name(var)}: the sum has a whole number of terms, "
                    f"so it is no differentiable function of {_name(var)}; derivsteps differentiates sums with fixed bounds"
                )
            if node.upper is None and var == Var("n"):
                raise UsageError(
                    f"n is the number of data points, the upper bound of the sum over {node.index}, not a variable to "
                    "differentiate by; differentiate by a parameter instead"
                )
    for _, node in walk(expr):
        if (
            isinstance(node, Pow)
            and is_number(node.base)
            and number_value(node.base) < 0
            and any(var in variables(node.exp) for var in wrt)
        ):
            shown = ", ".join(_name(var) for var in wrt if var in variables(node.exp))
            raise UsageError(
                f"a negative number to a power that depends on {shown} has a real value only where the exponent is a "
                "whole number, and no derivative there; derivsteps differentiates a^x for a base a > 0"
            )
    indices = {node.index for node in sums}
    for var in wrt:
        if var.sub is not None and var.sub.isalpha() and set(var.sub) & indices:
            raise UsageError(
                f"{_name(var)} is indexed by a sum over {''.join(sorted(set(var.sub) & indices))}: it stands for one value per "
                "data point, so there is no single variable to differentiate by; differentiate by a parameter instead"
            )
        columns = {
            node.name
            for _, node in walk(expr)
            if isinstance(node, Var) and node.sub is not None and set(node.sub) & indices
        }
        if var.sub is not None and var.name in columns and not set(var.sub) & indices:
            # a_1 beside a_i in a sum over i is one value of the column a, which the sum holds too: read as an
            # unrelated variable its derivative would silently be 0.
            raise UsageError(
                f"{_name(var)} is one value of the data column {var.name} that the sum runs over, not a variable of its own; "
                "differentiating by one data value is not supported: differentiate by a parameter instead"
            )


def _name(var: Var) -> str:
    return var.name if var.sub is None else f"{var.name}_{var.sub}"


def graft(expr: Expr, path: Path, new: Expr) -> tuple[Expr, tuple[Path, ...]]:
    """Replace the subterm at path with new; a product put into a product (a sum into a sum) joins it, as it is written.

    Returns the new expression and the paths of the new parts in it.
    """
    after, new_paths, _ = _graft(_spine(expr, path), path, new)
    return after, new_paths


def _spine(expr: Expr, path: Path) -> list[Expr]:
    """The nodes from the root down to the one at path: spine[i] is at path[:i]. A step reads them once; fetching
    each again from the root made a step under a nested power cost several walks of its depth."""
    spine = [expr]
    for index in path:
        expr = children(expr)[index]
        spine.append(expr)
    return spine


def _graft(spine: list[Expr], path: Path, new: Expr) -> tuple[Expr, tuple[Path, ...], list[Expr]]:
    """graft on the spine of path; also the rebuilt ancestors, root first (fresh[i] at path[:i], i < len(path))."""
    new_paths = (path,)
    top = len(path)  # the ancestors below top are rebuilt, as replace_at does
    fresh: list[Expr] = [new] * len(path)
    if path:
        parent, index = spine[-2], path[-1]
        if type(parent) is type(new) and isinstance(new, (Mul, Add)):
            kids = children(parent)
            parts = children(new)
            new = type(parent)(kids[:index] + parts + kids[index + 1 :])
            new_paths = tuple(path[:-1] + (index + k,) for k in range(len(parts)))
            top -= 1
            fresh[top] = new
    for level in range(top - 1, -1, -1):
        node, index = spine[level], path[level]
        kids = children(node)
        new = with_children(node, kids[:index] + (new,) + kids[index + 1 :])
        fresh[level] = new
    return new, new_paths, fresh


def _passes(start: Expr) -> list[Path]:
    """The scopes worked in order: for nested d/dx d/dy u the inner derivative is finished (and tidied) first."""
    scopes: list[Path] = [()]
    node = start
    while isinstance(node, Deriv) and isinstance(node.body, Deriv):
        scopes.append(scopes[-1] + (0,))
        node = node.body
    return scopes[::-1]


def _has_pending(expr: Expr) -> bool:
    return any(isinstance(node, Deriv) for _, node in walk(expr))


def _pending_nodes(expr: Expr, scope: Path = ()) -> Iterator[tuple[Path, Deriv]]:
    """Pending derivatives ready for a rule (their bodies hold none), leftmost first."""
    for path, node in walk(get_at(expr, scope), scope):
        if isinstance(node, Deriv) and not _has_pending(node.body):
            yield path, node


def next_pending(expr: Expr, scope: Path = ()) -> Path | None:
    """The leftmost pending derivative (pre-order) whose body holds no pending derivative itself."""
    return next((path for path, _ in _pending_nodes(expr, scope)), None)


def _post_order(expr: Expr, path: Path = ()) -> Iterator[tuple[Path, Expr]]:
    """Every node after its children, leftmost first: simplification tidies the inside before the outside."""
    stack: list[tuple[Path, Expr, bool]] = [(path, expr, False)]
    while stack:
        node_path, node, expanded = stack.pop()
        if expanded:
            yield node_path, node
            continue
        stack.append((node_path, node, True))
        kids = children(node)
        for index in range(len(kids) - 1, -1, -1):
            stack.append((node_path + (index,), kids[index], False))


def first_match(rules: Sequence[Rule], node: Expr) -> tuple[Rule, dict] | None:
    """The first rule in table order that matches node, with its bindings."""
    for rule in candidates(rules, node):
        bindings = rule.match(node)
        if bindings is not None:
            return rule, bindings
    return None


# The rules of a table that can match a kind of node, in table order, by table (kept, so its id is never reused).
# A rule's match may name the only node types it accepts (rules._when, simplify_rules._on); the others are skipped
# unasked, which gives the same first match as trying the whole table and saves most of a step's matching.
_CANDIDATES: dict[int, tuple[Sequence[Rule], dict[tuple, tuple[Rule, ...]]]] = {}


def candidates(rules: Sequence[Rule], node: Expr) -> tuple[Rule, ...]:
    """The rules of the table that can match node, in table order."""
    known = _CANDIDATES.get(id(rules))
    if known is None or known[0] is not rules:
        if len(_CANDIDATES) > 64:  # tables made on the fly (a mistake's patched table) come and go
            _CANDIDATES.clear()
        known = _CANDIDATES[id(rules)] = (rules, {})
    body = node.body if type(node) is Deriv else None
    key = (type(node), node.fn if type(node) is Call else None, type(body), body.fn if type(body) is Call else None)
    found = known[1].get(key)
    if found is None:
        found = known[1][key] = tuple(rule for rule in rules if _may_match(rule, node, body))
    return found


def _may_match(rule: Rule, node: Expr, body: Expr | None) -> bool:
    kinds = getattr(rule.match, "kinds", ())
    if not kinds:
        return True
    target = body if getattr(rule.match, "on_body", False) else node
    if target is None:
        return False
    return type(target) in kinds or type(target) is Call and target.fn in kinds


class _Run:
    def __init__(self, rules: Sequence[Rule] = DIFF_RULES):
        self.rules = rules
        self.steps: list[Step] = []
        self.written: set[int] = set()
        # By identity (see measure): the nodes in each subtree, and the pending derivatives among them.
        self.sizes: dict[int, int] = {}
        self.derivs: dict[int, int] = {}
        self.kept: list[Expr] = []  # the nodes measured, kept so that their ids are never reused
        self.totals: dict[int, int] = {}  # the size of each simplification step's expression (kept by self.steps)
        self.clean: dict[
            int, Expr
        ] = {}  # nodes no simplification rule applies to anywhere inside (kept, so ids stay unique)

    def record(
        self, expr: Expr, path: Path, rule: Rule, bindings: dict, new: Expr, phase: str, continues: bool = False
    ) -> Expr:
        spine = _spine(expr, path)
        after, new_paths, fresh = _graft(spine, path, new)
        rewrite = Rewrite(rule.name, path, bindings, new_paths, rule.group, phase)
        self.steps.append(Step((rewrite,), expr, after, phase, continues))
        if len(self.steps) > limits.MAX_STEPS:
            raise StepLimitError(
                f"the derivation needs more than {limits.MAX_STEPS:,} steps ({limits.named('MAX_STEPS')}); simplify the input first",
                path,
            )
        # The rebuilt ancestors are measured from the ones they replace: each holds what its old self held, changed by
        # what the rewrite changed (a splice too: the joined parent takes the parts of new, not new itself). A step
        # then costs its depth, not a walk of the whole expression or of every sibling on the way down (a sum of
        # 1,000 terms, a product of 1,000 factors, a chain 1,000 deep).
        sizes, derivs = self.sizes, self.derivs
        spliced = bool(path) and isinstance(new, (Mul, Add)) and type(spine[-2]) is type(new)  # as graft joins
        if phase == "simplify":
            # Simplification needs no pending counts, and under a nested power its spine is hundreds of nodes long:
            # only the total is kept, and the rebuilt nodes are measured if a later step asks (each once).
            total = self.totals.get(id(expr))
            grown = (self.size(expr) if total is None else total) - self.size(spine[-1]) + self.size(new) - spliced
            self.totals[id(after)] = grown
            self.check_size(grown, path)
            return after
        if id(expr) not in sizes:
            self.measure(expr)
        self.measure(new)
        more = sizes[id(new)] - sizes[id(spine[-1])] - spliced
        pending = derivs[id(new)] - derivs[id(spine[-1])]
        if fresh:  # in C, level by level: under a nested power the spine is hundreds of nodes long
            olds, rebuilt = list(map(id, spine[: len(fresh)])), list(map(id, fresh))
            sizes.update(zip(rebuilt, map(more.__add__, map(sizes.__getitem__, olds))))
            derivs.update(zip(rebuilt, map(pending.__add__, map(derivs.__getitem__, olds))))
            self.kept += fresh
        self.check_size(sizes[id(after)], path)
        return after

    def check_size(self, grown: int, path: Path) -> None:
        if grown > limits.MAX_EXPRESSION_NODES:
            raise StepLimitError(
                f"the expression grew to more than {limits.MAX_EXPRESSION_NODES:,} nodes "
                f"({limits.named('MAX_EXPRESSION_NODES')}); differentiate smaller pieces one at a time",
                path,
            )

    def size(self, node: Expr) -> int:
        """The number of nodes in node (see measure)."""
        if id(node) not in self.sizes:
            self.measure(node)
        return self.sizes[id(node)]

    def count(self, node: Expr) -> int:
        """How many pending derivatives node holds (see measure)."""
        if id(node) not in self.derivs:
            self.measure(node)
        return self.derivs[id(node)]

    def measure(self, node: Expr) -> None:
        """Count the nodes and the pending derivatives in node and in every subtree below it, memoised by identity:
        untouched subtrees are shared between steps, so each is looked at once, not once per step (which made long
        sums quadratic). Whenever a node is measured, so is everything below it."""
        sizes, derivs, kept = self.sizes, self.derivs, self.kept
        stack = [(node, False)]
        while stack:  # post-order without recursion: a chain 1,000 deep is fine
            item, expanded = stack.pop()
            key = id(item)
            if key in sizes:
                continue
            kids = children(item)
            if expanded or not kids:
                ids = list(map(id, kids))
                sizes[key] = 1 + sum(map(sizes.__getitem__, ids))
                derivs[key] = (type(item) is Deriv) + sum(map(derivs.__getitem__, ids))
                kept.append(item)
                continue
            stack.append((item, True))
            stack.extend([(k, False) for k in kids if id(k) not in sizes])

    def derive(self, start: Expr, simplify: str) -> Expr:
        # What the student wrote stays as written: simplification tidies only what the rules produced. Rules share
        # the input's untouched subtrees, so identity tells them apart (start keeps the ids alive).
        self.written = {id(node) for _, node in walk(start) if children(node)}
        expr = start
        for scope in _passes(start):
            expr = self.differentiate_scope(expr, scope)
            if simplify != "none":
                expr = self.simplify_scope(expr, scope)
        if simplify == "full":
            expr = self.cas_simplify(expr)
        return expr

    def ready(self, expr: Expr, scope: Path) -> Iterator[tuple[Path, Deriv]]:
        """The same as _pending_nodes, leftmost first, but descending only into subtrees that hold a derivative."""
        root = get_at(expr, scope)
        if not self.count(root):  # counts every node below, so the loop reads the memo directly
            return
        held = self.derivs.__getitem__
        # The path is kept as one trail of indices, cut back to each node's depth, and made a tuple only for what is
        # yielded: building every node's path tuple cost the square of the depth under a nested power.
        trail: list[int] = []
        stack = [(root, 0, 0)]  # node, depth below scope, index in its parent
        while stack:
            node, level, index = stack.pop()
            if level:
                del trail[level - 1 :]
                trail.append(index)
            if isinstance(node, Deriv) and not held(id(node.body)):
                yield scope + tuple(trail), node
                continue
            kids = children(node)
            places = list(
                compress(range(len(kids)), map(held, map(id, kids)))
            )  # in C: a product may have 1,000 factors
            stack.extend([(kids[place], level + 1, place) for place in reversed(places)])

    def differentiate_scope(self, expr: Expr, scope: Path) -> Expr:
        while ready := list(self.ready(expr, scope)):  # one walk for the line's place and the others waiting
            path, node = ready[0]
            found = first_match(self.rules, node)
            if found is None:
                result = _sympy_derivative(node)
                expr = self.record(expr, path, CAS_FALLBACK, {"x": node.var, "result": result}, result, "cas")
                continue
            waiting = ready[1:]
            rule, bindings = found
            expr = self.record(expr, path, rule, bindings, rule.rewrite(bindings), "diff")
            expr = self.same_rule_elsewhere(expr, rule.group, waiting, self.steps[-1].rewrites[0])
        return expr

    def same_rule_elsewhere(self, expr: Expr, group: str, waiting: list[tuple[Path, Deriv]], first: Rewrite) -> Expr:
        """Apply the line's rule at every other place where it was ready when the line began: (0 + 1 + 0) in one line.

        `waiting` lists the other derivatives ready at the start of the line, leftmost first; each rewrite replaces
        only its own node, so the others stay in place, moved only when a product joins its parent product (a splice).
        Every splice lies before the places still waiting, so a place under a spliced parent moves by what all the
        splices there added; `offsets` keeps that sum per parent, and a place is moved from the root down.
        """
        offsets: dict[Path, int] = {}

        def spliced(rewrite: Rewrite) -> None:
            if len(rewrite.new_paths) > 1:
                parent = rewrite.new_paths[0][:-1]
                offsets[parent] = offsets.get(parent, 0) + len(rewrite.new_paths) - 1

        spliced(first)
        for path, node in waiting:
            found = first_match(self.rules, node)
            if found is None or found[0].group != group:
                continue
            if offsets:
                for depth in range(len(path)):
                    moved = offsets.get(path[:depth])
                    if moved:
                        path = path[:depth] + (path[depth] + moved,) + path[depth + 1 :]
            rule, bindings = found
            expr = self.record(expr, path, rule, bindings, rule.rewrite(bindings), "diff", continues=True)
            spliced(self.steps[-1].rewrites[0])
        return expr

    def simplify_scope(self, expr: Expr, scope: Path) -> Expr:
        """Post-order, the first node a rule matches is rewritten, and the walk goes on from the rewritten place.

        That is the same order as starting again from the root each time: everything before the place was walked
        without a match and is unchanged (rules look only inside the node they match), so it is remembered as clean by
        identity and the walk resumes instead. The ancestors still on the stack are fetched again (they were rebuilt),
        and a splice (a product joining its parent product) moves the later siblings' paths.
        """
        clean = self.clean
        version = 0  # rewrites so far: an ancestor pushed before the last one is stale
        stack: list[tuple[Path, Expr, bool, int]] = [(scope, get_at(expr, scope), False, version)]
        while stack:
            path, node, expanded, pushed = stack.pop()
            if not expanded:
                if id(node) in clean:
                    continue
                stack.append((path, node, True, version))
                kids = children(node)
                stack.extend(
                    (path + (i,), kids[i], False, version)
                    for i in range(len(kids) - 1, -1, -1)
                    if id(kids[i]) not in clean
                )
                continue
            if pushed != version:
                node = get_at(expr, path)
            found = None if id(node) in self.written else first_match(SIMPLIFY_RULES, node)
            if found is None:
                clean[id(node)] = node
                continue
            rule, bindings = found
            expr = self.record(expr, path, rule, bindings, rule.rewrite(bindings), "simplify")
            version += 1
            new_paths = self.steps[-1].rewrites[0].new_paths
            if len(new_paths) > 1:
                parent, start, moved = new_paths[0][:-1], new_paths[0][-1], len(new_paths) - 1
                depth = len(parent)
                stack = [
                    (p[:depth] + (p[depth] + moved,) + p[depth + 1 :], n, e, v)
                    if len(p) > depth and p[:depth] == parent and p[depth] > start
                    else (p, n, e, v)
                    for p, n, e, v in stack
                ]
            if (
                len(new_paths) > 1
            ):  # a splice: the parts are siblings, fetched from their parent once, not each from the root
                kids = children(get_at(expr, new_paths[0][:-1]))
                stack.extend((new_path, kids[new_path[-1]], False, version) for new_path in reversed(new_paths))
            else:
                stack.append((new_paths[0], get_at(expr, new_paths[0]), False, version))
        return expr

    def cas_simplify(self, expr: Expr) -> Expr:
        """--simplify full: one recorded step with SymPy's simplification, when it is shorter than ours."""
        from ..cas.sympy_steps import simplified

        better = simplified(expr)
        if better is None:
            return expr
        rule = Rule(
            "cas_simplify",
            "simplified by SymPy",
            "sympy.simplify",
            lambda e: None,
            lambda b: b["result"],
            "SymPy's simplify found a shorter form.",
        )
        return self.record(expr, (), rule, {"result": better}, better, "simplify")


def _sympy_derivative(node: Deriv) -> Expr:
    from ..cas.sympy_steps import derivative

    return derivative(node)
