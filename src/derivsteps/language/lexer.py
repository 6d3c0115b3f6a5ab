"""Turns the user's text into tokens for the grammar: Unicode a student pastes, letter runs split into names, notes on ambiguity.

A regular-expression lexer cannot do this job: whether "ab" is one variable or a·b, and whether "f(x)" is a call or a
product, depends on what the caller declared, and "xsin(x)" must be cut at a function name inside a run of letters.
So lexing is plain Python, and lark only parses the token stream (see parser.py).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from ..core import limits
from ..core.errors import LimitError, ParseError, UnknownFunctionError, UsageError
from ..core.functions import LOG_SPELLINGS, REFUSED, SPELLINGS

# Elementary functions by every spelling we accept, mapped to the name the tree stores (the table is functions.py).
FUNCTIONS = SPELLINGS

GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron rho sigma tau upsilon phi chi psi omega"
).split()

# Greek letters as pasted, to the names above; π is the constant.
# Omicron (ο) is left out: it looks exactly like the Latin o, and reading it as a Greek name would surprise everyone.
GREEK_LETTERS = dict(zip("αβγδεζηθικλμνξρστυφχψω", [name for name in GREEK if name != "omicron"], strict=True))
GREEK_LETTERS.update({"ϵ": "epsilon", "ϑ": "theta", "ϕ": "phi", "ς": "sigma"})

CONSTANTS = {"e": "e", "pi": "pi"}

# Characters read as ASCII operators, mapped explicitly: NFKC would turn ² into 2 (x² into the variable x2).
OPERATOR_LOOKALIKES = {
    "−": "-", "–": "-", "‐": "-", "﹣": "-", "－": "-",
    "×": "*", "·": "*", "⋅": "*", "∙": "*", "∗": "*", "✕": "*",
    "÷": "/", "∕": "/", "⁄": "/",
}  # fmt: skip
SUPERSCRIPTS = {
    "⁰": "0",
    "¹": "1",
    "²": "2",
    "³": "3",
    "⁴": "4",
    "⁵": "5",
    "⁶": "6",
    "⁷": "7",
    "⁸": "8",
    "⁹": "9",
    "⁻": "-",
}
# Superscript letters and plus, as in xⁿ and xⁿ⁻¹ pasted from a PDF; NFKC would make xⁿ the product x·n.
SUPERSCRIPT_LETTERS = {
    "ⁿ": "n",
    "ˣ": "x",
    "ʸ": "y",
    "ⁱ": "i",
    "ᵗ": "t",
    "ᵃ": "a",
    "ᵇ": "b",
    "ᵏ": "k",
    "ᵐ": "m",
    "ᵖ": "p",
    "⁺": "+",
}

# Subscripts as pasted (Σᵢ, x₁): NFKC would make x₁ the different variable x1.
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", "0123456789aehijklmnoprstuvx", strict=True))

# Words that are English, not a product of letters: refused in words rather than multiplied out. Two-letter words
# (of, by, to) stay products: b·y is common math, and the three-letter ones already catch a sentence.
ENGLISH = frozenset(
    "and the derivative respect with wrt find what times plus minus over divided squared cubed root "
    "square power differentiate let where for then solve function equals value".split()
)

SINGLE_CHAR_TOKENS = {
    "+": "_PLUS", "-": "_MINUS", "*": "_STAR", "/": "_SLASH", "^": "_CARET",
    "(": "_LPAR", ")": "_RPAR", "[": "_LSQB", "]": "_RSQB", ",": "_COMMA", "'": "PRIME", "′": "PRIME",
}  # fmt: skip

# Tokens after which a value has ended, so a following "|" closes an absolute value rather than opening one.
_ENDS_OPERAND = {"NUMBER", "NAME", "CONST", "_RPAR", "_RSQB", "_BAR_CLOSE", "PRIME"}
# Tokens that can begin a factor of an implicit product.
_STARTS_OPERAND = {"NAME", "CONST", "FUNC", "AFUNC", "LOGB", "SUM", "DIFF", "_LPAR", "_LSQB", "_BAR_OPEN", "_PARTIAL"}

_DIGITS = "0123456789"
_SCIENTIFIC = re.compile(r"[eE]([+-]?[0-9]+)(?![0-9.])")
_INDEX = re.compile(r"\[([A-Za-z])\]")
_SUM_INDEX = re.compile(r"(?:sum|Σ|∑)_\{?([A-Za-z])")
_INVERSE_POWER = re.compile(r"[ \t]*(?:\^|\*\*)[ \t]*(?:\([ \t]*-[ \t]*1[ \t]*\)|-[ \t]*1|⁻¹)")
_LEIBNIZ_TAIL = re.compile(r"[ \t]*/[ \t]*d([A-Za-z])(?![A-Za-z])")
_NAMED_DERIVATIVE = re.compile(r"d([A-Za-z])[ \t]*/[ \t]*d([A-Za-z])(?![A-Za-z(])")


def _matching(text: str, at: int) -> int | None:
    """The offset of the bracket that closes the one at text[at]."""
    depth = 0
    for offset in range(at, len(text)):
        if text[offset] in "([":
            depth += 1
        elif text[offset] in ")]":
            depth -= 1
            if depth == 0:
                return offset
    return None


def _vulgar(char: str) -> tuple[str, str] | None:
    """½ -> ("1", "2"): the vulgar fractions, by their compatibility decomposition 1⁄2."""
    numerator, slash, denominator = unicodedata.normalize("NFKC", char).partition("⁄")
    if slash and numerator.isdigit() and denominator.isdigit():
        return numerator, denominator
    return None


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class Token:
    type: str
    value: object
    start: int  # offsets into the raw text
    end: int
    spaced: bool = False  # white space stood right before this token


@dataclass(slots=True)
class Lexed:
    tokens: list[Token] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _fold(char: str) -> str:
    """One character as the lexer sees it: an explicit look-alike table first, then NFKC when it keeps one character."""
    if char in OPERATOR_LOOKALIKES:
        return OPERATOR_LOOKALIKES[char]
    if (
        char in SUPERSCRIPTS
        or char in SUPERSCRIPT_LETTERS
        or char in SUBSCRIPTS
        or char in GREEK_LETTERS
        or char in "πΣ∑∂√|′"
    ):
        return char
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


def _show_char(char: str) -> str:
    """A character for an error message: '$', or with its code and name when it is not ASCII (a Cyrillic х looks like x)."""
    if char.isascii():
        return f"'{char}'" if char.isprintable() else f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    shown = f"'{char}' " if char.isprintable() else ""
    return f"{shown}(U+{ord(char):04X}{' ' + name if name else ''})"


def tokenize(
    text: str, variables: frozenset[str] = frozenset(), functions: frozenset[str] = frozenset(), *, reach: str = "rest"
) -> Lexed:
    """Split text into tokens; `variables` are multi-letter names read as one variable, `functions` are abstract functions.

    reach: how far d/dx without a bracket after it reaches, "rest" (up to the enclosing bracket, as typed input means)
    or "term" (the product after it, as a line of a written derivation may mean: ∂/∂x x^2 + cos x).
    """
    if len(text) > limits.MAX_INPUT_LENGTH:
        raise LimitError(
            f"the input is {len(text):,} characters long; the limit is {limits.MAX_INPUT_LENGTH:,} ({limits.named('MAX_INPUT_LENGTH')})",
            text,
            limits.MAX_INPUT_LENGTH,
        )
    check_declared(variables, functions)
    return _Lexer(text, variables, functions, reach).run()


def check_declared(variables: frozenset[str], functions: frozenset[str]) -> None:
    """Declared names must be runs of ASCII letters, the only thing a letter run can match (an empty name never advanced)."""
    for kind, names in (("variable", variables), ("function", functions)):
        for name in sorted(names):
            if not isinstance(name, str) or not name or not all(char in _LETTERS for char in name):
                raise UsageError(
                    f"a declared {kind} name is made of the letters a-z and A-Z, such as ab or f; not {name!r}"
                )
    if both := sorted(variables & functions):
        raise UsageError(f"{', '.join(both)} is declared both as a variable and as a function")
    if clash := sorted(functions & (set(FUNCTIONS) | set(CONSTANTS) | {"sum", "diff"})):
        raise UsageError(f"{', '.join(clash)} is already built in and cannot be declared as an abstract function")


class _Lexer:
    def __init__(self, text: str, variables: frozenset[str], functions: frozenset[str], reach: str = "rest"):
        # NFC first (a pasted "e" + combining accent becomes one character); every position we report is into this text.
        self.raw = unicodedata.normalize("NFC", text)
        self.text = self.raw if self.raw.isascii() else "".join(_fold(c) for c in self.raw)
        self.variables = variables
        self.functions = functions
        self.reach = reach
        # Longest first, so "sinh" wins over "sin" and "arcsin" over "a"·"rcsin".
        self.names = sorted(
            set(FUNCTIONS) | set(GREEK) | set(CONSTANTS) | {"sum", "diff"} | variables | functions,
            key=len,
            reverse=True,
        )
        self.out = Lexed()
        self.pos = 0
        self.spaced = False
        self.bars = 0  # open absolute-value bars
        self.brackets: list[tuple[str, int]] = []
        self.leibniz: dict[int, int] = {}  # the ")" of d(…)/dx -> where its /dx ends
        # Letters that index a sum somewhere in the text: a[i] is a_i only where a sum over i gives it a meaning.
        self.sum_indices = {m.group(1) for m in _SUM_INDEX.finditer(self.text)}

    # -- helpers ---------------------------------------------------------------------------------------------
    def error(self, message: str, offset: int, hint: str | None = None) -> ParseError:
        return ParseError(message, self.raw, offset, hint)

    def emit(self, type_: str, value: object, start: int, end: int) -> None:
        self.out.tokens.append(Token(type_, value, start, end, self.spaced))
        self.spaced = False

    def last_type(self) -> str | None:
        return self.out.tokens[-1].type if self.out.tokens else None

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    # -- main loop ---------------------------------------------------------------------------------------------
    def run(self) -> Lexed:
        if not self.raw.strip():
            # No position: a caret under nothing says nothing.
            raise ParseError("the expression is empty", self.raw, None, "type an expression such as x^2 sin(x)")
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t\r\n":
                self.pos += 1
                self.spaced = True
            elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
                if 0xDC80 <= ord(char) <= 0xDCFF:  # how Python keeps a command-line byte that is not UTF-8
                    raise self.error(
                        f"the byte 0x{ord(char) - 0xDC00:02X} is not UTF-8 text",
                        self.pos,
                        "retype it, or save the input as UTF-8",
                    )
                kind = "control" if unicodedata.category(char) == "Cc" else "invisible"
                name = unicodedata.name(char, "")
                shown = f"U+{ord(char):04X}{' ' + name if name else ''}"
                raise self.error(f"the {kind} character {shown} is not allowed in an expression", self.pos, "delete it")
            elif char in _DIGITS or (char == "." and self.peek(1) in _DIGITS and self.peek(1)):
                self.number()
            elif char in _LETTERS:
                self.letters()
            elif char in GREEK_LETTERS:
                self.pos += 1
                self.name_token(GREEK_LETTERS[char], self.pos - 1)
            elif char == "π":
                self.emit("CONST", "pi", self.pos, self.pos + 1)
                self.pos += 1
            elif char in "Σ∑":
                self.sum_token(self.pos, self.pos + 1)
            elif char == "∂":
                self.partial()
            elif char == "√":
                self.emit("FUNC", "sqrt", self.pos, self.pos + 1)
                self.pos += 1
            elif char in SUPERSCRIPTS or char in SUPERSCRIPT_LETTERS:
                self.superscript()
            elif (fraction := _vulgar(char)) is not None:
                self.vulgar(fraction)
            elif char == "|":
                self.bar()
            elif char == "*" and self.peek(1) == "*":
                self.emit("_CARET", "^", self.pos, self.pos + 2)
                self.pos += 2
            elif char in SINGLE_CHAR_TOKENS:
                self.punctuation(char)
            else:
                hint = "write plain math such as sqrt(x) sin(x), not LaTeX" if char == "\\" else None
                raise self.error(f"unexpected character {_show_char(self.raw[self.pos])}", self.pos, hint)
        if self.brackets:
            opener, at = self.brackets[-1]
            raise self.error(
                f"unclosed {'parenthesis' if opener == '(' else 'bracket'} {opener!r}",
                at,
                f"add the closing {')' if opener == '(' else ']'}",
            )
        if self.bars:
            raise self.error("unclosed absolute value bar '|'", len(self.raw), "close it with another '|'")
        self.note_ambiguities()
        self.scope()
        return self.out

    def punctuation(self, char: str) -> None:
        type_ = SINGLE_CHAR_TOKENS[char]
        if char in "([":
            self.brackets.append((char, self.pos))
            if len(self.brackets) > limits.MAX_DEPTH:
                raise LimitError(
                    f"parentheses are nested more than {limits.MAX_DEPTH} deep ({limits.named('MAX_DEPTH')})",
                    self.raw,
                    self.pos,
                )
        elif char in ")]":
            want = "(" if char == ")" else "["
            if not self.brackets:
                raise self.error(f"unmatched {char!r}: there is no opening {want!r} before it", self.pos)
            opener, at = self.brackets.pop()
            if opener != want:
                raise self.error(f"{char!r} closes the {opener!r} opened at column {at + 1}", self.pos)
        self.emit(type_, char, self.pos, self.pos + 1)
        self.pos += 1
        if char == ")" and self.pos - 1 in self.leibniz:  # the ")" of d(x^2)/dx: skip the /dx, close the whole
            self.pos = self.leibniz.pop(self.pos - 1)
            self.emit("_RPAR", ")", self.pos, self.pos)

    def vulgar(self, fraction: tuple[str, str]) -> None:
        """½ is the number 1/2, bracketed so that x^½ and ½x read as x^(1/2) and (1/2)x; 3½ is refused (3 + 1/2 or 3·1/2?)."""
        at = self.pos
        if self.last_type() == "NUMBER" and not self.spaced:
            numerator, denominator = fraction
            raise self.error(
                f"{self.raw[self.out.tokens[-1].start : at + 1]} could mean a whole number plus {numerator}/{denominator} or a product",
                at,
                f"write {self.raw[self.out.tokens[-1].start : at]} + {numerator}/{denominator}, or put * between them",
            )
        self.emit("_LPAR", "(", at, at)
        self.emit("NUMBER", fraction[0], at, at + 1)
        self.emit("_SLASH", "/", at, at + 1)
        self.emit("NUMBER", fraction[1], at, at + 1)
        self.emit("_RPAR", ")", at + 1, at + 1)
        self.pos += 1

    def bar(self) -> None:
        closing = self.bars > 0 and self.last_type() in _ENDS_OPERAND
        if closing:
            self.bars -= 1
        else:
            self.bars += 1
        self.emit("_BAR_CLOSE" if closing else "_BAR_OPEN", "|", self.pos, self.pos + 1)
        self.pos += 1

    def number(self) -> None:
        start = self.pos
        while self.peek() in _DIGITS and self.peek():
            self.pos += 1
        if self.peek() == "." and self.peek(1) and self.peek(1) in _DIGITS:
            self.pos += 1
            while self.peek() in _DIGITS and self.peek():
                self.pos += 1
        digits = self.text[start : self.pos]
        if len(digits) > limits.MAX_INTEGER_DIGITS:
            raise LimitError(
                f"a number with {len(digits):,} digits is longer than the limit of {limits.MAX_INTEGER_DIGITS:,} ({limits.named('MAX_INTEGER_DIGITS')})",
                self.raw,
                start,
            )
        if self.peek() == "." and self.peek(1) not in _DIGITS or (self.peek() == "." and not self.peek(1)):
            raise self.error("a decimal point needs digits after it", self.pos, f"write {digits}.0 or {digits}")
        if (exponent := _SCIENTIFIC.match(self.text, self.pos)) is not None:
            self.scientific(digits, exponent, start)
            return
        self.emit("NUMBER", digits, start, self.pos)

    def scientific(self, mantissa: str, exponent: re.Match[str], start: int) -> None:
        """1e-3 is 0.001, as on every calculator, with a note: the letter e next to digits could be Euler's number."""
        power = int(exponent.group(1))
        if abs(power) > limits.MAX_INTEGER_DIGITS:
            raise LimitError(
                f"the exponent of {self.raw[start : exponent.end()]} is larger than the limit of {limits.MAX_INTEGER_DIGITS:,} digits ({limits.named('MAX_INTEGER_DIGITS')})",
                self.raw,
                start,
            )
        value = format(Decimal(mantissa).scaleb(power), "f")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        typed = self.raw[start : exponent.end()]
        self.pos = exponent.end()
        self.emit("NUMBER", value, start, self.pos)
        self.out.warnings.append(
            f"read {typed} as {value}: scientific notation, {mantissa}·10^{power}; write {mantissa}*e{exponent.group(1)} if e was Euler's number"
        )

    def superscript(self) -> None:
        start = self.pos
        while self.peek() and (self.peek() in SUPERSCRIPTS or self.peek() in SUPERSCRIPT_LETTERS):
            self.pos += 1
        if any(c in SUPERSCRIPT_LETTERS for c in self.text[start : self.pos]):
            self.superscript_expression(start)
            return
        exponent = "".join(SUPERSCRIPTS[c] for c in self.text[start : self.pos])
        digits = exponent.lstrip("-")
        if not digits or "-" in digits:
            raise self.error("a superscript exponent needs digits", start)
        self.emit("_CARET", "^", start, self.pos)
        if exponent.startswith("-"):
            self.emit("_LPAR", "(", start, self.pos)
            self.emit("_MINUS", "-", start, self.pos)
            self.emit("NUMBER", digits, start, self.pos)
            self.emit("_RPAR", ")", start, self.pos)
        else:
            self.emit("NUMBER", digits, start, self.pos)

    def superscript_expression(self, start: int) -> None:
        """An exponent with letters, ⁿ or ⁿ⁻¹: '^(' then a digit run, a one-letter name, '+' or '-' per piece, then ')'."""
        plain = "".join(SUPERSCRIPTS.get(c) or SUPERSCRIPT_LETTERS[c] for c in self.text[start : self.pos])
        if plain[-1] in "+-":
            raise self.error(
                "a superscript exponent ends with a sign; it needs a number or a letter after it", self.pos - 1
            )
        self.emit("_CARET", "^", start, self.pos)
        self.emit("_LPAR", "(", start, self.pos)
        at = 0
        while at < len(plain):
            char = plain[at]
            offset = start + at  # superscripts are one character each, so the offsets match
            if char in _DIGITS:
                end = at
                while end < len(plain) and plain[end] in _DIGITS:
                    end += 1
                self.emit("NUMBER", plain[at:end], offset, start + end)
                at = end
                continue
            if char in "+-":
                self.emit("_PLUS" if char == "+" else "_MINUS", char, offset, offset + 1)
            else:
                self.emit("NAME", (char, None), offset, offset + 1)
            at += 1
        self.emit("_RPAR", ")", start, self.pos)

    def subscript(self) -> str:
        """The subscript after '_' at self.pos: one digit run or one letter, or anything alphanumeric in braces; or a run of
        subscript characters as pasted (ᵢ, ₁₂)."""
        if self.peek() in SUBSCRIPTS and self.peek():
            start = self.pos
            while self.peek() and self.peek() in SUBSCRIPTS:
                self.pos += 1
            return "".join(SUBSCRIPTS[c] for c in self.text[start : self.pos])
        underscore = self.pos
        self.pos += 1
        char = self.peek()
        if char == "{":
            close = self.text.find("}", self.pos)
            if close < 0:
                raise self.error("unclosed '{' in a subscript", self.pos)
            content = self.text[self.pos + 1 : close].replace(" ", "")
            if not content or not all(c in _LETTERS or c in _DIGITS or c in ",=" for c in content):
                raise self.error("a subscript in braces holds letters and digits, such as w_{ij}", self.pos)
            self.pos = close + 1
            return content
        if char and char in _DIGITS:
            start = self.pos
            while self.peek() and self.peek() in _DIGITS:
                self.pos += 1
            return self.text[start : self.pos]
        if char and char in _LETTERS:
            self.pos += 1
            return char
        raise self.error("'_' must be followed by a subscript, such as a_i, x_1 or w_{ij}", underscore)

    def name_token(self, name: str, start: int) -> None:
        """A variable name whose letters end at self.pos; digits and a subscript may follow."""
        if len(name) == 1 and self.peek() and self.peek() in _DIGITS:
            digits_start = self.pos
            while self.peek() and self.peek() in _DIGITS:
                self.pos += 1
            name += self.text[digits_start : self.pos]
        sub = self.subscript() if self.peek() == "_" or (self.peek() and self.peek() in SUBSCRIPTS) else None
        if sub is None and self.peek() == "[" and (index := _INDEX.match(self.text, self.pos)) is not None:
            sub = self.index(name, index)
        self.emit("NAME", (name, sub), start, self.pos)

    def index(self, name: str, index: re.Match[str]) -> str:
        """a[i] inside a sum over i is a_i; anywhere else an index means nothing, and a bracket right after a name is refused."""
        sub: str = index.group(1)
        if sub in self.sum_indices:
            self.out.warnings.append(f"read {name}[{sub}] as {name}_{sub}")
            self.pos = index.end()
            return sub
        raise self.error(
            f"{name}[{sub}] looks like an indexed value, which only means something inside a sum over {sub}",
            self.pos,
            f"write {name}_{sub} inside a sum (sum_{sub} {name}_{sub}), or {name}·({sub}) for a product",
        )

    def sum_token(self, start: int, end: int) -> None:
        """Σ_i or sum_i, with optional bounds sum_{i=1}^{n}."""
        self.pos = end
        if self.peek() != "_" and not (self.peek() and self.peek() in SUBSCRIPTS):
            raise self.error("a sum needs its index, as in sum_i (x_i^2) or Σ_i (x_i^2)", start)
        sub = self.subscript()
        index, _, lower = sub.partition("=")
        if not (len(index) == 1 and index in _LETTERS):
            raise self.error("the index of a sum is one letter, as in sum_i", start)
        upper = None
        if lower and self.peek() == "^":
            self.pos += 1
            if self.peek() == "{":
                close = self.text.find("}", self.pos)
                if close < 0:
                    raise self.error("unclosed '{' in the upper bound of a sum", self.pos)
                upper = self.text[self.pos + 1 : close].strip()
                self.pos = close + 1
            else:
                upper = self.peek()
                self.pos += 1
        self.emit("SUM", (index, lower or None, upper), start, self.pos)

    def partial(self) -> None:
        """∂/∂y is the derivative operator; a lone ∂ begins the fraction form ∂u/∂v."""
        start = self.pos
        rest = self.text[self.pos + 1 :].replace(" ", "")
        if rest.startswith("/∂"):
            self.pos += 1
            self.skip_spaces()
            self.pos += 1  # '/'
            self.skip_spaces()
            self.pos += 1  # '∂'
            self.skip_spaces()
            self.operator_variable(start)
        else:
            self.emit("_PARTIAL", "∂", start, start + 1)
            self.pos += 1

    def skip_spaces(self) -> None:
        while self.peek() in (" ", "\t") and self.peek():
            self.pos += 1

    def operator_variable(self, start: int) -> None:
        """The variable of d/dx or ∂/∂x, which ends the operator token."""
        char = self.peek()
        if char in GREEK_LETTERS:
            self.pos += 1
            name = GREEK_LETTERS[char]
        elif char and char in _LETTERS:
            name = self.longest_name(self.pos, variables_only=True) or char
            self.pos += len(name)
        else:
            raise self.error("a derivative operator needs its variable, as in d/dx or ∂/∂y", self.pos)
        name_start = len(self.out.tokens)
        self.name_token(name, self.pos - len(name))
        name_token = self.out.tokens.pop(name_start)
        self.emit("DOP", name_token.value, start, self.pos)

    def longest_name(self, at: int, variables_only: bool = False) -> str | None:
        candidates = self.variables | set(GREEK) if variables_only else self.names
        for name in sorted(candidates, key=len, reverse=True) if variables_only else self.names:
            if self.text.startswith(name, at):
                return name
        return None

    # -- letter runs ---------------------------------------------------------------------------------------------
    def letters(self) -> None:
        start = self.pos
        if self.text[start] == "d" and (self.is_derivative_operator(start) or self.is_leibniz(start)):
            return
        end = start
        while end < len(self.text) and self.text[end] in _LETTERS:
            end += 1
        run = self.text[start:end]
        if self.named_log(run, start, end):
            return
        pieces: list[tuple[str, str, int]] = []  # (kind, name, offset)
        at = start
        while at < end:
            name = self.longest_name(at)
            if name is None or at + len(name) > end:
                name = self.text[at]
            kind = self.kind_of(name)
            pieces.append((kind, name, at))
            at += len(name)
        self.refuse_words(run, pieces, start, end)
        if len(pieces) > 1:
            self.out.warnings.append(f"read {run} as {self.describe_split(pieces)}")
        for index, (kind, name, offset) in enumerate(pieces):
            last = index == len(pieces) - 1
            self.pos = offset + len(name)
            if kind == "CONST" and name == "e" and last and self.peek() and self.peek() in _DIGITS:
                kind = "NAME"  # e1 is a variable (letter + digits), not Euler's number times 1
            if kind == "NAME":
                if last:
                    self.name_token(name, offset)
                else:
                    self.emit("NAME", (name, None), offset, self.pos)
            elif kind == "SUM":
                if not last:
                    raise self.error("a sum needs its index, as in sum_i (x_i^2)", offset)
                self.sum_token(offset, self.pos)
            elif kind == "FUNC" and name == "log" and last and self.peek() == "_":
                base = self.subscript()
                self.emit("LOGB", base, offset, self.pos)
            else:
                value = FUNCTIONS.get(name, name)
                self.emit(kind, value, offset, self.pos)
            if not last:
                self.spaced = False
        self.pos = max(self.pos, end)

    def named_log(self, run: str, start: int, end: int) -> bool:
        """log10(x), log2(x) and lg(x): logarithms to a fixed base, typed as one word."""
        digits = end
        while digits < len(self.text) and self.text[digits] in _DIGITS:
            digits += 1
        word = self.text[start:digits]
        if run in self.variables or word not in LOG_SPELLINGS or (start > 0 and self.text[start - 1] in _LETTERS):
            return False
        base = LOG_SPELLINGS[word]
        self.pos = digits
        self.emit("LOGB", str(base), start, digits)
        if word == "lg":
            self.out.warnings.append(
                "read lg as the logarithm to base 10, as ISO 80000-2 writes it; write log_2 for base 2"
            )
        return True

    def refuse_words(self, run: str, pieces: list[tuple[str, str, int]], start: int, end: int) -> None:
        """A run of letters that is a word, not a product: an English word, a refused function, an unknown function name."""
        if pieces[-1][0] == "AFUNC" and _INVERSE_POWER.match(self.text, end):
            name = pieces[-1][1]
            raise UnknownFunctionError(
                f"{name}^(-1), the inverse function of {name}, is not supported",
                self.raw,
                pieces[-1][2],
                f"its derivative is 1/{name}'({name}^(-1)(x)), by the inverse function rule; for the reciprocal write 1/{name}(x)",
            )
        if run in self.variables or run in self.functions or run in SPELLINGS:
            return
        before = self.text[end : end + 1]
        if run.lower() in REFUSED and before in ("(", " ", ""):
            raise UnknownFunctionError(f"{run} is not supported: {REFUSED[run.lower()]}", self.raw, start)
        if run.lower() in ENGLISH and len(run) > 1:
            raise self.error(
                f"'{run}' is an English word, not math",
                start,
                "type only the expression, such as x^2 sin(x); the variable goes in --wrt",
            )
        # A name written right before "(" is a function call, unless it ends in a function or is two letters (xy(x+1)).
        last_kind = pieces[-1][0]
        if before == "(" and last_kind == "NAME" and pieces[-1][1] in ("f", "g", "h"):
            letter = pieces[-1][1]
            self.out.warnings.append(
                f"read {letter}(…) as the product {letter}·(…); if {letter} is a function, declare it: --functions {letter}"
            )
        if before != "(" or last_kind in ("FUNC", "AFUNC", "LOGB") or len(pieces) < 2:
            return
        known = sorted({*SPELLINGS, *LOG_SPELLINGS})
        close = difflib.get_close_matches(run, known, n=1, cutoff=0.6)
        if len(run) < 3 and not close:
            return
        suggestion = f"did you mean {close[0]}? " if close else ""
        raise UnknownFunctionError(
            f"unknown function {run}",
            self.raw,
            start,
            f"{suggestion}For a function of your own, declare it: --functions {run} (functions=['{run}'] in Python); "
            f"for a product, write {' '.join(run)} (…)",
        )

    def kind_of(self, name: str) -> str:
        if name in self.variables:
            return "NAME"
        if name in self.functions:
            return "AFUNC"
        if name in CONSTANTS:
            return "CONST"
        if name in FUNCTIONS:
            return "FUNC"
        if name == "sum":
            return "SUM"
        if name == "diff":
            return "DIFF"
        return "NAME"

    def describe_split(self, pieces: list[tuple[str, str, int]]) -> str:
        words = []
        index = 0
        while index < len(pieces):
            kind, name, _ = pieces[index]
            if kind == "FUNC" and index + 1 < len(pieces) and pieces[index + 1][0] in ("NAME", "CONST"):
                words.append(f"{name}({pieces[index + 1][1]})")
                index += 2
            else:
                words.append(name)
                index += 1
        return "·".join(words)

    def is_leibniz(self, start: int) -> bool:
        """d(x^2)/dx, the Leibniz fraction: read as (d/dx (x^2)), the operator covering only its brackets; and dy/dx,
        which names a derivative of nothing written here, is refused."""
        if start > 0 and self.text[start - 1] in _LETTERS:
            return False
        if (named := _NAMED_DERIVATIVE.match(self.text, start)) is not None:
            raise self.error(
                f"{named.group(0)} names the derivative of {named.group(1)}, which is not defined here",
                start,
                f"write the expression itself, such as d/dx (x^2 sin x); for an equation in {named.group(1)} use deriv implicit",
            )
        if self.peek(1) != "(":
            return False
        close = _matching(self.text, start + 1)
        tail = _LEIBNIZ_TAIL.match(self.text, close + 1) if close is not None else None
        if tail is None or close is None:
            return False
        self.emit("_LPAR", "(", start, start)
        self.emit("DOP", (tail.group(1), None), start, start + 1)
        self.leibniz[close] = tail.end()
        self.pos = start + 1
        self.out.warnings.append(
            f"read {' '.join(self.text[start : tail.end()].split())} as d/d{tail.group(1)} {self.text[start + 1 : close + 1]}"
        )
        return True

    def is_derivative_operator(self, start: int) -> bool:
        """d/dx (spaces allowed around '/'), when d stands alone; emits the DOP token."""
        if start > 0 and self.text[start - 1] in _LETTERS:
            return False
        at = start + 1
        while at < len(self.text) and self.text[at] in " \t":
            at += 1
        if at >= len(self.text) or self.text[at] != "/":
            return False
        at += 1
        while at < len(self.text) and self.text[at] in " \t":
            at += 1
        if not (
            self.text.startswith("d", at)
            and at + 1 < len(self.text)
            and (self.text[at + 1] in _LETTERS or self.text[at + 1] in GREEK_LETTERS)
        ):
            return False
        self.pos = at + 1
        self.operator_variable(start)
        return True

    # -- ambiguity notes ---------------------------------------------------------------------------------------------
    def note_ambiguities(self) -> None:
        """Warn where an exponent or a divisor is followed directly by more factors, and where precedence decides."""
        tokens = self.out.tokens
        for index in range(len(tokens) - 2):
            op, operand, following = tokens[index], tokens[index + 1], tokens[index + 2]
            after = index + 3  # the token after `following`
            left = (
                self.raw[tokens[index - 1].start : tokens[index - 1].end]
                if index > 0 and tokens[index - 1].type in ("NUMBER", "NAME", "CONST")
                else None
            )
            if op.type == "_CARET" and left is not None and operand.type == "_MINUS" and index + 3 < len(tokens):
                # x^-1/2, e^-2x: a signed exponent is one number, whatever follows it
                operand, following, after = tokens[index + 2], tokens[index + 3], index + 4
                if operand.type not in ("NUMBER", "NAME", "CONST"):
                    continue
                piece = "-" + self.raw[operand.start : operand.end]
            elif operand.type in ("NUMBER", "NAME", "CONST"):
                piece = self.raw[operand.start : operand.end]
            else:
                continue
            divisor = self.raw[tokens[after].start : tokens[after].end] if after < len(tokens) else "…"
            if op.type == "_CARET" and left is not None and following.type == "_SLASH" and not following.spaced:
                self.out.warnings.append(
                    f"read {left}^{piece}/{divisor} as ({left}^{piece})/{divisor}: the exponent is only {piece}; write {left}^({piece}/{divisor}) to put the fraction in the exponent"
                )
                continue
            if op.type == "_CARET" and left is not None and following.type == "_CARET":
                self.out.warnings.append(
                    f"read {left}^{piece}^{divisor} as {left}^({piece}^{divisor}): powers group from the right"
                )
                continue
            tight = not following.spaced and following.type in _STARTS_OPERAND
            if not tight:
                continue
            rest = (
                "(…)"
                if following.type in ("_LPAR", "_LSQB", "_BAR_OPEN")
                else self.raw[following.start : following.end]
            )
            if op.type == "_CARET" and left is not None:
                self.out.warnings.append(
                    f"read {left}^{piece}{rest} as {left}^{piece}·{rest}: the exponent is only {piece}; write {left}^({piece}{rest}) if you meant more"
                )
            elif op.type == "_SLASH" and left is not None:
                self.out.warnings.append(
                    f"read {left}/{piece}{rest} as ({left}/{piece})·{rest}; write {left}/({piece}{rest}) to divide by {piece}{rest}"
                )

    # -- how far an operator reaches ---------------------------------------------------------------------------------
    def scope(self) -> None:
        """Bracket what an operator covers, as people mean it and as the grammar alone cannot say (it stays LALR):
        d/dx covers everything after it up to the enclosing bracket (unless a bracket follows it directly, which
        delimits its operand as a function's brackets do); Σ_i covers the product after it; a function without
        brackets takes the run of factors typed without spaces after it (sin 2x is sin(2x)). The brackets added are
        zero-width tokens, so positions in errors stay those of the typed text."""
        tokens = self.out.tokens
        opening: dict[int, int] = {}  # token index -> brackets to open before it
        closing: dict[int, int] = {}
        for index, token in enumerate(tokens):
            if token.type in ("FUNC", "LOGB"):
                span = self.bare_argument(index)
            elif token.type == "DOP":
                span = self.operator_operand(index)
            elif token.type == "SUM":
                span = self.summand(index)
            else:
                continue
            if span is not None:
                opening[span[0]] = opening.get(span[0], 0) + 1
                closing[span[1]] = closing.get(span[1], 0) + 1
        if not opening:
            return
        scoped: list[Token] = []
        for index in range(len(tokens) + 1):
            if closing.get(index):
                at = tokens[index - 1].end
                scoped.extend(Token("_RPAR", ")", at, at) for _ in range(closing[index]))
            if index < len(tokens):
                at = tokens[index].start
                scoped.extend(Token("_LPAR", "(", at, at, tokens[index].spaced) for _ in range(opening.get(index, 0)))
                scoped.append(tokens[index])
        self.out.tokens = scoped

    def shown(self, first: int, last: int) -> str:
        """The typed text of tokens[first:last], white space folded."""
        tokens = self.out.tokens
        return " ".join(self.raw[tokens[first].start : tokens[last - 1].end].split())

    def bare_argument(self, index: int) -> tuple[int, int] | None:
        """sin 2x, ln x^2, sin x cos x: the argument of a function typed without brackets is the run of numbers,
        letters and powers typed without spaces after it; a space or an operator ends it."""
        tokens = self.out.tokens
        at = index + 1
        if at < len(tokens) and tokens[at].type == "_CARET":
            at = _past_exponent(tokens, at + 1)
        if at >= len(tokens) or tokens[at].type not in _PLAIN_OPERAND:
            return None
        end, factors, powered = at, 0, False
        while end < len(tokens) and tokens[end].type in _PLAIN_OPERAND and (end == at or not tokens[end].spaced):
            end += 1
            factors += 1
            if end < len(tokens) and tokens[end].type == "_CARET" and not tokens[end].spaced:
                end = _past_exponent(tokens, end + 1)
                powered = True
        head = self.shown(index, at)
        argument = self.shown(at, end)
        if factors > 1:
            self.out.warnings.append(
                f"read {head} {argument} as {head}({argument}): a function's argument without brackets runs to the next space or operator"
            )
        elif powered:
            self.out.warnings.append(
                f"read {head} {argument} as {head}({argument}); write ({head} {argument.split('^')[0]})^… for a power of the {head}"
            )
        if end < len(tokens) and tokens[end].spaced and tokens[end].type in _STARTS_OPERAND:
            following = self.shown(end, _product_end(tokens, end))
            self.out.warnings.append(
                f"read {head} {argument} {following} as {head}({argument}) · {following}; write {head}({argument} {following}) if the argument goes on"
            )
        return (at, end) if factors > 1 else None

    def operator_operand(self, index: int) -> tuple[int, int] | None:
        """d/dx covers everything after it up to the enclosing bracket; a bracket right after it delimits its operand."""
        tokens = self.out.tokens
        at = index + 1
        if at < len(tokens) and tokens[at].type in ("_LPAR", "_LSQB"):
            end = _product_end(tokens, at)
            if end < len(tokens) and tokens[end].type in ("_PLUS", "_MINUS"):
                operator, operand = self.shown(index, at), self.shown(at, end)
                self.out.warnings.append(
                    f"read {operator} {operand} {self.raw[tokens[end].start]} … as ({operator} {operand}) {self.raw[tokens[end].start]} …: "
                    f"the brackets right after {operator} hold what it differentiates; write {operator} (… + …) to differentiate the whole sum"
                )
            return None
        end = _sum_of_terms_end(tokens, at) if self.reach == "rest" else _product_end(tokens, at)
        if end == at:
            return None
        if _product_end(tokens, at) < end:
            self.out.warnings.append(
                f"read {self.shown(index, end)} as {self.shown(index, at)} ({self.shown(at, end)}): d/dx applies to everything after it"
            )
        return at, end

    def summand(self, index: int) -> tuple[int, int] | None:
        """Σ_i covers the whole product after it: sum_i a_i h_i is Σ_i (a_i h_i), as in standard notation."""
        tokens = self.out.tokens
        at = index + 1
        end = _product_end(tokens, at)
        if end == at:
            return None
        if _factors(tokens, at, end) > 1:
            sigma = self.shown(index, at)
            self.out.warnings.append(
                f"read {self.shown(index, end)} as {sigma} ({self.shown(at, end)}): the sum covers the whole product after it"
            )
        return at, end


