"""Loads the grammar, builds the LALR parser once, and turns text into an expression tree. It and latex_reader.py, whose
tree builder and token feed subclass the ones here, are the only modules that import lark."""

from __future__ import annotations

import contextvars
import os
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path as FilePath
from typing import Any, ClassVar, Generic, Protocol, TypeVar, cast

from lark import Lark, Transformer, v_args
from lark import Token as LarkToken
from lark.exceptions import UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import Lexer

from ..core import limits
from ..core.domain import check_defined
from ..core.errors import EquationError, InputError, LimitError, ParseError, UnknownFunctionError
from ..core.functions import ARITY, BY_NAME
from ..core.tree import Add, Apply, Call, Const, Deriv, Div, Expr, Mul, Neg, Num, Pow, Sum, Var, children, decimal_num
from . import equations
from .lexer import SUPERSCRIPTS, Lexed, Token, tokenize


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parse result: the tree, the input as typed, and notes on how ambiguous input was read."""

    expr: Expr
    text: str
    warnings: tuple[str, ...] = ()
    # Where each node of expr was typed: (start, end) offsets into text by id(node), for errors that point at a part.
    spans: Mapping[int, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def read_as(self) -> str:
        """The canonical display of how the input was read, which parses back to the same tree."""
        # Imported here: render sits above the parser, and mathtext needs only lexer and tree, so no cycle arises.
        from .mathtext import to_text

        return to_text(self.expr)

    def __str__(self) -> str:
        return self.read_as


def grammar_text(name: str = "expr.lark") -> str:
    """A grammar (expr.lark, latex.lark): packaged inside the wheel, or from the checkout's grammars/ in an editable install."""
    packaged = resources.files("derivsteps").joinpath("grammars").joinpath(name)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = FilePath(__file__).resolve().parents[3] / "grammars" / name
    return checkout.read_text(encoding="utf-8")


# -- the tree builder both grammars share ------------------------------------------------------------------------
# lark hands it each reduced rule, and it returns a node of our tree while keeping, for every node still waiting for a
# parent, its depth (for MAX_DEPTH) and where it was typed (for errors and the definedness check that point at a part).
# The typed-text grammar (_Build below) and the LaTeX grammar (latex_reader._Build) subclass it: each brings its own
# argument list, its own reading of sin^-1 and its own notes.


@dataclass(slots=True)
class Pending:
    """What the builder knows about a node that has no parent yet: its depth, where it is typed, whether it was bracketed."""

    node: Expr
    depth: int
    start: int | None  # None: not known (a node made outside the builder: the bounds of sum_{i=1}^n, the 2 of log_2)
    end: int | None = None
    grouped: bool = False  # written inside brackets: (a + b) + c stays nested
    # LaTeX: where an operator followed by a bracket, ending this term, starts (a '+' after it gets a note).
    tail_start: int | None = None


class _Tokens(Protocol):
    tokens: list[Token]


LexedT = TypeVar("LexedT", bound=_Tokens)
ArgsT = TypeVar("ArgsT")


class ParseContext(Generic[LexedT]):
    """The parse in progress, as the builder and the token feed share it: the text, its tokens, and how far lark is.
    The text grammar and the LaTeX grammar each keep one in a context variable of their own, with their own lexer's
    output (LexedT)."""

    def __init__(self, text: str, lexed: LexedT):
        self.text = text
        self.lexed = lexed
        # Keyed by id(node), and each entry holds its node: a bare id of a node already dropped (the shorter Add that
        # a + b + c replaced) can be reused by a new node, which then inherited a stale depth (a 3,000-term sum hit MAX_DEPTH).
        # An entry is removed when its node gets a parent, so this holds only what is on the parser's stack.
        self.pending: dict[int, Pending] = {}
        # (start, end) of every node built, by id(node): kept for the definedness check (Parsed.spans).
        self.spans: dict[int, tuple[int, int]] = {}
        self.fed = 0  # the index of the token lark is looking at: it reduces a rule once the next token has arrived

    def end(self) -> int:
        """Where the node being built ends: at the last token before the one lark is looking at."""
        return self.lexed.tokens[self.fed - 1].end if self.fed else 0


