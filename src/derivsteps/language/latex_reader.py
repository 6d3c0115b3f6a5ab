"""Reads LaTeX math into an expression tree: a Python lexer for TeX's tokens, the LALR grammar grammars/latex.lark, notes on ambiguity.

Why a Python lexer and not lark's standard one: control words would delimit themselves, but three things a regular
expression cannot know decide the tokens. Whether "ab" is a·b or the declared variable ab depends on the caller.
\\frac{d}{dx} is one operator, and whether a bracket follows it decides how far it reaches. TeX takes a brace-less
argument as one character (x^23 is x^{2}3, \\frac12 is 1/2) and a function's argument without brackets (\\sin 2x) as
the tight run after it. So this lexer reads TeX's argument rules and gives every argument explicit delimiters
(synthetic zero-width tokens), and the grammar stays pure syntax. Offsets in tokens and errors point into the text as
given (after NFC normalisation, as in lexer.py), so a caret lands under the character even inside $...$.
"""

from __future__ import annotations

import contextvars
import difflib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import cast

from lark import Lark, v_args
from lark import Token as LarkToken
from lark.exceptions import UnexpectedInput

from ..core import limits
from ..core.errors import LimitError, ParseError, UnknownFunctionError
from ..core.functions import BY_NAME, CATALOGUE, LOG_SPELLINGS, SPELLINGS
from ..core.tree import Add, Apply, Call, Deriv, Div, Expr, Mul, Neg, Num, Pow, Sum, Var
from .lexer import GREEK, GREEK_LETTERS, OPERATOR_LOOKALIKES, Token, check_declared
from .parser import ParseContext, Pending, TokenFeed, TreeBuilder, build_parser, parse_tokens, token_end, token_start

__all__ = ["read_latex"]


# -- what the lexer knows -----------------------------------------------------------------------------------------------
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")

# Control words that print nothing we read: spacing, style, and the limits placement of \sum.
_IGNORED = frozenset(
    "quad qquad displaystyle textstyle scriptstyle limits nolimits thinspace medspace thickspace enspace".split()
)
_IGNORED_SYMBOLS = frozenset(",;:! ")  # \, \; \: \! and "\ "
_SIZES = frozenset("big Big bigg Bigg".split())  # \big( and \bigl( size a bracket like \left( without pairing it

