"""Reading a user's file (a written derivation, a class's answers): its text, or an error that says what to give."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import InputError, UsageError


def read_text(path: Path | str, *, label: str, give: str, content: str) -> str:
    """The file's text as UTF-8, without a byte-order mark (editors and spreadsheets write one); never an OSError.

    label names the file in messages ("--derivation work.txt"), give says what to pass instead ("a CSV file of answers"),
    content what the file holds ("the answers").
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{label}: no such file; give {give}") from None
    except IsADirectoryError:
        raise UsageError(f"{label} is a directory; give {give}") from None
    except OSError as err:
        raise UsageError(f"{label}: cannot read the file ({err.strerror})") from None
    return decode(data, name=str(path), content=content)


def decode(data: bytes, *, name: str, content: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{name} is not UTF-8 text (byte {err.start}): save {content} as UTF-8") from None