def token_start(token: object) -> int:
    """Where a token starts (our token feeds give every token its offsets)."""
    return token.start_pos if isinstance(token, LarkToken) and token.start_pos is not None else 0


def token_end(token: object) -> int:
    """Where a token ends."""
    return token.end_pos if isinstance(token, LarkToken) and token.end_pos is not None else 0


@v_args(inline=True)
class TreeBuilder(Transformer[LarkToken, Expr], Generic[ArgsT]):
    """One method per grammar alias, each returning a tree node; no simplification happens here. ArgsT is what the
    grammar's argument list of a function call gives (a tuple of expressions, or the LaTeX reader's _Arguments)."""

    # -- hooks each grammar fills in ---------------------------------------------------------------------------------
    def _context(self) -> ParseContext[Any]:
        """The parse in progress (each grammar keeps it in a context variable of its own)."""
        raise NotImplementedError

    def _args(self, arguments: ArgsT) -> tuple[Expr, ...]:
        """The expressions of an argument list."""
        raise NotImplementedError

    def _inverse(self, token: LarkToken, exp: Expr, arguments: ArgsT) -> Expr:
        """A function to the power -1 (sin^-1 x): the inverse function, with a note, or an error."""
        raise NotImplementedError

    def _sign_start(self, arg: Expr) -> int | None:
        """Where the '-' that negates arg starts, when the span of -arg includes it (None: -arg starts at arg)."""
        return None

    def _tail(self, node: Expr, kids: Sequence[Pending]) -> int | None:
        """The tail_start a new node inherits from its children (None: the grammar does not track one)."""
        return None

    # -- bookkeeping -------------------------------------------------------------------------------------------------
    def _register(self, node: Expr, depth: int, start: int | None, tail_start: int | None = None) -> Expr:
        context = self._context()
        if depth > limits.MAX_DEPTH:
            raise LimitError(
                f"the expression is nested more than {limits.MAX_DEPTH} levels deep ({limits.named('MAX_DEPTH')})",
                context.text,
                start or 0,
                "split it into smaller expressions",
            )
        end = context.end()
        context.pending[id(node)] = Pending(node, depth, start, end, tail_start=tail_start)
        if start is not None:
            context.spans[id(node)] = (start, end)
        return node

    def _take(self, node: Expr) -> Pending:
        """The pending entry of a node that is getting a parent (a leaf made outside the builder counts as depth 1)."""
        entry = self._context().pending.pop(id(node), None)
        return entry if entry is not None and entry.node is node else Pending(node, 1, None)

    def _entry(self, node: Expr) -> Pending | None:
        entry = self._context().pending.get(id(node))
        return entry if entry is not None and entry.node is node else None

    def _known(self, node: Expr) -> Pending:
        """The entry of a node this builder has just registered."""
        entry = self._entry(node)
        assert entry is not None, node
        return entry

    def _node(self, node: Expr, at: int | None = None) -> Expr:
        """node, registered with its depth and its start: at, or where its first child starts."""
        kids = [self._take(kid) for kid in children(node)]
        start = at if at is not None else min((kid.start for kid in kids if kid.start is not None), default=None)
        return self._register(node, 1 + max((kid.depth for kid in kids), default=0), start, self._tail(node, kids))

    def _extend(self, old: Expr, new: Expr, last: Expr) -> Expr:
        """new is old (a chain a + b or a·b) with one more operand: as deep as old, or as last one level down."""
        before, added = self._take(old), self._take(last)
        # old is gone for good: its id may go to a node made outside the builder (the n of sum_{i=1}^n), which must not
        # inherit its span.
        self._context().spans.pop(id(old), None)
        return self._register(new, max(before.depth, added.depth + 1), before.start, self._tail(new, (before, added)))

    def _leaf(self, node: Expr, token: LarkToken) -> Expr:
        return self._register(node, 1, token_start(token))

    def _chain(self, kind: type[Add] | type[Mul], left: Expr, right: Expr) -> Expr:
        """left + right or left·right, extending an n-ary chain unless the user bracketed it."""
        entry = self._entry(left)
        if isinstance(left, kind) and not (entry is not None and entry.grouped):
            items = left.terms if isinstance(left, Add) else left.factors
            return self._extend(left, kind(items + (right,)), right)
        return self._node(kind((left, right)))

    def _group(self, inner: Expr) -> Pending:
        """Mark inner as written inside brackets, so a chain does not absorb it: (a + b) + c stays nested."""
        entry = self._entry(inner)
        if entry is None:  # a node lark passed up without our builder (none today), made safe to mark
            entry = self._context().pending[id(inner)] = Pending(inner, 1, None)
        entry.grouped = True
        return entry

    # -- sums and products -------------------------------------------------------------------------------------------
    def add(self, left: Expr, right: Expr) -> Expr:
        return self._chain(Add, left, right)

    def sub(self, left: Expr, right: Expr) -> Expr:
        return self._chain(Add, left, self._node(Neg(right), self._sign_start(right)))

    def neg(self, arg: Expr) -> Expr:
        return self._node(Neg(arg), self._sign_start(arg))

    def mul(self, left: Expr, right: Expr) -> Expr:
        return self._chain(Mul, left, right)

    def div(self, num: Expr, den: Expr) -> Expr:
        return self._node(Div(num, den))

    def pow(self, base: Expr, exp: Expr) -> Expr:
        return self._node(Pow(base, exp))

    # -- derivatives -------------------------------------------------------------------------------------------------
    def deriv_op(self, operator: LarkToken, body: Expr) -> Expr:
        name, sub = operator.value
        return self._node(Deriv(body, Var(name, sub)), token_start(operator))

    def mul_deriv_op(self, left: Expr, operator: LarkToken, body: Expr) -> Expr:
        return self.mul(left, self.deriv_op(operator, body))

    # -- atoms -------------------------------------------------------------------------------------------------------
    def number(self, token: LarkToken) -> Expr:
        return self._leaf(decimal_num(str(token)), token)

    def var(self, token: LarkToken) -> Expr:
        name, sub = token.value
        return self._leaf(Var(name, sub), token)

    def const(self, token: LarkToken) -> Expr:
        return self._leaf(Const(token.value), token)

    # -- functions ---------------------------------------------------------------------------------------------------
    def _call(self, token: LarkToken, name: str, args: tuple[Expr, ...]) -> Expr:
        """name(args) at the function's token, once its number of arguments is checked."""
        low, high = ARITY[name]
        if not low <= len(args) <= high:
            wanted = "one argument" if high == 1 else "one or two arguments (the second is the base)"
            raise UnknownFunctionError(
                f"{name} takes {wanted}, not {len(args)}", self._context().text, token_start(token)
            )
        return self._node(Call(name, args), token_start(token))

    def call(self, token: LarkToken, arguments: ArgsT) -> Expr:
        return self._call(token, token.value, self._args(arguments))

    def call_pow(self, token: LarkToken, exp: Expr, arguments: ArgsT) -> Expr:
        if exp == Neg(Num(1)):
            return self._inverse(token, exp, arguments)
        return self.pow(self._call(token, token.value, self._args(arguments)), exp)

    def apply(self, token: LarkToken, *rest: LarkToken | ArgsT) -> Expr:
        *primes, last = rest
        args = self._args(cast(ArgsT, last))  # the grammar puts the argument list last, after the primes
        if primes and len(args) != 1:
            raise UnknownFunctionError(
                f"primes mark the derivative of a function of one variable; {token.value} has {len(args)} arguments",
                self._context().text,
                token_start(token),
            )
        return self._node(Apply(token.value, args, (0,) * len(primes)), token_start(token))