_PLAIN_OPERAND = {"NUMBER", "NAME", "CONST"}
_OPENERS = {"_LPAR", "_LSQB", "_BAR_OPEN"}
_CLOSERS = {"_RPAR", "_RSQB", "_BAR_CLOSE"}


def _closing(tokens: list[Token], at: int) -> int:
    """The index of the token that closes the bracket at tokens[at]."""
    depth = 0
    for index in range(at, len(tokens)):
        if tokens[index].type in _OPENERS:
            depth += 1
        elif tokens[index].type in _CLOSERS:
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


def _factors(tokens: list[Token], at: int, end: int) -> int:
    """How many factors the product tokens[at:end] has: a new one starts after * or /, or right after an operand."""
    count, depth = 1, 1 if tokens[at].type in _OPENERS else 0
    for index in range(at + 1, end):
        kind, before = tokens[index].type, tokens[index - 1].type
        if depth == 0 and (
            before in ("_STAR", "_SLASH") or (before in _ENDS_OPERAND and kind in _STARTS_OPERAND | {"NUMBER"})
        ):
            count += 1
        if kind in _OPENERS:
            depth += 1
        elif kind in _CLOSERS:
            depth -= 1
    return count


def _past_exponent(tokens: list[Token], at: int) -> int:
    """The index after an exponent that starts at tokens[at]: an optional minus, then one operand or bracket."""
    if at < len(tokens) and tokens[at].type == "_MINUS":
        at += 1
    if at < len(tokens) and tokens[at].type in _OPENERS:
        return _closing(tokens, at) + 1
    return min(at + 1, len(tokens))


