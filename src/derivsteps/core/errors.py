"""The exception hierarchy: every error we raise on purpose is a DerivError, and anything else is a bug."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Characters of the input an error message shows around the caret.
EXCERPT_WIDTH = 60


@dataclass(frozen=True, slots=True)
class Position:
    """Where in the user's text an error is: 0-based offset, 1-based line and column."""

    offset: int
    line: int
    column: int


class DerivError(Exception):
    """Base of every error we raise on purpose."""

    kind = "error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, object]:
        """The error as the JSON renderers write it."""
        return {"kind": self.kind, "message": self.message, "position": None}


class InputError(DerivError):
    """Something about the user's text; carries the text and a position for the caret excerpt."""

    kind = "input"

    def __init__(self, message: str, text: str | None = None, offset: int | None = None, hint: str | None = None):
        super().__init__(message)
        self.text = text
        self.hint = hint
        self.position = _position(text, offset) if text is not None and offset is not None else None

    def excerpt(self) -> str:
        """The offending line of the input with a caret under the column."""
        if self.text is None or self.position is None:
            return ""
        # split("\n") agrees with _position; splitlines() also breaks at \v, \x1c, \u2028 and loses a trailing empty line.
        line = self.text.split("\n")[self.position.line - 1]
        shown = [_visible(char) for char in line]
        caret = self.position.column - 1
        start = 0
        if len(shown) > EXCERPT_WIDTH:  # a window around the caret, so a 10,000-character input gives a short message
            start = max(0, min(caret - EXCERPT_WIDTH // 2, len(shown) - EXCERPT_WIDTH))
            end = start + EXCERPT_WIDTH
            shown = (["…"] if start else []) + shown[start:end] + (["…"] if end < len(shown) else [])
            caret = caret - start + (1 if start else 0)
        pad = sum(_width(char) for char in shown[:caret])
        return f"  {''.join(shown)}\n  {' ' * pad}^"

    def __str__(self) -> str:
        parts = [self.message]
        if self.position is not None:
            parts[0] += (
                f" (column {self.position.column})"
                if "\n" not in (self.text or "")
                else f" (line {self.position.line}, column {self.position.column})"
            )
            parts.append(self.excerpt())
        if self.hint:
            parts.append(self.hint)
        return "\n".join(parts)

    def to_dict(self) -> dict[str, object]:
        """The error as the JSON renderers write it, with where in the text it is."""
        pos = self.position
        return {
            "kind": self.kind,
            "message": self.message,
            "position": None if pos is None else {"offset": pos.offset, "line": pos.line, "column": pos.column},
        }


class ParseError(InputError):
    """The text is not an expression of our language."""

    kind = "parse"


class EquationError(InputError):
    """An equation where an expression was expected (and what it defines cannot be told), or one that is malformed."""

    kind = "equation"


class UnknownFunctionError(InputError):
    """A function name we do not know, or a known one with the wrong number of arguments."""

    kind = "unknown_function"


class UndefinedError(InputError):
    """The text is an expression, but one that is undefined over the real numbers (1/0, ln(0), 1/(x - x)): see domain.py."""

    kind = "undefined"


class LimitError(InputError):
    """A documented resource limit was exceeded; the message names the limit and how to raise it."""

    kind = "limit"


class CasLimitError(LimitError):
    """A SymPy call ran out of its time or memory (workers.py): a verdict says "could not verify" / "inconclusive"."""

    def __init__(self, message: str, limit: float | None = None):
        super().__init__(message)
        self.limit = limit  # the seconds or MB that were exceeded


class CasTimeout(CasLimitError):
    """A SymPy call took longer than limits.CAS_SECONDS; its worker process was killed."""


class CasMemoryError(CasLimitError):
    """A SymPy call needed more memory than limits.CAS_MEMORY_MB allows its worker process."""


class UsageError(DerivError):
    """The command line or library call is inconsistent (a --wrt missing, an unknown option value)."""

    kind = "usage"


class EngineError(DerivError):
    """Our rules failed on an expression; carries the path into it."""

    kind = "engine"

    def __init__(self, message: str, path: tuple[int, ...] = ()):
        super().__init__(message)
        self.path = path


class StepLimitError(EngineError, LimitError):
    """A derivation needed more steps than limits.MAX_STEPS."""

    kind = "limit"

    def __init__(self, message: str, path: tuple[int, ...] = ()):
        EngineError.__init__(self, message, path)
        self.text = None
        self.hint = None
        self.position = None


def _position(text: str, offset: int) -> Position:
    offset = max(0, min(offset, len(text)))
    before = text[:offset]
    line = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    return Position(offset, line, column)


def _visible(char: str) -> str:
    """A character as the excerpt shows it: a tab as a space, a control character as its Unicode picture (␀), never raw."""
    if char in "\t\r":
        return " "
    if ord(char) < 0x20:
        return chr(0x2400 + ord(char))
    if char == "\x7f":
        return "\u2421"
    if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        return "\ufffd"
    return char


def _width(char: str) -> int:
    """Terminal columns a character takes, so the caret lines up under wide (CJK, full-width) characters."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