# The token stream of the parse in progress: lark calls our lexer adapter with the text only.
_CURRENT: contextvars.ContextVar[ParseContext[Lexed]] = contextvars.ContextVar("derivsteps_parse")


class TokenFeed(Lexer):
    """A lark lexer that hands over the tokens of the parse in the `current` context, counting them as it goes (so
    that spans and errors know where lark is): lark calls a lexer with the text only, and ours needs the declared
    names. Each grammar subclasses it with its own context variable (a class lark's cache can pickle by name)."""

    current: ClassVar[contextvars.ContextVar[Any]]  # each grammar's own kind of ParseContext

    def __init__(self, lexer_conf: object) -> None:
        pass

    def lex(self, lexer_state: object, parser_state: object = None) -> Iterator[LarkToken]:
        context = self.current.get()
        for index, token in enumerate(context.lexed.tokens):
            context.fed = index
            yield LarkToken(
                token.type, token.value, start_pos=token.start, end_pos=token.end, line=1, column=token.start + 1
            )
        context.fed = len(context.lexed.tokens)


class _TokenFeed(TokenFeed):
    current = _CURRENT


@v_args(inline=True)
class _Build(TreeBuilder[tuple[Expr, ...]]):
    """The typed-text grammar's builder: argument lists are tuples, and -x, - (x + 1) and |x| start at their opening token."""

    def _context(self) -> ParseContext[Lexed]:
        return _CURRENT.get()

    def _args(self, arguments: tuple[Expr, ...]) -> tuple[Expr, ...]:
        return arguments

    def _sign_start(self, arg: Expr) -> int | None:
        return self._opened_by(arg, "_MINUS")

    def _opened_by(self, node: Expr, kind: str) -> int | None:
        """Where the token of this kind that opens node starts (the '-' of -x or of - (x + 1), the '|' of |x|): the
        grammar drops such tokens, but the span of the node shown in an error includes them."""
        entry = self._entry(node)
        if entry is None or entry.start is None:
            return None
        tokens = _CURRENT.get().lexed.tokens
        index = bisect_left(tokens, entry.start, key=lambda token: token.start) - 1
        while index >= 0 and tokens[index].type in ("_LPAR", "_LSQB") and kind != "_BAR_OPEN":
            index -= 1
        return tokens[index].start if index >= 0 and tokens[index].type == kind else None

    # -- derivatives ------------------------------------------------------------------------------------------------
    def deriv_frac(self, body: Expr, var: Var) -> Expr:
        return self._node(Deriv(body, var))

    def diff_call(self, token: LarkToken, args: tuple[Expr, ...]) -> Expr:
        if len(args) != 2 or not isinstance(args[1], Var):
            raise UnknownFunctionError(
                "diff takes an expression and a variable: diff(x^2 sin(x), x)", _CURRENT.get().text, token_start(token)
            )
        return self._node(Deriv(args[0], args[1]), token_start(token))

    # -- atoms --------------------------------------------------------------------------------------------------------
    def group(self, inner: Expr) -> Expr:
        self._group(inner)
        return inner

    def abs_bars(self, inner: Expr) -> Expr:
        return self._node(Call("abs", (inner,)), self._opened_by(inner, "_BAR_OPEN"))

    # -- functions ---------------------------------------------------------------------------------------------------
    def paren_args(self, *args: Expr) -> tuple[Expr, ...]:
        return tuple(args)

    def _call(self, token: LarkToken, name: str, args: tuple[Expr, ...]) -> Expr:
        node = super()._call(token, name, args)
        if name == "log" and len(args) == 1:
            # Calculators read log as base 10, lecturers in analysis as base e: say which was taken.
            _CURRENT.get().lexed.warnings.append(
                "read log as the natural logarithm ln; write log10(x) or log_10(x) for base 10"
            )
        return node

    def call_bare(self, token: LarkToken, arg: Expr) -> Expr:
        return self.call(token, (arg,))

    def call_bare_pow(self, token: LarkToken, exp: Expr, arg: Expr) -> Expr:
        return self.call_pow(token, exp, (arg,))

    def _inverse(self, token: LarkToken, exp: Expr, arguments: tuple[Expr, ...]) -> Expr:
        """sin^-1 x is arcsin(x), as textbooks, calculators and Wolfram|Alpha read it; the reciprocal is (sin x)^-1."""
        ctx = _CURRENT.get()
        name = token.value
        inverse = BY_NAME[name].inverse
        self._take(exp)
        if inverse is None:
            raise UnknownFunctionError(
                f"{name}^-1 would be the inverse function of {name}, which derivsteps does not know",
                ctx.text,
                token_start(token),
                f"for the reciprocal write 1/{name}(x) or ({name} x)^(-1)",
            )
        ctx.lexed.warnings.append(
            f"read {name}^-1 as {inverse}, the inverse function of {name}; write 1/{name}(x) for the reciprocal"
        )
        return self._call(token, inverse, arguments)

    def _base(self, token: LarkToken) -> Expr:
        text = token.value
        if text.isdigit():
            return decimal_num(text)
        if text in ("e",):
            return Const("e")
        return Var(text)

    def logb(self, token: LarkToken, args: tuple[Expr, ...]) -> Expr:
        if len(args) != 1:
            raise UnknownFunctionError("log_b takes one argument: log_2(x)", _CURRENT.get().text, token_start(token))
        return self._node(Call("log", (args[0], self._base(token))), token_start(token))

    def logb_bare(self, token: LarkToken, arg: Expr) -> Expr:
        return self.logb(token, (arg,))

    def sum_over(self, token: LarkToken, body: Expr) -> Expr:
        index, lower, upper = token.value
        bounds = [None if b is None else _bound(b) for b in (lower, upper)]
        return self._node(Sum(body, index, bounds[0], bounds[1]), token_start(token))