def _binary_minus(tokens: list[Token], index: int) -> bool:
    return tokens[index].type == "_MINUS" and index > 0 and tokens[index - 1].type in _ENDS_OPERAND


def _level_end(tokens: list[Token], at: int) -> int:
    """The index of the bracket or comma that ends the level tokens[at] stands in, or the end."""
    depth = 0
    for index in range(at, len(tokens)):
        kind = tokens[index].type
        if kind in _OPENERS:
            depth += 1
        elif kind in _CLOSERS:
            if depth == 0:
                return index
            depth -= 1
        elif kind == "_COMMA" and depth == 0:
            return index
    return len(tokens)


def _sum_of_terms_end(tokens: list[Token], at: int) -> int:
    """Where the operand of d/dx that starts at tokens[at] ends: its level's end, or the + or - before a term that
    holds a derivative of its own (d/dx x^2 + d/dx 7 is a sum of two derivatives, as written in the sum rule's line)."""
    end = _level_end(tokens, at)
    start = at
    while (sign := _product_end(tokens, start)) < end:
        term_end = _product_end(tokens, sign + 1)
        if any(token.type in ("DOP", "_PARTIAL") for token in tokens[sign + 1 : term_end]):
            return sign
        start = sign + 1
    return end


def _product_end(tokens: list[Token], at: int) -> int:
    """The index where the product that starts at tokens[at] ends: a + or a binary - at its level, or its level's end."""
    end = _level_end(tokens, at)
    depth = 0
    for index in range(at, end):
        kind = tokens[index].type
        if kind in _OPENERS:
            depth += 1
        elif kind in _CLOSERS:
            depth -= 1
        elif depth == 0 and (kind == "_PLUS" or _binary_minus(tokens, index)):
            return index
    return end