# LaTeX has no \omicron (it is the Latin o), and the var- forms are the same letters.
_GREEK_MACROS = {name: name for name in GREEK if name != "omicron"}
_GREEK_MACROS.update(
    {"varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "varsigma": "sigma", "varrho": "rho"}
)

# Function macros LaTeX defines, from each catalogue row's own LaTeX (\sqrt takes braces, so it has its own token),
# plus \lg (base 10, as functions.LOG_SPELLINGS).
_FUNCTION_MACROS = {f.latex[1:]: f.name for f in CATALOGUE if f.latex[1:].isalpha() and f.name != "sqrt"}
_FIXED_BASE = {"lg": LOG_SPELLINGS["lg"]}

_REFUSED = {
    "int": "integrals are not supported; derivsteps differentiates",
    "iint": "integrals are not supported; derivsteps differentiates",
    "iiint": "integrals are not supported; derivsteps differentiates",
    "oint": "integrals are not supported; derivsteps differentiates",
    "lim": "limits are not supported; derivsteps differentiates",
    "infty": "infinity is not a number derivsteps can compute with",
    "prod": "products over an index are not supported; write the factors out",
    "pm": "± stands for two expressions; write each one separately",
    "mp": "∓ stands for two expressions; write each one separately",
    "lVert": "norms are not supported; write \\left|x\\right| for an absolute value",
    "Vert": "norms are not supported; write \\left|x\\right| for an absolute value",
    "text": "\\text{...} holds words, not math",
}

_BRACKET_NAMES = {"(": "parenthesis", "[": "bracket", "{": "brace", "|": "absolute value bar"}

# Every command we understand, for "did you mean" on an unknown one.
_KNOWN = sorted(
    set(_IGNORED) | set(_SIZES) | set(_GREEK_MACROS) | set(_FUNCTION_MACROS) | set(_FIXED_BASE)
    | {"pi", "frac", "dfrac", "tfrac", "sqrt", "sum", "partial", "cdot", "times", "ast", "div", "left", "right",
       "mathrm", "operatorname", "lvert", "rvert", "vert", "lbrace", "rbrace"}
    | {size + side for size in _SIZES for side in "lr"}
)  # fmt: skip

# Tokens after which a value has ended: a bare "|" there closes an absolute value rather than opening one.
_ENDS_OPERAND = {"NUMBER", "NAME", "CONST", "CLOSE", "BAR_CLOSE", "_RBRACE", "PRIME"}


@dataclass(slots=True)
class _Open:
    """An opened group: a TeX group {...}, a bracket ( [ \\{ |, or the [n] of \\sqrt[n]."""

    kind: str  # "group", or the opening bracket: ( [ { (for \\{) |
    offset: int
    index: int  # of its token
    sized: bool = False  # opened with \left, so closed with \right
    optional: bool = False  # the [n] of \sqrt[n]{x}
    sum_subscript: bool = False  # the {i=1} of \sum_{i=1}, the one place '=' may stand


@dataclass(slots=True)
class _Expect:
    """A command still waiting for arguments at a nesting depth (TeX reads one brace group or one token per argument)."""

    owner: str
    offset: int
    remaining: int
    depth: int
    message: str
    hint: str
    sum_subscript: bool = False


@dataclass(slots=True)
class _Lexed:
    tokens: list[Token] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _names_of(text: str) -> str:
    return " ".join(text.split())


class _Lexer:
    def __init__(self, text: str, start: int, end: int, variables: frozenset[str], functions: frozenset[str]):
        self.text = text
        self.pos = start
        self.end = end
        self.variables = variables
        self.functions = functions
        # Longest first, so a declared "ab" wins over a·b; catalogue spellings let a pasted "sin x" mean \sin x.
        self.words = sorted(variables | functions | set(SPELLINGS), key=len, reverse=True)
        self.out = _Lexed()
        self.stack: list[_Open] = []
        self.expect: list[_Expect] = []
        self.differentials: dict[int, int] = {}  # start -> end of each d or \mathrm{d} that is a differential

    # -- helpers -------------------------------------------------------------------------------------------------
    def error(self, message: str, offset: int | None, hint: str | None = None) -> ParseError:
        return ParseError(message, self.text, offset, hint)

    def emit(self, type_: str, value: object, start: int, end: int) -> None:
        self.out.tokens.append(Token(type_, value, start, end))

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < self.end else ""

    def skip_blank(self, at: int | None = None) -> int:
        """The offset of the next character that is not white space or a % comment, from `at` (or self.pos, moved)."""
        here = self.pos if at is None else at
        while here < self.end:
            char = self.text[here]
            if char in " \t\r\n~":
                here += 1
            elif char == "%":
                while here < self.end and self.text[here] != "\n":
                    here += 1
            else:
                break
        if at is None:
            self.pos = here
        return here

    def control_word(self, at: int) -> tuple[str, int]:
        """The command at `at` (a backslash): its name and where it ends; a control symbol (\\, \\{) is one character."""
        here = at + 1
        while here < self.end and self.text[here] in _LETTERS:
            here += 1
        if here == at + 1 and here < self.end:
            here += 1
        return self.text[at + 1 : here], here

    # -- main loop -------------------------------------------------------------------------------------------------
    def run(self) -> _Lexed:
        while True:
            self.skip_blank()
            if self.pos >= self.end:
                break
            if not self.argument():
                self.step()
        if self.expect:
            waiting = self.expect[-1]
            raise self.error(waiting.message, waiting.offset, waiting.hint)
        if self.stack:
            raise self.unclosed(self.stack[-1])
        _delimit_arguments(self.out, self.text)
        _separate_derivatives(self.out)
        return self.out

    def unclosed(self, opened: _Open) -> ParseError:
        if opened.kind == "group":
            return self.error("unclosed '{'", opened.offset, "add the closing '}'")
        if opened.optional:
            return self.error("unclosed '[' of \\sqrt[n]", opened.offset, "write \\sqrt[3]{x}")
        shown = self.text[opened.offset : self.out.tokens[opened.index].end]
        closer = ("\\right" if opened.sized else "") + {"(": ")", "[": "]", "{": "\\}", "|": "|"}[opened.kind]
        return self.error(
            f"unclosed {_BRACKET_NAMES[opened.kind]} '{shown}'", opened.offset, f"add the closing {closer}"
        )

    def argument(self) -> bool:
        """At the start of a command's argument: let a '{' open normally, or brace one token as TeX reads it (x^2 is x^{2})."""
        if not self.expect or self.expect[-1].depth != len(self.stack):
            return False
        waiting = self.expect[-1]
        waiting.remaining -= 1
        if waiting.remaining == 0:
            self.expect.pop()
        char = self.text[self.pos]
        if char == "{":
            self.open_brace(sum_subscript=waiting.sum_subscript)
            return True
        start = self.pos
        self.emit("_LBRACE", "{", start, start)
        if char in _DIGITS:
            self.pos += 1
            self.emit("NUMBER", char, start, self.pos)
            if waiting.owner in ("^", "_") and self.peek() in _DIGITS and self.peek():
                digits = self.text[start : self.pos + 1]
                raise self.error(
                    f"in LaTeX {waiting.owner}{digits} means {waiting.owner}{{{digits[0]}}}{digits[1]}: only one character follows without braces",
                    waiting.offset,
                    f"write {waiting.owner}{{{digits}}}",
                )
        elif char in _LETTERS:
            self.pos += 1
            if char == "e" and not waiting.sum_subscript:  # x^e and \log_e x, but \sum_e indexes by a letter
                self.emit("CONST", "e", start, self.pos)
            else:
                self.emit("NAME", (char, None), start, self.pos)
        elif char == "\\" and (self.control_word(start)[0] in _GREEK_MACROS or self.control_word(start)[0] == "pi"):
            word, self.pos = self.control_word(start)
            if word == "pi":
                self.emit("CONST", "pi", start, self.pos)
            else:
                self.emit("NAME", (_GREEK_MACROS[word], None), start, self.pos)
        elif char in GREEK_LETTERS:
            self.pos += 1
            self.emit("NAME", (GREEK_LETTERS[char], None), start, self.pos)
        elif char == "-" and waiting.owner == "^":
            raise self.error("a negative exponent needs braces", waiting.offset, "write x^{-1}")
        else:
            raise self.error(waiting.message, waiting.offset, waiting.hint)
        self.emit("_RBRACE", "}", self.pos, self.pos)
        return True

    def wait_for(
        self, owner: str, offset: int, count: int, message: str, hint: str, sum_subscript: bool = False
    ) -> None:
        self.expect.append(_Expect(owner, offset, count, len(self.stack), message, hint, sum_subscript))

    def step(self) -> None:
        char = self.text[self.pos]
        start = self.pos
        if char in _DIGITS or (char == "." and self.peek(1) in _DIGITS and self.peek(1)):
            self.number()
        elif char in _LETTERS:
            self.letters()
        elif char == "\\":
            self.command()
        elif char == "{":
            self.open_brace()
        elif char == "}":
            self.close("group", start, start + 1)
        elif char in "([":
            self.open(char, start, start + 1)
        elif char in ")]":
            self.close("(" if char == ")" else "[", start, start + 1)
        elif char == "|":
            self.bar(start, start + 1)
        elif char in GREEK_LETTERS:
            self.pos += 1
            self.name_token(GREEK_LETTERS[char], start)
        elif char == "π":
            self.pos += 1
            self.emit("CONST", "pi", start, self.pos)
        elif char == "∂":
            self.pos += 1
            self.emit("_D", "∂", start, self.pos)
        elif char in "+-*/^_',=" or char in OPERATOR_LOOKALIKES:
            self.operator(OPERATOR_LOOKALIKES.get(char, char), start)
        elif char == "$":
            raise self.error(
                "'$' only opens and closes the math", start, "remove it, or put the whole expression between $ and $"
            )
        elif char == "&":
            raise self.error("alignment ('&') is not part of an expression", start, "give one expression")
        else:
            shown = f"'{char}'" if char.isprintable() else f"U+{ord(char):04X}"
            raise self.error(f"unexpected character {shown}", start)

    def operator(self, char: str, start: int) -> None:
        self.pos += 1
        match char:
            case "+":
                self.emit("_PLUS", char, start, self.pos)
            case "-":
                self.emit("_MINUS", char, start, self.pos)
            case "*":
                self.emit("_TIMES", char, start, self.pos)
            case "/":
                self.emit("_SLASH", char, start, self.pos)
            case "'":
                self.emit("PRIME", char, start, self.pos)
            case ",":
                self.emit("_COMMA", char, start, self.pos)
            case "^":
                self.emit("_SUP", char, start, self.pos)
                self.wait_for("^", start, 1, "'^' needs an exponent", "write x^{2}")
            case "_":
                self.emit("_SUB", char, start, self.pos)
                after_sum = (
                    len(self.out.tokens) >= 2 and self.out.tokens[-2].type == "SUM" or self.sum_superscript_before()
                )
                if not after_sum and not (len(self.out.tokens) >= 2 and self.out.tokens[-2].type == "FUNC"):
                    raise self.error(
                        "'_' makes a subscript: only a variable, \\log or \\sum takes one here",
                        start,
                        "write x_{1}, \\log_{2} x or \\sum_{i} x_{i}",
                    )
                self.wait_for(
                    "_",
                    start,
                    1,
                    "'_' needs a subscript",
                    "write x_{1}, \\log_{2} x or \\sum_{i} x_{i}",
                    sum_subscript=after_sum,
                )
            case "=":
                if not (self.stack and self.stack[-1].sum_subscript):
                    raise self.error(
                        "'=' is not part of an expression",
                        start,
                        "an equation's two sides are read one at a time; give one side",
                    )
                self.emit("_EQUALS", char, start, self.pos)

    def sum_superscript_before(self) -> bool:
        """Whether the '_' just emitted follows \\sum^{n}: the bounds may come in either order."""
        tokens = self.out.tokens
        if len(tokens) < 2 or tokens[-2].type != "_RBRACE":
            return False
        depth = 0
        for index in range(len(tokens) - 2, -1, -1):
            kind = tokens[index].type
            depth += kind == "_RBRACE"
            depth -= kind == "_LBRACE"
            if depth == 0:
                return index >= 2 and tokens[index - 1].type == "_SUP" and tokens[index - 2].type == "SUM"
        return False

    # -- groups and brackets ------------------------------------------------------------------------------------------
    def push(self, opened: _Open) -> None:
        self.stack.append(opened)
        if len(self.stack) > limits.MAX_DEPTH:
            raise LimitError(
                f"brackets and braces are nested more than {limits.MAX_DEPTH} deep ({limits.named('MAX_DEPTH')})",
                self.text,
                opened.offset,
            )

    def open_brace(self, sum_subscript: bool = False) -> None:
        start = self.pos
        self.pos += 1
        self.push(_Open("group", start, len(self.out.tokens), sum_subscript=sum_subscript))
        self.emit("_LBRACE", "{", start, self.pos)

    def open(self, kind: str, start: int, end: int, sized: bool = False, optional: bool = False) -> None:
        self.pos = end
        self.push(_Open(kind, start, len(self.out.tokens), sized=sized, optional=optional))
        self.emit("_OPT_OPEN" if optional else "BAR_OPEN" if kind == "|" else "OPEN", kind, start, end)

    def close(self, kind: str, start: int, end: int, sized: bool = False) -> None:
        """A closer for an opener of `kind` ("group" for '}', or ( [ { |), \\right-sized or not."""
        self.pos = end
        shown = self.text[start:end]
        if not self.stack:
            raise self.error(f"unmatched '{shown}': nothing opened before it", start)
        opened = self.stack[-1]
        if opened.optional and kind == "[" and not sized:
            self.stack.pop()
            self.emit("_OPT_CLOSE", "]", start, end)
            self.wait_for("\\sqrt", opened.offset, 1, "\\sqrt needs an argument in braces", "write \\sqrt[3]{x}")
            return
        if opened.kind != kind or opened.sized != sized or opened.optional:
            opener = self.text[opened.offset : self.out.tokens[opened.index].end]
            column = opened.offset + 1 - (self.text.rfind("\n", 0, opened.offset) + 1)
            raise self.error(f"'{shown}' closes the '{opener}' opened at column {column}", start)
        self.stack.pop()
        self.emit({"group": "_RBRACE", "|": "BAR_CLOSE"}.get(kind, "CLOSE"), kind, start, end)

    def bar(self, start: int, end: int, side: str | None = None, sized: bool = False) -> None:
        """A '|': \\left| and \\lvert open, \\right| and \\rvert close; a bare one closes an open bar after a value."""
        if side is None:
            tokens = self.out.tokens
            open_bar = self.stack and self.stack[-1].kind == "|" and not self.stack[-1].sized
            side = "close" if open_bar and tokens and tokens[-1].type in _ENDS_OPERAND else "open"
        if side == "open":
            self.open("|", start, end, sized=sized)
        else:
            self.close("|", start, end, sized=sized)

    # -- numbers and names ----------------------------------------------------------------------------------------------
    def number(self) -> None:
        start = self.pos
        while self.peek() and self.peek() in _DIGITS:
            self.pos += 1
        if self.peek() == "." and self.peek(1) and self.peek(1) in _DIGITS:
            self.pos += 1
            while self.peek() and self.peek() in _DIGITS:
                self.pos += 1
        elif self.peek() == ".":
            raise self.error(
                "a decimal point needs digits after it", self.pos, f"write {self.text[start : self.pos]}.0"
            )
        digits = self.text[start : self.pos]
        if len(digits) > limits.MAX_INTEGER_DIGITS:
            raise LimitError(
                f"a number with {len(digits):,} digits is longer than the limit of {limits.MAX_INTEGER_DIGITS:,} ({limits.named('MAX_INTEGER_DIGITS')})",
                self.text,
                start,
            )
        self.emit("NUMBER", digits, start, self.pos)

    def subscript(self) -> str | None:
        """The subscript of a name, if one follows: x_1, a_i, w_{ij}, x_{i,j}; TeX takes one character without braces."""
        at = self.skip_blank(self.pos)
        if at >= self.end or self.text[at] != "_":
            return None
        underscore = at
        at = self.skip_blank(at + 1)
        char = self.text[at] if at < self.end else ""
        if char == "{":
            close = self.text.find("}", at)
            if close < 0 or close > self.end:
                raise self.error("unclosed '{'", at, "add the closing '}'")
            content = "".join(self.text[at + 1 : close].split())
            if not content or not all(c in _LETTERS or c in _DIGITS or c == "," for c in content):
                raise self.error("a subscript holds letters and digits, such as w_{ij}", at)
            self.pos = close + 1
            return content
        if char and (char in _LETTERS or char in _DIGITS):
            if char in _DIGITS and at + 1 < self.end and self.text[at + 1] in _DIGITS:
                digits = self.text[at : at + 2]
                raise self.error(
                    f"in LaTeX _{digits} means _{{{digits[0]}}}{digits[1]}",
                    underscore,
                    f"write _{{{digits}}} for the subscript {digits}",
                )
            self.pos = at + 1
            return char
        raise self.error("'_' needs a subscript, such as x_1, a_i or w_{ij}", underscore)

    def name_token(self, name: str, start: int) -> None:
        """A name whose letters end at self.pos: a declared function, or a variable with its digits and subscript."""
        if name in self.functions:
            self.emit("AFUNC", name, start, self.pos)
            return
        if len(name) == 1 and name in _LETTERS:  # x1 is one variable, as in the text syntax
            digits = self.pos
            while self.peek() and self.peek() in _DIGITS:
                self.pos += 1
            name += self.text[digits : self.pos]
        sub = self.subscript()
        if name == "e" and sub is None:
            self.emit("CONST", "e", start, self.pos)
        else:
            self.emit("NAME", (name, sub), start, self.pos)

    def letters(self) -> None:
        """A run of letters: declared names (longest first), catalogue function names, otherwise one variable per letter."""
        start = self.pos
        if start in self.differentials:
            self.pos = self.differentials[start]
            self.emit("_D", "d", start, self.pos)
            return
        if self.slash_operator(start):
            return
        end = start
        while end < self.end and self.text[end] in _LETTERS:
            end += 1
        at = start
        while at < end:
            word = next((w for w in self.words if len(w) <= end - at and self.text.startswith(w, at)), self.text[at])
            self.pos = at + len(word)
            if word in SPELLINGS and word not in self.variables:
                name = SPELLINGS[word]
                self.out.notes.append(
                    f"read {word} as the function {BY_NAME[name].latex}: in LaTeX, plain letters are variables"
                )
                self.emit("FUNC", name, at, self.pos)
            else:
                self.name_token(word, at)  # digits and a subscript can only follow the last piece of the run
            at = min(self.pos, end)
        self.pos = max(self.pos, end)

    def greek_or_symbol(self, word: str, start: int) -> bool:
        if word == "pi":
            self.emit("CONST", "pi", start, self.pos)
        elif word in _GREEK_MACROS:
            self.name_token(_GREEK_MACROS[word], start)
        else:
            return False
        return True

    # -- commands ------------------------------------------------------------------------------------------------------
    def command(self) -> None:
        start = self.pos
        word, end = self.control_word(start)
        self.pos = end
        if not word:
            raise self.error("a lone '\\' starts no command", start)
        if word in _IGNORED_SYMBOLS or word in _IGNORED:
            return
        if word == "\\":
            raise self.error("a line break ('\\\\') is not part of an expression", start, "give one expression")
        if word in ("{", "}"):
            if word == "{":
                self.open("{", start, end)
            else:
                self.close("{", start, end)
        elif word == "|":
            raise self.error(_REFUSED["Vert"], start)
        elif word in ("left", "right") or (word[:-1] in _SIZES and word[-1] in "lr") or word in _SIZES:
            self.sized_delimiter(word, start)
        elif word in ("lvert", "rvert", "vert"):
            self.bar(start, end, {"lvert": "open", "rvert": "close"}.get(word))
        elif word in ("lbrace", "rbrace"):
            if word == "lbrace":
                self.open("{", start, end)
            else:
                self.close("{", start, end)
        elif word in ("cdot", "times", "ast"):
            self.emit("_TIMES", word, start, end)
        elif word == "div":
            self.emit("_SLASH", word, start, end)
        elif word in ("frac", "dfrac", "tfrac"):
            self.fraction(start)
        elif word == "sqrt":
            self.emit("SQRT", "sqrt", start, end)
            after = self.skip_blank(self.pos)
            if after < self.end and self.text[after] == "[":
                self.open("[", after, after + 1, optional=True)
            else:
                self.wait_for("\\sqrt", start, 1, "\\sqrt needs an argument in braces", "write \\sqrt{x}")
        elif word == "sum":
            self.emit("SUM", "sum", start, end)
        elif word == "partial":
            self.partial(start)
        elif word in ("mathrm", "operatorname", "mathit"):
            self.upright(word, start)
        elif word in _FUNCTION_MACROS:
            self.emit("FUNC", _FUNCTION_MACROS[word], start, end)
        elif word in _FIXED_BASE:
            self.fixed_base(word, start)
        elif self.greek_or_symbol(word, start):
            return
        elif word in _REFUSED:
            raise self.error(_REFUSED[word], start)
        else:
            close = difflib.get_close_matches(word, _KNOWN, n=1)
            raise self.error(f"unknown LaTeX command \\{word}", start, f"did you mean \\{close[0]}?" if close else None)

    def sized_delimiter(self, word: str, start: int) -> None:
        """\\left( \\right) \\bigl[ \\big| ...: the delimiter after a sizing command; \\left. and \\right. print nothing."""
        at = self.skip_blank(self.pos)
        char = self.text[at] if at < self.end else ""
        inner, end = self.control_word(at) if char == "\\" else (char, at + 1)
        if inner == ".":
            self.pos = end
            return
        if char == "\\" and inner in ("|", "Vert", "lVert", "rVert"):
            raise self.error(_REFUSED["Vert"], start)
        kind = {
            "(": "(",
            ")": "(",
            "[": "[",
            "]": "[",
            "{": "{",
            "}": "{",
            "lbrace": "{",
            "rbrace": "{",
            "|": "|",
            "vert": "|",
            "lvert": "|",
            "rvert": "|",
        }.get(inner)
        if kind is None or (char != "\\" and inner in ("{", "}")) or (char == "\\" and inner in ("(", ")", "[", "]")):
            raise self.error(f"\\{word} needs a delimiter such as ( [ \\{{ |", start, f"write \\{word}(")
        self.pos = end
        sized = word in ("left", "right")
        if sized:
            closing = word == "right"
        elif word[-1] in "lr" and word[:-1] in _SIZES:
            closing = word[-1] == "r"
        else:  # \big( does not say which side it is on: the delimiter does
            closing = inner in (")", "]", "}", "rbrace", "rvert")
            if kind == "|" and inner in ("|", "vert"):
                self.bar(start, end)
                return
        if kind == "|":
            self.bar(start, end, "close" if closing else "open", sized=sized)
        elif closing:
            self.close(kind, start, end, sized=sized)
        else:
            self.open(kind, start, end, sized=sized)

    def upright(self, word: str, start: int) -> None:
        """\\mathrm{x}, \\mathrm{e}, \\mathrm{speed}, \\operatorname{sech}: a name set upright, read by what it names."""
        at = self.skip_blank(self.pos)
        if at < self.end and self.text[at] == "{":
            close = self.text.find("}", at)
            if close < 0 or close > self.end:
                raise self.error("unclosed '{'", at, "add the closing '}'")
            name = "".join(self.text[at + 1 : close].split())
            after = close + 1
        elif at < self.end and self.text[at] in _LETTERS:
            name, after = self.text[at], at + 1
        else:
            name, after = "", at
        if not name or not (name[0] in _LETTERS and all(c in _LETTERS or c in _DIGITS for c in name)):
            raise self.error(f"\\{word} needs a name in braces, such as \\{word}{{sech}}", start)
        self.pos = after
        if start in self.differentials:
            self.emit("_D", "d", start, self.pos)
        elif name in self.functions:
            self.emit("AFUNC", name, start, self.pos)
        elif name in SPELLINGS:
            self.emit("FUNC", SPELLINGS[name], start, self.pos)
        elif name in LOG_SPELLINGS:
            self.fixed_base(name, start)
        elif word == "operatorname" and name != "e":
            close_match = difflib.get_close_matches(name, sorted(SPELLINGS), n=1)
            raise UnknownFunctionError(
                f"unknown function {name}", self.text, start, f"did you mean {close_match[0]}?" if close_match else None
            )
        elif len(name) == 1 or name in self.variables or name == "e" or name[1:].isdigit():
            self.name_token(name, start)
        else:
            self.out.notes.append(f"read \\{word}{{{name}}} as the variable {name}")
            self.name_token(name, start)

    def fixed_base(self, word: str, start: int) -> None:
        """\\lg x is log(x, 10): a log token whose base is braced in, as if written \\log_{10}."""
        self.emit("FUNC", "log", start, self.pos)
        self.emit("_SUB", "_", self.pos, self.pos)
        self.emit("_LBRACE", "{", self.pos, self.pos)
        self.emit("NUMBER", str(LOG_SPELLINGS[word]), self.pos, self.pos)
        self.emit("_RBRACE", "}", self.pos, self.pos)

    def partial(self, start: int) -> None:
        """\\partial_{1} g(x, y) marks a partial derivative of a declared function; otherwise \\partial is a differential."""
        at = self.skip_blank(self.pos)
        if at < self.end and self.text[at] == "_":
            self.pos = at
            sub = self.subscript()
            if sub is None or not sub.isdigit() or int(sub) < 1:
                raise self.error("\\partial_{k} takes the number of an argument, as in \\partial_{1} g(x, y)", start)
            self.emit("PARTIAL_INDEX", int(sub) - 1, start, self.pos)
        elif not self.slash_operator(start):
            self.emit("_D", "∂", start, self.pos)

    # -- derivatives -------------------------------------------------------------------------------------------------------
    def differential(self, at: int) -> int | None:
        """Where a differential written at `at` ends: d, \\mathrm{d}, \\operatorname{d}, \\partial (spaces skipped first)."""
        at = self.skip_blank(at)
        if at >= self.end:
            return None
        if self.text[at] == "d":
            return at + 1
        if self.text[at] == "∂":
            return at + 1
        if self.text[at] == "\\":
            word, after = self.control_word(at)
            if word == "partial":
                return after
            if word in ("mathrm", "operatorname"):
                inner = self.skip_blank(after)
                if self.text.startswith("{", inner):
                    close = self.text.find("}", inner)
                    if close > 0 and close < self.end and self.text[inner + 1 : close].strip() == "d":
                        return close + 1
                elif self.text.startswith("d", inner):
                    return inner + 1
        return None

    def variable_at(self, at: int) -> tuple[tuple[str, str | None], int] | None:
        """The one variable written at `at` (x, x_1, x1, \\theta, \\mathrm{speed}) and where it ends, or None."""
        at = self.skip_blank(at)
        saved_pos, saved_len = self.pos, len(self.out.tokens)
        self.pos = at
        try:
            char = self.text[at] if at < self.end else ""
            if char in _LETTERS:
                word = next(
                    (w for w in sorted(self.variables, key=len, reverse=True) if self.text.startswith(w, at)), char
                )
                self.pos = at + len(word)
                self.name_token(word, at)
            elif char == "\\" and self.control_word(at)[0] in _GREEK_MACROS:
                word, self.pos = self.control_word(at)
                self.name_token(_GREEK_MACROS[word], at)
            elif char == "\\" and self.control_word(at)[0] == "mathrm":
                self.pos = self.control_word(at)[1]  # upright() reads the name after the control word
                self.upright("mathrm", at)
            elif char in GREEK_LETTERS:
                self.pos = at + 1
                self.name_token(GREEK_LETTERS[char], at)
            else:
                return None
            made = self.out.tokens[saved_len:]
            if len(made) != 1 or made[0].type != "NAME":
                return None
            return cast(tuple[str, str | None], made[0].value), self.pos  # a NAME token's value: (name, subscript)
        except ParseError:
            return None
        finally:
            del self.out.tokens[saved_len:]
            self.pos = saved_pos

    def group_span(self, at: int) -> tuple[int, int] | None:
        """The braces of the group at `at` (after spaces): the offsets of '{' and its matching '}', or None."""
        at = self.skip_blank(at)
        if at >= self.end or self.text[at] != "{":
            return None
        depth = 0
        here = at
        while here < self.end:
            char = self.text[here]
            if char == "\\":
                here += 2
                continue
            depth += char == "{"
            depth -= char == "}"
            if depth == 0:
                return at, here
            here += 1
        return None

    def fraction(self, start: int) -> None:
        """\\frac{d}{dx} is one operator token; \\frac{\\partial u}{\\partial v} marks its two differentials; else a quotient."""
        numerator = self.group_span(self.pos)
        denominator = self.group_span(numerator[1] + 1) if numerator else None
        if numerator and denominator:
            top_end = self.differential(numerator[0] + 1)
            bottom_end = self.differential(denominator[0] + 1)
            if top_end is not None and bottom_end is not None:
                if self.text.startswith("^", self.skip_blank(top_end)):
                    raise self.error(
                        "higher derivatives such as \\frac{d^2}{dx^2} are not read yet",
                        start,
                        "write the operator twice: \\frac{d}{dx}\\left(\\frac{d}{dx} u\\right)",
                    )
                if self.skip_blank(top_end) == numerator[1]:
                    found = self.variable_at(bottom_end)
                    if found is None or self.skip_blank(found[1]) != denominator[1]:
                        raise self.error(
                            "a derivative operator takes one variable, as in \\frac{d}{dx}",
                            denominator[0] + 1,
                            "for the derivative by an expression write \\frac{\\partial u}{\\partial \\left(x + y\\right)}",
                        )
                    self.pos = denominator[1] + 1
                    self.emit("DOP", found[0], start, self.pos)
                    return
                self.differentials[self.skip_blank(numerator[0] + 1)] = top_end
                self.differentials[self.skip_blank(denominator[0] + 1)] = bottom_end
        self.emit("FRAC", "frac", start, self.pos)
        self.wait_for("\\frac", start, 2, "\\frac needs two arguments in braces", "write \\frac{a}{b}")

    def slash_operator(self, start: int) -> bool:
        """d/dx, \\partial/\\partial y (the text notation inside LaTeX): one operator token, as \\frac{d}{dx}."""
        top_end = self.differential(start)
        if top_end is None:
            return False
        slash = self.skip_blank(top_end)
        if slash >= self.end or self.text[slash] != "/":
            return False
        bottom_end = self.differential(slash + 1)
        if bottom_end is None or (self.text[start] == "d" and start > 0 and self.text[start - 1] in _LETTERS):
            return False
        found = self.variable_at(bottom_end)
        if found is None:
            return False
        self.pos = found[1]
        self.emit("DOP", found[0], start, self.pos)
        return True


# -- after lexing: explicit delimiters for what TeX leaves implicit ----------------------------------------------------
_GROUP_PAIRS = {"_LBRACE": "_RBRACE", "OPEN": "CLOSE", "BAR_OPEN": "BAR_CLOSE", "_OPT_OPEN": "_OPT_CLOSE"}


def _matching(tokens: list[Token]) -> dict[int, int]:
    """The index of each opening token's closer (the lexer has already checked that they pair up)."""
    found: dict[int, int] = {}
    stack: list[int] = []
    closers = set(_GROUP_PAIRS.values())
    for index, token in enumerate(tokens):
        if token.type in _GROUP_PAIRS:
            stack.append(index)
        elif token.type in closers:
            found[stack.pop()] = index
    return found


def _after_scripts(
    tokens: list[Token], at: int, match: dict[int, int], kinds: tuple[str, ...] = ("_SUP", "_SUB")
) -> int:
    while at < len(tokens) and tokens[at].type in kinds and at + 1 < len(tokens) and tokens[at + 1].type == "_LBRACE":
        at = match[at + 1] + 1
    return at


def _argument_end(tokens: list[Token], at: int, match: dict[int, int]) -> tuple[int, int]:
    """Where the bracketless argument starting at tokens[at] ends, and how many factors its run has (\\sin 2x: two)."""
    while at < len(tokens) and tokens[at].type == "FUNC":  # \sin \cos x: the inner call is the argument
        at = _after_scripts(tokens, at + 1, match)
        if at < len(tokens) and tokens[at].type == "OPEN":
            return _after_scripts(tokens, match[at] + 1, match, ("_SUP",)), 1
    if at >= len(tokens):
        return at, 0
    kind = tokens[at].type
    if kind in ("BAR_OPEN", "_LBRACE"):
        return _after_scripts(tokens, match[at] + 1, match, ("_SUP",)), 1
    if kind == "FRAC" and at + 1 < len(tokens) and tokens[at + 1].type == "_LBRACE":
        first = match[at + 1] + 1
        return (
            (_after_scripts(tokens, match[first] + 1, match, ("_SUP",)), 1)
            if first < len(tokens) and tokens[first].type == "_LBRACE"
            else (at, 0)
        )
    if kind == "SQRT":
        radicand = match[at + 1] + 1 if tokens[at + 1].type == "_OPT_OPEN" else at + 1
        return _after_scripts(tokens, match[radicand] + 1, match, ("_SUP",)), 1
    if kind == "AFUNC":
        after = at + 1
        while after < len(tokens) and tokens[after].type == "PRIME":
            after += 1
        return (
            (_after_scripts(tokens, match[after] + 1, match, ("_SUP",)), 1)
            if after < len(tokens) and tokens[after].type == "OPEN"
            else (at, 0)
        )
    factors = 0
    if kind == "NUMBER":
        at = _after_scripts(tokens, at + 1, match, ("_SUP",))
        factors = 1
    while at < len(tokens) and tokens[at].type in ("NAME", "CONST"):
        at = _after_scripts(tokens, at + 1, match, ("_SUP",))
        factors += 1
    return at, factors


def _delimit_arguments(lexed: _Lexed, text: str) -> None:
    """Bracket each function argument written without brackets, and mark the operators that a bracket follows."""
    tokens = lexed.tokens
    match = _matching(tokens)
    opens: dict[int, int] = {}
    closes: dict[int, int] = {}
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.type == "DOP" and following is not None and following.type == "OPEN":
            tokens[index] = Token("DOP_GROUP", token.value, token.start, token.end)
    for index, token in enumerate(tokens):
        if token.type != "FUNC":
            continue
        at = _after_scripts(tokens, index + 1, match)
        if at < len(tokens) and tokens[at].type == "OPEN":
            continue
        end, factors = _argument_end(tokens, at, match)
        if end == at:
            continue  # no argument: the grammar reports it in words
        opens[at] = opens.get(at, 0) + 1
        closes[end] = closes.get(end, 0) + 1
        if factors > 1:
            head = "".join(text[token.end : tokens[at].start].split())
            whole = _names_of(text[token.start : tokens[end - 1].end])
            argument = _names_of(text[tokens[at].start : tokens[end - 1].end])
            lexed.notes.append(f"read {whole} as {token.value}{head}({argument})")
    if not opens:
        return
    delimited: list[Token] = []
    for index in range(len(tokens) + 1):
        if index in closes:
            at = tokens[index - 1].end
            delimited.extend(Token("_ARG_CLOSE", ")", at, at) for _ in range(closes[index]))
        if index in opens:
            at = tokens[index].start
            delimited.extend(Token("_ARG_OPEN", "(", at, at) for _ in range(opens[index]))
        if index < len(tokens):
            delimited.append(tokens[index])
    lexed.tokens[:] = delimited


_OPENING = {"_LBRACE", "OPEN", "BAR_OPEN", "_OPT_OPEN", "_ARG_OPEN"}
_CLOSING = {"_RBRACE", "CLOSE", "BAR_CLOSE", "_OPT_CLOSE", "_ARG_CLOSE"}
_ENDS_OPERAND = {"NUMBER", "NAME", "CONST", "PRIME"} | _CLOSING


def _separate_derivatives(lexed: _Lexed) -> None:
    """\\frac{d}{dx} x^2 + \\frac{d}{dx} 7 is a sum of two derivatives, as the sum rule's line is written: an operator
    without a bracket stops before a + or - whose term holds a derivative of its own, so the operator and its operand
    are put in invisible braces there (the text reader does the same, see lexer._sum_of_terms_end)."""
    tokens = lexed.tokens
    inserts: dict[int, list[str]] = {}
    for index, token in enumerate(tokens):
        if token.type != "DOP":
            continue
        depth, sign = 0, None
        for at in range(index + 1, len(tokens)):
            kind = tokens[at].type
            if kind in _OPENING:
                depth += 1
            elif kind in _CLOSING:
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and kind in ("_PLUS", "_MINUS") and tokens[at - 1].type in _ENDS_OPERAND:
                if sign is not None and _holds_derivative(tokens, sign + 1, at):
                    break
                sign = at
        else:
            at = len(tokens)
        if sign is not None and _holds_derivative(tokens, sign + 1, at):
            inserts.setdefault(index, []).append("_LBRACE")
            inserts.setdefault(sign, []).append("_RBRACE")
    if not inserts:
        return
    separated: list[Token] = []
    for index, token in enumerate(tokens):
        for kind in inserts.get(index, ()):
            at = token.start
            separated.append(Token(kind, "{" if kind == "_LBRACE" else "}", at, at))
        separated.append(token)
    lexed.tokens[:] = separated


def _holds_derivative(tokens: list[Token], start: int, end: int) -> bool:
    return any(token.type in ("DOP", "DOP_GROUP", "_D") for token in tokens[start:end])


# -- delimiters of the math, and the entry point --------------------------------------------------------------------------
_MATH_DELIMITERS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$"))


def _math_span(text: str) -> tuple[int, int]:
    """The part of text between $...$, $$...$$, \\(...\\) or \\[...\\] (the whole text when it has none)."""
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    for opener, closer in _MATH_DELIMITERS:
        if text.startswith(opener, start):
            if end - start >= len(opener) + len(closer) and text.endswith(closer, 0, end):
                return start + len(opener), end - len(closer)
            raise ParseError(f"the math opened with {opener} is not closed", text, start, f"end it with {closer}")
    return start, end


def _tokens(text: str, variables: frozenset[str], functions: frozenset[str]) -> _Lexed:
    start, end = _math_span(text)
    if not text[start:end].strip():
        raise ParseError("the expression is empty", text, None, "type an expression such as x^{2} \\sin x")
    return _Lexer(text, start, end, variables, functions).run()


def read_latex(
    text: str,
    variables: frozenset[str] = frozenset(),
    functions: frozenset[str] = frozenset(),
    spans: dict[int, tuple[int, int]] | None = None,
) -> tuple[Expr, list[str]]:
    """Read LaTeX math as an expression: the tree, and notes naming how any ambiguous part was read.

    variables: multi-letter names read as one variable ({"ab"}); functions: names of abstract functions ({"f", "g"}).
    Surrounding $...$, $$...$$, \\(...\\) and \\[...\\] are stripped; error offsets point into `text` (NFC-normalised).
    spans: a dict to fill with the (start, end) offsets of every node, by id(node) (parser.Parsed.spans).
    """
    if not isinstance(text, str):
        raise TypeError("read_latex() takes the LaTeX as a string")
    if len(text) > limits.MAX_INPUT_LENGTH:
        raise LimitError(
            f"the input is {len(text):,} characters long; the limit is {limits.MAX_INPUT_LENGTH:,} ({limits.named('MAX_INPUT_LENGTH')})",
            text,
            limits.MAX_INPUT_LENGTH,
        )
    variables, functions = frozenset(variables), frozenset(functions)
    check_declared(variables, functions)
    normalized = unicodedata.normalize("NFC", text)
    lexed = _tokens(normalized, variables, functions)
    context = _Context(normalized, lexed)
    expr = parse_tokens(
        _parser(), _TokenFeed, context, lambda error: _explain(error, normalized, lexed.tokens, context.fed)
    )
    if spans is not None:
        spans.update(context.spans)
    return expr, list(dict.fromkeys(lexed.notes + context.notes))


# -- the parser ------------------------------------------------------------------------------------------------------------
_CURRENT: contextvars.ContextVar[_Context] = contextvars.ContextVar("derivsteps_latex")


class _Context(ParseContext[_Lexed]):
    def __init__(self, text: str, lexed: _Lexed):
        super().__init__(text, lexed)
        self.notes: list[str] = []


class _TokenFeed(TokenFeed):
    current = _CURRENT


@dataclass(frozen=True, slots=True)
class _Arguments:
    """A function's arguments, and where their text is (for notes)."""

    args: tuple[Expr, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Head:
    """\\sum_{i=1}^{n}: the index and the bounds, whose pending entries wait for the Σ node."""

    token: LarkToken
    index: str
    lower: Expr | None
    upper: Expr | None
    bounds: tuple[Pending, ...]


def _span(entry: Pending) -> tuple[int, int]:
    """Where a node this builder registered is written (every LaTeX node has a span: it starts at a token)."""
    assert entry.start is not None and entry.end is not None, entry
    return entry.start, entry.end


@v_args(inline=True)
class _Build(TreeBuilder[_Arguments]):
    """The LaTeX grammar's builder: argument lists carry their span (for notes), brackets delimit spans, and an
    operator followed by a bracket that ends a term gets a note when a '+' or '-' follows (parser.Pending.tail_start)."""

    def _context(self) -> _Context:
        return _CURRENT.get()

    def _args(self, arguments: _Arguments) -> tuple[Expr, ...]:
        return arguments.args

    def _tail(self, node: Expr, kids: Sequence[Pending]) -> int | None:
        """Add, Mul, Neg and Σ keep a bracketed operator at their right end."""
        last = kids[0] if isinstance(node, Sum) else kids[-1] if kids else None  # a Σ's body is written last
        return last.tail_start if last is not None and isinstance(node, (Add, Mul, Neg, Sum)) else None

    def _note_scope(self, left: Expr, sign: str, right: Expr) -> None:
        """A term ending in an operator with a bracket, then + or -: say the operator stops at its term."""
        entry, after = self._entry(left), self._entry(right)
        if entry is None or entry.tail_start is None or after is None:
            return
        context = _CURRENT.get()
        operator = _names_of(context.text[entry.tail_start : entry.end])
        following = _names_of(context.text[after.start : after.end])
        context.notes.append(
            f"read {operator} {sign} {following} as ({operator}) {sign} {following}: an operator followed by a bracket "
            "differentiates only the term the bracket starts; put the whole sum inside the bracket to differentiate all of it"
        )

    # -- sums and products ---------------------------------------------------------------------------------------------------
    def add(self, left: Expr, right: Expr) -> Expr:
        self._note_scope(left, "+", right)
        return super().add(left, right)

    def sub(self, left: Expr, right: Expr) -> Expr:
        self._note_scope(left, "-", right)
        return super().sub(left, right)

    # -- derivatives -----------------------------------------------------------------------------------------------------------
    def deriv_op(self, operator: LarkToken, body: Expr) -> Expr:
        node = super().deriv_op(operator, body)
        if operator.type == "DOP_GROUP":
            self._known(node).tail_start = token_start(operator)
        return node

    def deriv_frac(self, token: LarkToken, body: Expr, var: Var) -> Expr:
        return self._node(Deriv(body, var), token_start(token))

    # -- atoms -----------------------------------------------------------------------------------------------------------------
    def group(self, opener: LarkToken, inner: Expr, closer: LarkToken) -> Expr:
        entry = self._group(inner)
        entry.tail_start = None  # the bracket ends the operator's reach
        entry.start, entry.end = token_start(opener), token_end(closer)
        _CURRENT.get().spans[id(inner)] = (entry.start, entry.end)
        return inner

    def abs_bars(self, opener: LarkToken, inner: Expr, closer: LarkToken) -> Expr:
        return self._node(Call("abs", (inner,)), token_start(opener))

    def frac(self, token: LarkToken, num: Expr, den: Expr) -> Expr:
        return self._node(Div(num, den), token_start(token))

    def sqrt(self, token: LarkToken, radicand: Expr) -> Expr:
        return self._node(Call("sqrt", (radicand,)), token_start(token))

    def root(self, token: LarkToken, index: Expr, radicand: Expr) -> Expr:
        if index in (Num(2), Num(3)):
            self._take(index)
            return self._node(Call("sqrt" if index == Num(2) else "cbrt", (radicand,)), token_start(token))
        one = self._leaf(Num(1), token)
        return self._node(Pow(radicand, self._node(Div(one, index))), token_start(token))

    # -- functions ------------------------------------------------------------------------------------------------------------
    def call_args(self, opener: LarkToken, *rest: Expr | LarkToken) -> _Arguments:
        *args, closer = rest  # the grammar puts the closing bracket last
        return _Arguments(cast(tuple[Expr, ...], tuple(args)), token_end(opener), token_start(closer))

    def bare_arg(self, arg: Expr) -> _Arguments:
        return _Arguments((arg,), *_span(self._known(arg)))

    def _inverse(self, token: LarkToken, exp: Expr, arguments: _Arguments) -> Expr:
        """\\sin^{-1} x is \\arcsin x, with a note; the reciprocal is written \\left(\\sin x\\right)^{-1}."""
        name = token.value
        context = _CURRENT.get()
        shown = context.text[token_start(token) : token_end(token)]
        argument = _names_of(context.text[arguments.start : arguments.end])
        inverse = BY_NAME[name].inverse
        if inverse is None:
            raise ParseError(
                f"{shown}^{{-1}} would be the inverse function of {name}, which derivsteps does not know",
                context.text,
                token_start(token),
                f"write \\left({shown} {argument}\\right)^{{-1}} for 1/{name}({argument})",
            )
        self._take(exp)
        whole = _names_of(context.text[token_start(token) : context.end()])
        context.notes.append(
            f"read {whole} as {BY_NAME[inverse].spellings[-1]}({argument}), the inverse function; "
            f"write \\left({shown} {argument}\\right)^{{-1}} for 1/{name}({argument})"
        )
        return self._call(token, inverse, arguments.args)

    def logb(self, token: LarkToken, base: Expr, arguments: _Arguments) -> Expr:
        context = _CURRENT.get()
        if token.value != "log":
            raise ParseError(
                f"only \\log takes a base, not {context.text[token_start(token) : token_end(token)]}",
                context.text,
                token_start(token),
            )
        if len(arguments.args) != 1:
            raise UnknownFunctionError("\\log_{b} takes one argument: \\log_{2}(x)", context.text, token_start(token))
        return self._node(Call("log", (arguments.args[0], base)), token_start(token))

    def apply_partial(self, *rest: LarkToken | _Arguments) -> Expr:
        *marks, name, last = rest  # ∂_1 ∂_2 f(x, y): the argument marks, the function's name, its arguments
        indices, token, arguments = cast(list[LarkToken], marks), cast(LarkToken, name), cast(_Arguments, last)
        for index in indices:
            if index.value >= len(arguments.args):
                raise UnknownFunctionError(
                    f"\\partial_{{{index.value + 1}}} names argument {index.value + 1}, but {token.value} has {len(arguments.args)}",
                    _CURRENT.get().text,
                    token_start(index),
                )
        return self._node(Apply(token.value, arguments.args, tuple(i.value for i in indices)), token_start(indices[0]))

    # -- sums over an index ---------------------------------------------------------------------------------------------------
    def _head(self, token: LarkToken, index: LarkToken, lower: Expr | None = None, upper: Expr | None = None) -> _Head:
        name, sub = index.value
        if sub is not None or len(name) != 1:
            raise ParseError(
                "the index of a sum is one letter, as in \\sum_{i}", _CURRENT.get().text, token_start(index)
            )
        return _Head(token, name, lower, upper, tuple(self._take(b) for b in (lower, upper) if b is not None))

    def sum_index(self, token: LarkToken, index: LarkToken) -> _Head:
        return self._head(token, index)

    def sum_lower(self, token: LarkToken, index: LarkToken, lower: Expr) -> _Head:
        return self._head(token, index, lower)

    def sum_bounds(self, token: LarkToken, index: LarkToken, lower: Expr, upper: Expr) -> _Head:
        return self._head(token, index, lower, upper)

    def sum_bounds_above_first(self, token: LarkToken, upper: Expr, index: LarkToken, lower: Expr) -> _Head:
        return self._head(token, index, lower, upper)

    def sum_over(self, head: _Head, body: Expr) -> Expr:
        pending = _CURRENT.get().pending
        for entry in head.bounds:  # put the bounds back, so the Σ counts their depth as its children's
            pending[id(entry.node)] = entry
        return self._node(Sum(body, head.index, head.lower, head.upper), token_start(head.token))


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return build_parser("latex.lark", _TokenFeed, _Build())


# -- error messages in words ------------------------------------------------------------------------------------------------
_OPERAND_STARTS = {
    "NUMBER", "NAME", "CONST", "FUNC", "AFUNC", "PARTIAL_INDEX", "SQRT", "FRAC", "DOP", "DOP_GROUP", "SUM",
    "OPEN", "BAR_OPEN", "_LBRACE", "_MINUS", "_D",
}  # fmt: skip
_SHOWN = {
    "_PLUS": "'+'", "_MINUS": "'-'", "_TIMES": "'\\cdot'", "_SLASH": "'/'", "_SUP": "'^'", "_SUB": "'_'",
    "_LBRACE": "'{'", "_RBRACE": "'}'", "CLOSE": "a closing bracket", "OPEN": "a bracket", "BAR_CLOSE": "the closing '|'",
    "BAR_OPEN": "'|'", "_COMMA": "','", "_EQUALS": "'='", "PRIME": "a prime (')", "_OPT_CLOSE": "']'", "_D": "a differential",
    "_ARG_CLOSE": "the end of the argument",
}  # fmt: skip


def _describe(token: Token, text: str) -> str:
    raw = text[token.start : token.end]
    match token.type:
        case "NUMBER":
            return f"the number {raw}"
        case "NAME":
            return f"the variable {raw}"
        case "CONST":
            return f"the constant {raw}"
        case "FUNC" | "AFUNC":
            return f"the function {raw}"
        case "DOP" | "DOP_GROUP" | "SUM" | "FRAC" | "SQRT" | "PARTIAL_INDEX":
            return raw
        case _:
            return f"'{raw}'" if raw else _SHOWN.get(token.type, "this")


def _sum_head_before(tokens: list[Token], index: int) -> Token | None:
    """The \\sum whose bounds end right before tokens[index] (\\sum_{i=1}^{n} with nothing after it), if any."""
    at = index - 1
    while at >= 0 and tokens[at].type == "_RBRACE":
        depth = 0
        while at >= 0:
            depth += tokens[at].type == "_RBRACE"
            depth -= tokens[at].type == "_LBRACE"
            if depth == 0:
                break
            at -= 1
        if at < 1 or tokens[at - 1].type not in ("_SUB", "_SUP"):
            return None
        at -= 2
    return tokens[at] if at >= 0 and at < index - 1 and tokens[at].type == "SUM" else None


def _explain(error: UnexpectedInput, text: str, tokens: list[Token], index: int) -> ParseError:
    """Our ParseError, in words, for an error lark reported at tokens[index] (the lexer already caught brackets and commands)."""
    expected = set(getattr(error, "expected", ()) or ())
    previous = next((t for t in reversed(tokens[:index]) if t.start != t.end or t.type == "NUMBER"), None)
    bad = tokens[index] if index < len(tokens) else None
    while (
        bad is not None
        and bad.start == bad.end
        and bad.type in ("_ARG_CLOSE", "_ARG_OPEN", "_RBRACE", "_LBRACE")
        and index + 1 < len(tokens)
    ):
        index += 1
        bad = tokens[index]
    position = (
        bad.start if bad is not None else previous.end if previous is not None else 0
    )  # at the end: right after the last token, inside any $...$
    after = f" after {_describe(previous, text)}" if previous is not None else " at the start"

    if (
        previous is not None
        and previous.type == "FUNC"
        and (bad is None or bad.type not in _OPERAND_STARTS - {"_MINUS"})
    ):
        shown = text[previous.start : previous.end]
        if bad is not None and bad.type == "_MINUS":
            return ParseError(
                f"a negative argument of {shown} needs brackets", text, bad.start, f"write {shown}\\left(-x\\right)"
            )
        return ParseError(f"{shown} needs an argument", text, position, f"write {shown} x or {shown}\\left(x\\right)")
    if previous is not None and previous.type == "SUM":
        return ParseError(
            "\\sum needs its index, as in \\sum_{i} x_{i}",
            text,
            previous.start,
            "write \\sum_{i} x_{i} or \\sum_{i=1}^{n} x_{i}",
        )
    if (bad is None or bad.type not in _OPERAND_STARTS) and (head := _sum_head_before(tokens, index)) is not None:
        shown = _names_of(text[head.start : tokens[index - 1].end])
        return ParseError(f"{shown} needs something to sum", text, position, f"write {shown} x_{{i}}")
    if (
        previous is not None
        and previous.type in ("DOP", "DOP_GROUP")
        and (bad is None or bad.type not in _OPERAND_STARTS)
    ):
        return ParseError(
            f"{text[previous.start : previous.end]} needs something to differentiate",
            text,
            position,
            "write \\frac{d}{dx} x^{2}",
        )
    if (
        previous is not None
        and previous.type == "AFUNC"
        or (bad is not None and previous is not None and bad.type != "OPEN" and previous.type == "PRIME")
    ):
        name = text[previous.start : previous.end]
        return ParseError(f"{name} needs its arguments in brackets", text, position, f"write {name}\\left(x\\right)")
    if bad is not None and bad.type == "PRIME":
        return ParseError(
            "a prime (') marks the derivative of a declared function and goes right after its name",
            text,
            bad.start,
            "write f'(x), with f declared as a function",
        )
    if bad is not None and bad.type == "_D":
        return ParseError(
            "a differential d or \\partial belongs in a derivative",
            text,
            bad.start,
            "write \\frac{\\partial u}{\\partial x} or \\frac{d}{dx} u",
        )
    if bad is not None and bad.type == "_COMMA":
        return ParseError(
            "a comma only separates the arguments of a function, as in \\log\\left(x, 2\\right)", text, bad.start
        )
    if bad is not None and bad.type == "NUMBER" and previous is not None and previous.type not in _SHOWN:
        return ParseError(
            f"a number cannot follow {_describe(previous, text)} without an operator",
            text,
            bad.start,
            "write \\cdot between the two factors, or put the number first (2x, not x 2)",
        )
    if expected and expected <= _OPERAND_STARTS | {"_ARG_OPEN"}:
        if bad is not None and bad.type == "CLOSE" and previous is not None and previous.type == "OPEN":
            return ParseError("the brackets are empty", text, bad.start, "put an expression inside them")
        if bad is not None and bad.type == "_RBRACE" and previous is not None and previous.type == "_LBRACE":
            return ParseError("the braces are empty", text, bad.start, "put an expression inside them")
        prefix = "the expression ends too early: " if bad is None else ""
        return ParseError(f"{prefix}expected a number, a variable or a bracket{after}", text, position)
    if bad is None:
        return ParseError(f"the expression ends too early{after}", text, position)
    return ParseError(f"did not expect {_describe(bad, text)}{after}", text, bad.start)