def _bound(text: str) -> Expr:
    return decimal_num(text) if text.isdigit() else Var(text)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return build_parser("expr.lark", _TokenFeed, _Build())


def build_parser(name: str, feed: type[TokenFeed], builder: TreeBuilder[Any]) -> Lark:
    """The LALR parser of a grammar, fed by our lexer, with the builder embedded so that lark never builds a parse tree."""
    grammar = grammar_text(name)
    return Lark(
        grammar,
        parser="lalr",
        lexer=feed,
        transformer=builder,
        maybe_placeholders=False,
        cache=cache_file(grammar),
    )


def parse_tokens(
    parser: Lark, feed: type[TokenFeed], context: ParseContext[Any], explain: Callable[[UnexpectedInput], ParseError]
) -> Expr:
    """The tree of context's tokens (the feed's context variable holds context meanwhile); lark's errors, in words."""
    token = feed.current.set(context)
    try:
        return cast(Expr, parser.parse(context.text))  # the embedded builder returns our tree, not lark's
    except UnexpectedInput as error:
        raise explain(error) from None
    finally:
        feed.current.reset(token)


def cache_file(grammar: str) -> str | bool:
    """Where lark keeps the parser tables between runs: building them takes ~140 ms, loading them ~3 ms.

    The name carries a hash of the grammar and both versions, so a changed grammar never loads stale tables. Without a
    writable cache directory (a read-only home, a sandbox) the tables are simply built each time.
    """
    import hashlib

    import lark

    from .. import __version__

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "derivsteps")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return False
    if not os.access(folder, os.W_OK):
        return False
    digest = hashlib.sha256(f"{grammar}\0{lark.__version__}\0{__version__}".encode()).hexdigest()[:16]
    return os.path.join(folder, f"grammar-{digest}.lark")


