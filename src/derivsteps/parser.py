"""Loads the grammar, builds the LALR parser once, and turns text into an expression tree; the only module that imports lark."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path as FilePath

from lark import Lark, Token as LarkToken, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken
from lark.lexer import Lexer

from . import limits
from .errors import LimitError, ParseError, UnknownFunctionError
from .lexer import Lexed, Token, tokenize
from .tree import Add, Apply, Call, Const, Deriv, Div, Expr, Mul, Neg, Pow, Sum, Var, children, decimal_num

# Elementary functions and how many arguments each takes; log's second argument is its base.
ARITY = {name: (1, 1) for name in "sin cos tan sec csc cot asin acos atan sinh cosh tanh exp ln sqrt abs".split()}
ARITY["log"] = (1, 2)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parse result: the tree, the input as typed, and notes on how ambiguous input was read."""

    expr: Expr
    text: str
    warnings: tuple[str, ...] = ()


def grammar_text() -> str:
    """The grammar: packaged inside the wheel, or from the checkout's grammars/ in an editable install."""
    packaged = resources.files("derivsteps").joinpath("grammars").joinpath("expr.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = FilePath(__file__).resolve().parents[2] / "grammars" / "expr.lark"
    return checkout.read_text(encoding="utf-8")


# The token stream of the parse in progress: lark calls our lexer adapter with the text only.
_CURRENT: contextvars.ContextVar[_Context] = contextvars.ContextVar("derivsteps_parse")


class _Context:
    def __init__(self, text: str, lexed: Lexed):
        self.text = text
        self.lexed = lexed
        self.grouped: set[int] = set()  # ids of nodes written inside parentheses: (a + b) + c stays nested
        self.depths: dict[int, int] = {}


class _TokenFeed(Lexer):
    """Hands lark the tokens our own lexer made."""

    def __init__(self, lexer_conf):
        pass

    def lex(self, lexer_state, parser_state=None):
        for token in _CURRENT.get().lexed.tokens:
            yield LarkToken(token.type, token.value, start_pos=token.start, end_pos=token.end, line=1, column=token.start + 1)


def _start(token) -> int:
    return token.start_pos if isinstance(token, LarkToken) else 0


@v_args(inline=True)
class _Build(Transformer):
    """One method per grammar alias, each returning a tree node; no simplification happens here."""

    # -- bookkeeping -------------------------------------------------------------------------------------------
    def _node(self, node: Expr, at: int | None = None) -> Expr:
        ctx = _CURRENT.get()
        level = 1 + max((ctx.depths.get(id(kid), 1) for kid in children(node)), default=0)
        if level > limits.MAX_DEPTH:
            raise LimitError(
                f"the expression is nested more than {limits.MAX_DEPTH} levels deep (limits.MAX_DEPTH)",
                ctx.text,
                at if at is not None else 0,
            )
        ctx.depths[id(node)] = level
        return node

    def _grouped(self, node: Expr) -> bool:
        return id(node) in _CURRENT.get().grouped

    # -- sums and products -----------------------------------------------------------------------------------------
    def add(self, left, right):
        terms = left.terms if isinstance(left, Add) and not self._grouped(left) else (left,)
        return self._node(Add(terms + (right,)))

    def sub(self, left, right):
        return self.add(left, self._node(Neg(right)))

    def neg(self, arg):
        return self._node(Neg(arg))

    def mul(self, left, right):
        factors = left.factors if isinstance(left, Mul) and not self._grouped(left) else (left,)
        return self._node(Mul(factors + (right,)))

    def div(self, num, den):
        return self._node(Div(num, den))

    def pow(self, base, exp):
        return self._node(Pow(base, exp))

    # -- derivatives ------------------------------------------------------------------------------------------------
    def _operator(self, dop: LarkToken, body: Expr) -> Expr:
        name, sub = dop.value
        return self._node(Deriv(body, Var(name, sub)), _start(dop))

    def deriv_op(self, dop, body):
        return self._operator(dop, body)

    def mul_deriv_op(self, left, dop, body):
        return self.mul(left, self._operator(dop, body))

    def deriv_frac(self, body, var):
        return self._node(Deriv(body, var))

    def diff_call(self, token, args):
        if len(args) != 2 or not isinstance(args[1], Var):
            raise UnknownFunctionError("diff takes an expression and a variable: diff(x^2 sin(x), x)", _CURRENT.get().text, _start(token))
        return self._node(Deriv(args[0], args[1]), _start(token))

    # -- atoms --------------------------------------------------------------------------------------------------------
    def number(self, token):
        return decimal_num(str(token))

    def var(self, token):
        name, sub = token.value
        return Var(name, sub)

    def const(self, token):
        return Const(token.value)

    def group(self, inner):
        _CURRENT.get().grouped.add(id(inner))
        return inner

    def abs_bars(self, inner):
        return self._node(Call("abs", (inner,)))

    # -- functions ---------------------------------------------------------------------------------------------------
    def paren_args(self, *args):
        return tuple(args)

    def _call(self, token, args: tuple[Expr, ...]) -> Expr:
        name = token.value
        low, high = ARITY[name]
        if not low <= len(args) <= high:
            wanted = "one argument" if high == 1 else "one or two arguments (the second is the base)"
            raise UnknownFunctionError(f"{name} takes {wanted}, not {len(args)}", _CURRENT.get().text, _start(token))
        return self._node(Call(name, args), _start(token))

    def call(self, token, args):
        return self._call(token, args)

    def call_bare(self, token, arg):
        return self._call(token, (arg,))

    def call_bare_pow(self, token, exp, arg):
        return self.pow(self._call(token, (arg,)), exp)

    def call_pow(self, token, exp, args):
        return self.pow(self._call(token, args), exp)

    def _base(self, token) -> Expr:
        text = token.value
        if text.isdigit():
            return decimal_num(text)
        if text in ("e",):
            return Const("e")
        return Var(text)

    def logb(self, token, args):
        if len(args) != 1:
            raise UnknownFunctionError("log_b takes one argument: log_2(x)", _CURRENT.get().text, _start(token))
        return self._node(Call("log", (args[0], self._base(token))), _start(token))

    def logb_bare(self, token, arg):
        return self.logb(token, (arg,))

    def apply(self, token, *rest):
        *primes, args = rest
        derivs = (0,) * len(primes)
        if primes and len(args) != 1:
            raise UnknownFunctionError(
                f"primes mark the derivative of a function of one variable; {token.value} has {len(args)} arguments",
                _CURRENT.get().text,
                _start(token),
            )
        return self._node(Apply(token.value, args, derivs), _start(token))

    def sum_over(self, token, body):
        index, lower, upper = token.value
        bounds = [None if b is None else _bound(b) for b in (lower, upper)]
        return self._node(Sum(body, index, bounds[0], bounds[1]), _start(token))


def _bound(text: str) -> Expr:
    return decimal_num(text) if text.isdigit() else Var(text)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(grammar_text(), parser="lalr", lexer=_TokenFeed, transformer=_Build(), maybe_placeholders=False)


def parse(text: str, variables=(), functions=()) -> Parsed:
    """Read text as an expression: the tree, and warnings naming how any ambiguous part was read."""
    if not isinstance(text, str):
        raise TypeError("parse() takes the expression as a string")
    declared_vars = frozenset(variables)
    declared_fns = frozenset(functions)
    lexed = tokenize(text, declared_vars, declared_fns)
    normalized = _normalized(text)
    token = _CURRENT.set(_Context(normalized, lexed))
    try:
        expr = _parser().parse(normalized)
    except UnexpectedInput_ as error:
        raise _explain(error, normalized, lexed) from None
    finally:
        _CURRENT.reset(token)
    return Parsed(expr, text, tuple(dict.fromkeys(lexed.warnings)))


def _normalized(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFC", text)


UnexpectedInput_ = (UnexpectedToken, UnexpectedCharacters, UnexpectedEOF)

# What a student would call each kind of token, for "expected ..." messages.
_OPERAND_STARTS = {"NUMBER", "NAME", "CONST", "FUNC", "AFUNC", "LOGB", "SUM", "DIFF", "DOP", "_LPAR", "_LSQB", "_BAR_OPEN", "_PARTIAL", "_MINUS"}
_SHOWN = {
    "_PLUS": "'+'", "_MINUS": "'-'", "_STAR": "'*'", "_SLASH": "'/'", "_CARET": "'^'", "_LPAR": "'('", "_RPAR": "')'",
    "_LSQB": "'['", "_RSQB": "']'", "_COMMA": "','", "_BAR_OPEN": "'|'", "_BAR_CLOSE": "'|'", "_PARTIAL": "'∂'", "PRIME": "'",
}  # fmt: skip


def _describe(token: Token) -> str:
    match token.type:
        case "NUMBER":
            return f"the number {token.value}"
        case "NAME":
            return f"the variable {token.value[0]}"
        case "FUNC" | "AFUNC" | "LOGB":
            return f"the function {token.value if token.type != 'LOGB' else 'log'}"
        case "DOP":
            return "a derivative operator"
        case "SUM":
            return f"the sum over {token.value[0]}"
        case "CONST":
            return f"the constant {token.value}"
        case "DIFF":
            return "diff"
        case _:
            return _SHOWN.get(token.type, repr(token.value))


def _explain(error: Exception, text: str, lexed: Lexed) -> ParseError:
    """Our ParseError, in words, for an error lark reported."""
    tokens = lexed.tokens
    if isinstance(error, UnexpectedEOF) or (isinstance(error, UnexpectedToken) and error.token.type == "$END"):
        last = tokens[-1] if tokens else None
        expected = set(getattr(error, "expected", ()) or ())
        if last is not None and last.type == "FUNC":
            return ParseError(f"{last.value} needs an argument", text, last.start, f"write {last.value}(x) or {last.value} x")
        after = f" after {_describe(last)}" if last is not None else ""
        if expected & _OPERAND_STARTS or not expected:
            return ParseError(f"the expression ends too early: expected a number, a variable or '('{after}", text, len(text))
        return ParseError(f"the expression ends too early{after}", text, len(text))
    bad_start = error.token.start_pos if isinstance(error, UnexpectedToken) else error.pos_in_stream
    index = next((i for i, t in enumerate(tokens) if t.start == bad_start), None)
    bad = tokens[index] if index is not None else None
    previous = tokens[index - 1] if index else None
    expected = set(getattr(error, "expected", ()) or ())
    if bad is None:
        return ParseError("this cannot be read as an expression", text, bad_start)
    if previous is not None and previous.type == "FUNC" and bad.type in ("_RPAR", "_PLUS", "_STAR", "_SLASH", "_CARET", "_COMMA"):
        return ParseError(f"{previous.value} needs an argument", text, previous.start, f"write {previous.value}(x) or {previous.value} x")
    if expected and expected <= _OPERAND_STARTS | {"NUMBER"}:
        where = f" after {_describe(previous)}" if previous is not None else " at the start"
        return ParseError(f"expected a number, a variable or '('{where}", text, bad.start)
    if bad.type == "NUMBER" and previous is not None:
        return ParseError(
            f"a number cannot follow {_describe(previous)} without an operator",
            text,
            bad.start,
            "write * between the two factors, or put the number first (2x, not x 2)",
        )
    if bad.type == "_COMMA":
        return ParseError("a comma only separates the arguments of a function, as in log(x, 2)", text, bad.start)
    if bad.type == "_BAR_OPEN":
        return ParseError("cannot read this '|'", text, bad.start, "write abs(...) for an absolute value")
    return ParseError(f"unexpected {_describe(bad)}", text, bad.start)