@dataclass(frozen=True, slots=True)
class Equation:
    """An equation as typed: both sides read, positions into the whole text (implicit differentiation reads these)."""

    lhs: Expr
    rhs: Expr
    text: str
    warnings: tuple[str, ...] = ()


def parse(
    text: str,
    variables: Iterable[str] = (),
    functions: Iterable[str] = (),
    *,
    reach: str = "rest",
    latex: bool | None = None,
) -> Parsed:
    """Read text as an expression: the tree, and warnings naming how any ambiguous part was read.

    variables: multi-letter names read as one variable (["ab"]); functions: names of abstract functions (["f", "g"]).
    Plain text and LaTeX (a backslash or ^{…}) are both read. An equation that names what it defines
    (f(x) = …, y = …, f'(x) = …, dy/dx = …) means its right-hand side, with a note; any other equation is refused
    (parse_equation reads both sides). reach: how far d/dx reaches without a bracket after it (see lexer.tokenize).
    latex: True reads the text as LaTeX, False as plain text, None (the default) tells by the text (or reading_latex).
    """
    declared = _declared(text, variables, functions)
    split = equations.split(text)
    if split is None:
        return _read(text, text, *declared, reach, latex)
    lhs, rhs = split
    name = equations.defined_name(lhs.text)
    if name is None:
        raise EquationError(
            "this is an equation, not an expression",
            text,
            split[0].end,
            'to find dy/dx from it use deriv implicit "…" --wrt x; to differentiate one side, type only that side',
        )
    right = _read(rhs.blanked, text, *declared, reach, latex)
    shown = " ".join(rhs.text.split())
    note = f"read {' '.join(lhs.text.split())} = {shown} as its right-hand side, {shown}"
    return Parsed(right.expr, text, (note, *right.warnings), right.spans)


# Whether every expression read in this context is LaTeX (deriv --latex), plain text, or told by its look (None).
_LATEX: contextvars.ContextVar[bool | None] = contextvars.ContextVar("derivsteps_latex_input", default=None)


@contextmanager
def reading_latex(latex: bool | None = True) -> Iterator[None]:
    """Within the block, parse reads every expression as LaTeX (True) or plain text (False), wherever it is called."""
    token = _LATEX.set(latex)
    try:
        yield
    finally:
        _LATEX.reset(token)


def parse_equation(text: str, variables: Iterable[str] = (), functions: Iterable[str] = ()) -> Equation:
    """Read an equation, such as x^2 + y^2 = 25: both sides, and the notes on how they were read."""
    declared = _declared(text, variables, functions)
    split = equations.split(text)
    if split is None:
        raise EquationError(
            "there is no '=' in this equation", text, None, "write it as left side = right side, such as x^2 + y^2 = 25"
        )
    left, right = (_read(side.blanked, text, *declared) for side in split)
    return Equation(left.expr, right.expr, text, tuple(dict.fromkeys((*left.warnings, *right.warnings))))


def _declared(
    text: object, variables: Iterable[str], functions: Iterable[str]
) -> tuple[frozenset[str], frozenset[str]]:
    if not isinstance(text, str):
        raise TypeError("parse() takes the expression as a string")
    for what, names in (("variables", variables), ("functions", functions)):
        if isinstance(names, str):
            raise TypeError(f"{what} is a list of names, such as [{names!r}], not a string")
    return frozenset(variables), frozenset(functions)


def _read(
    source: str,
    text: str,
    variables: frozenset[str],
    functions: frozenset[str],
    reach: str = "rest",
    latex: bool | None = None,
) -> Parsed:
    """Parse source, which is text or text with everything outside one side of an equation blanked out (so every
    offset is already an offset into text); errors show the whole text."""
    try:
        if latex is None:
            latex = _LATEX.get()
        if latex or (latex is None and equations.looks_like_latex(source)):
            from .latex_reader import read_latex

            spans: dict[int, tuple[int, int]] = {}
            expr, warnings = read_latex(source, variables, functions, spans=spans)
            check_defined(expr, spans, unicodedata.normalize("NFC", source))
            return Parsed(expr, text, tuple(dict.fromkeys(warnings)), spans)
        lexed = tokenize(source, variables, functions, reach=reach)
        normalized = unicodedata.normalize("NFC", source)  # the text the lexer's offsets point into
        context: ParseContext[Lexed] = ParseContext(normalized, lexed)
        expr = parse_tokens(_parser(), _TokenFeed, context, lambda error: _explain(error, normalized, lexed.tokens))
        # Every command reads its expressions here, so nothing undefined (1/0, ln(x - x)) gets further.
        check_defined(expr, context.spans, normalized)
    except InputError as error:
        if source is not text and error.text is not None:
            error.text = unicodedata.normalize("NFC", text)
        raise
    return Parsed(expr, text, tuple(dict.fromkeys(lexed.warnings)), context.spans)


# -- error messages in words ------------------------------------------------------------------------------------------
# Token kinds that can begin an operand: when lark expected only these, the message is "expected a number, ...".
_OPERAND_STARTS = {
    "NUMBER",
    "NAME",
    "CONST",
    "FUNC",
    "AFUNC",
    "LOGB",
    "SUM",
    "DIFF",
    "DOP",
    "_LPAR",
    "_LSQB",
    "_BAR_OPEN",
    "_PARTIAL",
    "_MINUS",
}
_OPERAND = "a number, a variable or '('"
_SHOWN = {
    "_PLUS": "'+'", "_MINUS": "'-'", "_STAR": "'*'", "_SLASH": "'/'", "_CARET": "'^'", "_LPAR": "'('", "_RPAR": "')'",
    "_LSQB": "'['", "_RSQB": "']'", "_COMMA": "','", "_BAR_OPEN": "'|'", "_BAR_CLOSE": "the closing '|'",
    "_PARTIAL": "'∂'", "PRIME": "a prime (')",
}  # fmt: skip


def _describe(token: Token, text: str) -> str:
    """What a student would call a token: "the variable a_i", "'^'", "d/dx" (never lark's token names)."""
    raw = text[token.start : token.end]
    match token.type:
        case "NUMBER" if raw[:1] in SUPERSCRIPTS:
            return f"the exponent {raw}"
        case "NUMBER":
            return f"the number {raw}"
        case "NAME":
            return f"the variable {raw}"
        case "FUNC" | "AFUNC" | "LOGB":
            return f"the function {raw}"
        case "CONST":
            return f"the constant {raw}"
        case "DOP" | "SUM" | "DIFF":
            return raw
        case "_CARET" if raw == "**":
            return "'**'"
        case _:
            return _SHOWN.get(token.type, "this")


def _needs_argument(tokens: list[Token], last: int, text: str) -> ParseError | None:
    """The error for input that stops after a function name (sin, sin^2, sin^-1, log_2), if tokens[last] ends one."""
    start = last
    if tokens[last].type in ("NUMBER", "NAME", "CONST"):
        if last >= 2 and tokens[last - 1].type == "_CARET":
            start = last - 2
        elif last >= 3 and tokens[last - 1].type == "_MINUS" and tokens[last - 2].type == "_CARET":
            start = last - 3
    if start < 0 or tokens[start].type not in ("FUNC", "LOGB") or (start != last and tokens[start].type != "FUNC"):
        return None
    shown = " ".join(text[tokens[start].start : tokens[last].end].split())
    return ParseError(f"{shown} needs an argument", text, tokens[start].start, f"write {shown}(x) or {shown} x")


def _explain(error: UnexpectedInput, text: str, tokens: list[Token]) -> ParseError:
    """Our ParseError, in words, for an error lark reported (the lexer already caught brackets and characters)."""
    expected = set(getattr(error, "expected", ()) or ())
    at_end = isinstance(error, UnexpectedEOF) or (isinstance(error, UnexpectedToken) and error.token.type == "$END")
    if at_end:
        index = len(tokens)
    else:
        bad_start = error.token.start_pos if isinstance(error, UnexpectedToken) else getattr(error, "pos_in_stream", 0)
        index = next((i for i, t in enumerate(tokens) if t.start == bad_start), len(tokens))
    previous = tokens[index - 1] if index > 0 else None
    bad = tokens[index] if index < len(tokens) else None
    after = f" after {_describe(previous, text)}" if previous is not None else " at the start"
    position = len(text) if bad is None else bad.start

    if previous is not None and bad is not None and previous.type in ("FUNC", "LOGB"):
        shown = text[previous.start : previous.end]
        if bad.type == "_MINUS":
            return ParseError(
                f"a negative argument of {shown} needs parentheses", text, bad.start, f"write {shown}(-x)"
            )
        if bad.type == "_CARET" and previous.type == "LOGB":
            return ParseError(f"a power of {shown} needs parentheses", text, bad.start, f"write ({shown} x)^2")

    # What is missing, named by what came before.
    if previous is not None and (bad is None or bad.type not in _OPERAND_STARTS | {"PRIME"}):
        if (missing := _needs_argument(tokens, index - 1, text)) is not None:
            return missing
        if previous.type == "SUM":
            return ParseError(
                f"{_describe(previous, text)} needs something to sum", text, previous.start, "write sum_i (x_i^2)"
            )
    if previous is not None and previous.type in ("DIFF", "AFUNC", "PRIME"):
        function = next((t for t in reversed(tokens[:index]) if t.type in ("DIFF", "AFUNC")), previous)
        name = text[function.start : function.end]
        example = "diff(x^2, x)" if previous.type == "DIFF" else f"{name}(x)"
        return ParseError(f"{name} needs its arguments in parentheses", text, position, f"write {example}")
    if bad is not None and bad.type == "PRIME":
        return ParseError(
            "a prime (') marks the derivative of a declared function and goes right after its name",
            text,
            bad.start,
            "write f'(x), with f declared as a function (functions=['f'], --functions f)",
        )
    if expected and expected <= _OPERAND_STARTS:
        if bad is not None and bad.type == "_RPAR" and previous is not None and previous.type == "_LPAR":
            return ParseError("the parentheses are empty", text, bad.start, "put an expression inside them")
        prefix = "the expression ends too early: " if bad is None else ""
        return ParseError(f"{prefix}expected {_OPERAND}{after}", text, position)
    wanted = sorted(_SHOWN[kind] for kind in expected if kind in _SHOWN)
    if bad is None:
        if len(wanted) == 1:
            return ParseError(f"the expression ends too early: expected {wanted[0]}{after}", text, position)
        return ParseError(f"the expression ends too early{after}", text, position)
    if len(wanted) == 1 and expected <= set(_SHOWN):
        return ParseError(f"expected {wanted[0]}{after}, not {_describe(bad, text)}", text, bad.start)

    # Something that cannot stand where it is.
    if bad.type == "NUMBER" and previous is not None:
        hint = (
            "write * between the numbers"
            if previous.type == "NUMBER"
            else "write * between the two factors, or put the number first (2x, not x 2)"
        )
        return ParseError(
            f"a number cannot follow {_describe(previous, text)} without an operator", text, bad.start, hint
        )
    if bad.type == "_COMMA":
        return ParseError("a comma only separates the arguments of a function, as in log(x, 2)", text, bad.start)
    if bad.type == "_BAR_OPEN":
        return ParseError("cannot read this '|'", text, bad.start, "write abs(...) for an absolute value")
    return ParseError(f"did not expect {_describe(bad, text)}{after}", text, bad.start)
