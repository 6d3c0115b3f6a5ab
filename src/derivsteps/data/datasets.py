"""Data sets for sums over an index: reading --data and CSV files, and exact sums of a body over the rows."""

from __future__ import annotations

import csv
import math
import operator
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import repeat
from pathlib import Path
from types import MappingProxyType

from ..core import limits
from ..core.errors import InputError, LimitError, UsageError
from ..core.tree import (
    Add,
    Apply,
    Call,
    Const,
    Deriv,
    Div,
    Expr,
    Mul,
    Neg,
    Num,
    Pow,
    Sum,
    Var,
    children,
    is_number,
    number,
    number_value,
    walk,
    with_children,
)  # fmt: skip

# A value as typed in --data or a CSV cell: an integer, a fraction p/q, or a decimal with an optional exponent.
_VALUE = re.compile(
    r"[+-]?(?:(?P<int>\d+)(?:/(?P<den>\d+))?|(?P<dec>(?:\d+\.\d*|\.\d+|\d+)(?:[eE](?P<exp>[+-]?\d+))?))"
)
# The common case of _VALUE, read without Fraction's parser: -12, 3.25, 0.5 (with spaces around).
_SIMPLE = re.compile(r"\s*([+-]?)(\d+)(?:\.(\d+))?\s*")
# A column name: a letter, then letters or digits (a, h, x1, θ); a_i is accepted and read as a.
_NAME = re.compile(r"[^\W\d_][^\W_]*")
# The count of data points in the lecture's formulas (∂loss/∂b = s Σ a_i + bn - Σ h_i).
COUNT = Var("n")


@dataclass(frozen=True, eq=False)
class Data:
    """A data set: named columns of exact numbers, all of the same length; a_i in a sum over i reads column a."""

    columns: Mapping[str, tuple[Fraction, ...]]
    decimal: frozenset[str] = frozenset()  # columns typed with decimals: their values and results show as decimals
    # Statistics already computed, so the same Σ over 100,000 rows is summed once however often it is shown.
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        columns = {
            name: tuple(v if type(v) is Fraction else Fraction(v) for v in values)
            for name, values in self.columns.items()
        }
        if not columns:
            raise UsageError("the data has no columns: give at least one, such as --data a=0,2,4")
        if len(columns) > limits.MAX_DATA_COLUMNS:
            raise LimitError(
                f"the data has {len(columns)} columns, more than limits.MAX_DATA_COLUMNS ({limits.MAX_DATA_COLUMNS}); {limits.how_to_raise('MAX_DATA_COLUMNS')}"
            )
        for name in columns:
            if not _NAME.fullmatch(name):
                raise UsageError(
                    f"{name!r} is not a column name: use the name of the indexed variable, such as a for a_i"
                )
        lengths = {name: len(values) for name, values in columns.items()}
        if len(set(lengths.values())) > 1:
            shown = ", ".join(f"{name} has {count}" for name, count in lengths.items())
            raise InputError(
                f"the data columns have different lengths ({shown}): every column needs one value per data point"
            )
        rows = next(iter(lengths.values()))
        if rows == 0:
            raise InputError("the data has no rows: give at least one value per column")
        if rows > limits.MAX_DATA_ROWS:
            raise LimitError(
                f"the data has {rows:,} rows, more than limits.MAX_DATA_ROWS ({limits.MAX_DATA_ROWS:,}); {limits.how_to_raise('MAX_DATA_ROWS')}"
            )
        object.__setattr__(self, "columns", MappingProxyType(columns))
        object.__setattr__(self, "decimal", frozenset(self.decimal) & frozenset(columns))

    @property
    def n(self) -> int:
        """The number of data points (rows)."""
        return len(next(iter(self.columns.values())))

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in the order given."""
        return tuple(self.columns)

    def value(self, name: str, row: int) -> Expr:
        """The value of column name in row (0-based) as a literal number, a decimal where the column was typed so."""
        return number(self.columns[name][row], decimal=name in self.decimal)

    def __repr__(self) -> str:
        return f"Data(n={self.n}, columns={', '.join(self.names)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Data):
            return NotImplemented
        return dict(self.columns) == dict(other.columns) and self.decimal == other.decimal

    def __hash__(self) -> int:
        return hash((tuple(self.columns.items()), self.decimal))

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Iterable[int | Fraction | float | str]]) -> Data:
        """Data.from_mapping({"a": [0, 2, 4], "h": [30, 40, 50]}); values are ints, Fractions, floats or text (0.5, 1/3)."""
        columns: dict[str, tuple[Fraction, ...]] = {}
        decimal: set[str] = set()
        for key, values in mapping.items():
            name = _column_name(str(key))
            if name in columns:
                raise UsageError(f"the data gives column {name} twice")
            values = list(values)
            _check_rows(len(values))
            columns[name], typed_decimal = _column(values, lambda row, name=name: f"value {row + 1} of column {name}")
            if typed_decimal:
                decimal.add(name)
        return cls(columns, frozenset(decimal))


def to_data(data: Data | Mapping | str | Sequence[str] | None) -> Data | None:
    """The library's data= argument as a Data: a Data, a mapping of columns, a --data spec, or a list of specs."""
    if data is None or isinstance(data, Data):
        return data
    if isinstance(data, Mapping):
        return Data.from_mapping(data)
    if isinstance(data, str):
        return parse_data_options([data])
    return parse_data_options(list(data))


def parse_data_options(specs: Sequence[str]) -> Data:
    """The data of repeated --data options: a=0,2,4 gives one column, a FILE.csv gives its columns by its header row."""
    if not specs:
        raise UsageError("no data given: use --data a=0,2,4 (one option per column) or --data FILE.csv")
    columns: dict[str, tuple[Fraction, ...]] = {}
    decimal: set[str] = set()
    sources: dict[str, str] = {}
    for spec in specs:
        name, equals, values = spec.partition("=")
        # A column is name=values; anything else is a file (a path may hold "=", so an existing file wins).
        if equals and _NAME.fullmatch(_column_name(name.strip(), check=False)) and not Path(spec.strip()).is_file():
            column = _column_name(name.strip())
            values_of, typed_decimal = _inline_column(column, values)
            found, typed = {column: values_of}, {column} if typed_decimal else set()
            source = f"--data {spec.strip()}"
        else:
            found, typed = _read_csv(Path(spec.strip()))
            source = spec.strip()
        for column, column_values in found.items():
            if column in columns:
                raise UsageError(f"column {column} is given twice (by {sources[column]} and by {source})")
            columns[column] = column_values
            sources[column] = source
        decimal |= typed
    return Data(columns, frozenset(decimal))


def _inline_column(name: str, text: str) -> tuple[tuple[Fraction, ...], bool]:
    """a=0,2,4: the values of one column, separated by commas, and whether any was typed as a decimal."""
    if not text.strip():
        raise InputError(f"--data {name}= gives no values: list them separated by commas, such as {name}=0,2,4")
    items = text.split(",")
    _check_rows(len(items))
    return _column(items, lambda row: f"value {row + 1} of {name}")


def _read_csv(path: Path) -> tuple[dict[str, tuple[Fraction, ...]], set[str]]:
    """A CSV file whose header row names the columns (a,h) and whose other rows hold one number per column."""
    if not path.is_file():
        raise UsageError(f"--data {path}: no such file; give a CSV file, or a column as name=values such as a=0,2,4")
    try:
        # utf-8-sig: a spreadsheet's byte-order mark would otherwise become part of the first column's name.
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(_csv_rows(csv.reader(handle)))
    except UnicodeDecodeError as err:
        raise InputError(f"{path} is not UTF-8 text (byte {err.start}): save the data as a UTF-8 CSV file") from None
    except csv.Error as err:
        raise InputError(f"{path} is not a valid CSV file: {err}") from None
    if not rows:
        raise InputError(
            f"{path} is empty: its first row must name the columns (such as a,h), the others hold the data"
        )
    header_line, header = rows[0]
    names = [cell.strip() for cell in header]
    if all(_VALUE.fullmatch(name) for name in names):
        raise InputError(
            f"{path}: the first row holds numbers, but it must name the columns (a header such as a,h, one name per indexed variable)"
        )
    for position, name in enumerate(names, start=1):
        if not name:
            raise InputError(f"{path}, line {header_line}: column {position} of the header has no name")
        if not _NAME.fullmatch(_column_name(name, check=False)):
            raise InputError(
                f"{path}, line {header_line}: {name!r} is not a column name (use the indexed variable's name, such as a for a_i)"
            )
    names = [_column_name(name) for name in names]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InputError(f"{path}: the header names column {', '.join(duplicates)} more than once")
    if len(rows) == 1:
        raise InputError(f"{path} has a header but no data rows")
    for line, row in rows[1:]:
        if len(row) != len(names):
            raise InputError(
                f"{path}, line {line}: the row has {len(row)} values, but the header names {len(names)} columns ({', '.join(names)})"
            )
    columns: dict[str, tuple[Fraction, ...]] = {}
    typed: set[str] = set()
    for position, name in enumerate(names):
        cells = [row[position] for _, row in rows[1:]]
        columns[name], typed_decimal = _column(
            cells, lambda row, name=name: f"{path}, line {rows[row + 1][0]}, column {name}"
        )
        if typed_decimal:
            typed.add(name)
    return columns, typed


def _csv_rows(reader) -> Iterable[tuple[int, list[str]]]:
    """(line number, row) for each row that is not blank: a trailing empty line is not a data point."""
    count = 0
    for row in reader:
        if row and any(cell.strip() for cell in row):
            count += 1
            if count > limits.MAX_DATA_ROWS + 1:  # the header and MAX_DATA_ROWS rows: stop reading a runaway file here
                raise LimitError(
                    f"the data file has more than limits.MAX_DATA_ROWS ({limits.MAX_DATA_ROWS:,}) rows; {limits.how_to_raise('MAX_DATA_ROWS')}"
                )
            yield reader.line_num, row


def _column_name(name: str, check: bool = True) -> str:
    """a_i and a name the same column a; the subscript says which index runs over it, which the sum decides."""
    base = name.split("_", 1)[0] if "_" in name else name
    if check and not _NAME.fullmatch(base):
        raise UsageError(f"{name!r} is not a column name: use the name of the indexed variable, such as a for a_i")
    return base


def _column(values: Sequence, where) -> tuple[tuple[Fraction, ...], bool]:
    """Exact values of one column and whether any was typed as a decimal; where(row) names a cell for a message.

    Plain integers and decimals without an exponent take a fast path (Fraction's own parser costs 2 µs a value, which
    is most of reading 100,000 rows); anything else, and every error, goes through _value.
    """
    result = []
    typed_decimal = False
    simple = _SIMPLE.fullmatch
    for row, value in enumerate(values):
        if type(value) is str and len(value) <= limits.MAX_DATA_VALUE_LENGTH and (match := simple(value)):
            sign, whole, fraction = match.groups()
            if fraction is None:
                result.append(Fraction(int(sign + whole)))
            else:
                result.append(Fraction(int(sign + whole + fraction), 10 ** len(fraction)))
                typed_decimal = True
            continue
        exact, is_decimal = _value(value, where(row))
        result.append(exact)
        typed_decimal |= is_decimal
    return tuple(result), typed_decimal


def _value(value, where: str) -> tuple[Fraction, bool]:
    """An exact value and whether it was typed as a decimal; where says which cell for the message."""
    match value:
        case bool():
            pass
        case int() | Fraction():
            return Fraction(value), False
        case float() if math.isfinite(value):
            return Fraction(repr(value)), True
        case str():
            return _text_value(value, where)
    raise InputError(f"{where} must be a finite number, not {value!r}")


def _text_value(text: str, where: str) -> tuple[Fraction, bool]:
    text = text.strip()
    if not text:
        raise InputError(f"{where} is empty: every data point needs a value in every column")
    if len(text) > limits.MAX_DATA_VALUE_LENGTH:
        raise LimitError(
            f"{where} has {len(text)} characters, more than limits.MAX_DATA_VALUE_LENGTH ({limits.MAX_DATA_VALUE_LENGTH}); {limits.how_to_raise('MAX_DATA_VALUE_LENGTH')}"
        )
    match = _VALUE.fullmatch(text)
    if match is None:
        raise InputError(f"{where} is {text!r}, which is not a number (such as 3, -0.5 or 1/3)")
    if match["den"] is not None and int(match["den"]) == 0:
        raise InputError(f"{where} is {text!r}, a division by zero")
    if match["exp"] is not None and abs(int(match["exp"])) > limits.MAX_DATA_EXPONENT:
        raise LimitError(
            f"{where} is {text!r}: its exponent is beyond limits.MAX_DATA_EXPONENT ({limits.MAX_DATA_EXPONENT}); {limits.how_to_raise('MAX_DATA_EXPONENT')}"
        )
    return Fraction(text), match["dec"] is not None and not match["dec"].isdigit()


def _check_rows(count: int) -> None:
    if count > limits.MAX_DATA_ROWS:
        raise LimitError(
            f"the data has more than limits.MAX_DATA_ROWS ({limits.MAX_DATA_ROWS:,}) rows; {limits.how_to_raise('MAX_DATA_ROWS')}"
        )


# -- which variables are data ----------------------------------------------------------------------------------------------
def parameters(expr: Expr) -> list[Var]:
    """The variables of expr a point must give: not the data (a_i inside a sum over i) nor an index; n is among them."""
    indices = {node.index for _, node in walk(expr) if isinstance(node, Sum)}
    found: dict[Var, None] = {}
    for _, node in walk(expr):
        if isinstance(node, Var) and node.sub not in indices and not (node.sub is None and node.name in indices):
            found.setdefault(node, None)
    return list(found)


def check_data(expr: Expr, data: Data) -> tuple[str, ...]:
    """Every indexed variable of expr has a column (else a UsageError naming it); unused columns come back as warnings."""
    used: dict[str, None] = {}
    for sum_node in _sums(expr):
        for _, node in walk(sum_node.body):
            if isinstance(node, Var) and node.sub is not None:
                if node.sub != sum_node.index and not _inside_sum_over(sum_node.body, node.sub):
                    raise UsageError(_index_message(node, sum_node.index))
                if node.sub == sum_node.index:
                    if node.name not in data.columns:
                        raise UsageError(
                            f"{node.name}_{node.sub} is used in the expression, but the data has no column {node.name} "
                            f"(its columns: {', '.join(data.names)}); add it, such as --data {node.name}=1,2,3"
                        )
                    used.setdefault(node.name, None)
    outside = _indexed_outside_sums(expr)
    if outside is not None:
        raise UsageError(
            f"{outside.name}_{outside.sub} occurs outside a sum over {outside.sub}: a data value only has meaning inside Σ_{outside.sub}"
        )
    unused = [name for name in data.names if name not in used]
    if not unused:
        return ()
    plural = "s" if len(unused) > 1 else ""
    return (f"data column{plural} {', '.join(unused)} not used by the expression",)


def _sums(expr: Expr) -> list[Sum]:
    return [node for _, node in walk(expr) if isinstance(node, Sum)]


def _inside_sum_over(expr: Expr, index: str) -> bool:
    return any(isinstance(node, Sum) and node.index == index for _, node in walk(expr))


def _indexed_outside_sums(expr: Expr) -> Var | None:
    """An a_i that no sum over i encloses (a data value with no row to take it from), or None."""
    stack: list[tuple[Expr, frozenset[str]]] = [(expr, frozenset())]
    while stack:
        node, indices = stack.pop()
        if isinstance(node, Var) and node.sub is not None and node.sub.isalpha() and node.sub not in indices:
            return node
        if isinstance(node, Sum):
            stack.append((node.body, indices | {node.index}))
            continue
        if isinstance(node, Deriv):
            stack.append((node.body, indices))
            continue
        stack.extend((kid, indices) for kid in children(node))
    return None


def _index_message(var: Var, index: str) -> str:
    if len(var.sub) > 1:
        return (
            f"{var.name}_{{{var.sub}}} has several indices, but a data set holds one value per row and column: "
            f"only variables indexed by the sum's own index (such as {var.name}_{index}) can be summed over data"
        )
    return f"{var.name}_{var.sub} is indexed by {var.sub}, but the sum runs over {index}"


# -- exact sums over the rows ----------------------------------------------------------------------------------------------
PointValues = Mapping[Var, Expr | int | Fraction]


def statistic(
    body: Expr, index: str, data: Data, point: PointValues = {}, *, lower: Expr | None = None, upper: Expr | None = None
) -> Fraction:
    """Σ over the rows of body, each a_i (index i) read from column a of that row and every parameter from point.

    Exact, with no SymPy and no steps: a polynomial body is summed in integer arithmetic over a common denominator,
    anything else (a division by data) in Fractions. Results are cached on the Data, so a statistic costs one pass.
    """
    key = ("sum", body, index, _point_key(point), lower, upper)
    if key not in data._cache:
        data._cache[key] = _Summation(body, index, data, point, lower, upper).total()
    return data._cache[key]


def terms(
    body: Expr, index: str, data: Data, point: PointValues = {}, *, lower: Expr | None = None, upper: Expr | None = None
) -> list[Fraction]:
    """Each row's term of Σ_index body, in row order (the lecture's table: 900, 1444, 2116)."""
    return _Summation(body, index, data, point, lower, upper).each()


def sum_value(node: Sum, data: Data, point: PointValues = {}) -> Fraction:
    """The value of one Sum node over the data, honouring its bounds (sum_{i=1}^{n} runs over rows 1 to n)."""
    return statistic(node.body, node.index, data, point, lower=node.lower, upper=node.upper)


def exact_value(expr: Expr, data: Data, point: PointValues = {}) -> Fraction:
    """The exact value of an expression holding sums over data (a loss, a gradient component) at the point."""
    return _Summation(expr, None, data, point, None, None).constant()


def rows_of(node: Sum, data: Data, point: PointValues = {}) -> range:
    """The 0-based rows a sum runs over: all of them, or those its bounds pick (1-based, inclusive)."""
    return _Summation(node.body, node.index, data, point, node.lower, node.upper).rows


def _point_key(point: PointValues) -> frozenset:
    return frozenset((var, _as_fraction(value)) for var, value in point.items())


def _as_fraction(value) -> Fraction:
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if is_number(value):
        return number_value(value)
    raise UsageError(f"a point's value must be a number, not {value!r}")


class _NeedsFractions(Exception):
    """The body divides by data (or takes a negative power of it): no common denominator, so Fractions per row."""


# A column of a body's values over the rows: integers over one denominator for every row (a polynomial body), or, after
# a division by data, Fractions (the denominator is then 1). A number is a row-independent part, folded.
_Values = tuple[list, int]


class _Summation:
    """One sum over the data, worked out a column at a time: each node of the body becomes the list of its values.

    Row-independent parts are folded to one number first. A polynomial body is then integer arithmetic over a common
    denominator, one pass of map() per node (about 5 ms a node for 100,000 rows); a division by data switches to
    Fractions. No code is generated: the expression decides only which list operations run.
    """

    def __init__(
        self, body: Expr, index: str | None, data: Data, point: PointValues, lower: Expr | None, upper: Expr | None
    ):
        self.body, self.index, self.data = body, index, data
        self.point = {var: _as_fraction(value) for var, value in point.items()}
        self.rows = self._rows(lower, upper)
        self.fractions = False  # set when the body divides by data: the columns then hold Fractions

    def _rows(self, lower: Expr | None, upper: Expr | None) -> range:
        if lower is None and upper is None:
            return range(self.data.n)
        first = self._bound(lower, 1, "lower")
        last = self._bound(upper, self.data.n, "upper")
        if first < 1 or last > self.data.n:
            raise UsageError(f"the sum runs from {first} to {last}, but the data has rows 1 to {self.data.n}")
        return range(first - 1, max(last, first - 1))

    def _bound(self, bound: Expr | None, default: int, which: str) -> int:
        if bound is None:
            return default
        value = _Summation(bound, None, self.data, self.point, None, None).constant()
        if value.denominator != 1:
            raise UsageError(f"the {which} bound of the sum is {value}, not a whole number")
        return int(value)

    # -- the three results
    def constant(self) -> Fraction:
        folded = self._fold(self.body)
        if isinstance(folded, Fraction):
            return folded
        raise UsageError("the expression depends on the data outside a sum")  # check_data names the variable first

    def total(self) -> Fraction:
        folded = self._fold(self.body)
        if folded is not None:
            return folded * len(self.rows)
        values, denominator = self._values()
        return Fraction(sum(values), denominator) if not self.fractions else sum(values, Fraction(0))

    def each(self) -> list[Fraction]:
        folded = self._fold(self.body)
        if folded is not None:
            return [folded] * len(self.rows)
        values, denominator = self._values()
        return [Fraction(value, denominator) for value in values] if not self.fractions else values

    def _values(self) -> _Values:
        try:
            return self._column_of(self.body)
        except _NeedsFractions:
            self.fractions = True
            return self._column_of(self.body)

    # -- folding: everything that is the same for every row becomes one Fraction
    def _fold(self, node: Expr) -> Fraction | None:
        """The value of node when it does not depend on the row, else None."""
        match node:
            case Num(value):
                return Fraction(value)
            case Var() if self._is_row_variable(node):
                return None
            case Var():
                if node in self.point:
                    return self.point[node]
                if node == COUNT:
                    return Fraction(self.data.n)
                if node.sub is not None and node.sub.isalpha():
                    raise UsageError(
                        f"{node.name}_{node.sub} occurs outside a sum over {node.sub}: it has no single value"
                    )
                raise UsageError(
                    f"the point gives no value for {node.name if node.sub is None else f'{node.name}_{node.sub}'}"
                )
            case Neg(arg):
                value = self._fold(arg)
                return None if value is None else -value
            case Add(parts) | Mul(parts):
                values = [self._fold(part) for part in parts]
                if any(value is None for value in values):
                    return None
                return sum(values, Fraction(0)) if isinstance(node, Add) else math.prod(values, start=Fraction(1))
            case Div(num, den):
                top, bottom = self._fold(num), self._fold(den)
                if top is None or bottom is None:
                    return None
                if bottom == 0:
                    raise _no_value("division by zero in the expression at this point")
                return top / bottom
            case Pow(base, exp):
                power = self._exponent(exp)
                value = self._fold(base)
                if value is None:
                    return None
                if value == 0 and power < 0:
                    raise _no_value("0 to a negative power (a division by zero) in the expression at this point")
                return value**power
            case Sum(inner, inner_index, lower, upper):
                if self.index is not None and inner_index != self.index and self._reads_row(inner):
                    raise UsageError(
                        f"a sum over {inner_index} inside the sum over {self.index} uses {self.index}'s data: nested sums over data are not supported"
                    )
                return statistic(inner, inner_index, self.data, self.point, lower=lower, upper=upper)
            case Const(name):
                raise UsageError(
                    f"{'π' if name == 'pi' else name} has no exact value: a sum over data is worked out exactly, with rational numbers"
                )
            case Call(fn):
                raise UsageError(
                    f"{fn} has no exact value in general: a sum over data is worked out exactly, with + - · / and whole powers"
                )
            case Apply(name):
                raise UsageError(f"{name} is an abstract function: it has no value on the data")
            case Deriv():
                raise UsageError("the expression holds a derivative: work it out first (deriv grad)")
        raise UsageError(f"cannot evaluate {type(node).__name__} over data")

    def _exponent(self, exp: Expr) -> int:
        value = self._fold(exp)
        if value is None:
            raise UsageError(
                "an exponent that changes from row to row has no exact value in general: use a whole-number power"
            )
        if value.denominator != 1:
            raise UsageError(
                f"the power {value} has no exact value in general: a sum over data uses whole-number powers"
            )
        if abs(value) > limits.MAX_DATA_POWER:
            raise LimitError(
                f"the power {value} is beyond limits.MAX_DATA_POWER ({limits.MAX_DATA_POWER}) for a sum over data; {limits.how_to_raise('MAX_DATA_POWER')}"
            )
        return int(value)

    def _is_row_variable(self, var: Var) -> bool:
        if self.index is None:
            return False
        if var.sub == self.index:
            if var.name not in self.data.columns:
                raise UsageError(
                    f"{var.name}_{var.sub} is used in the expression, but the data has no column {var.name} (its columns: {', '.join(self.data.names)})"
                )
            return True
        # The bare index is the row number, 1-based as in sum_{i=1}^{n}.
        return var.sub is None and var.name == self.index and var not in self.point

    def _reads_row(self, expr: Expr) -> bool:
        return any(isinstance(node, Var) and self._is_row_variable(node) for _, node in walk(expr))

    # -- columns: the values of a row-dependent node over the rows
    def _column_of(self, node: Expr) -> _Values:
        """node's values over the rows as (values, denominator); node depends on the row (_fold gave None)."""
        match node:
            case Var():
                return self._data_column(node)
            case Neg(arg):
                values, den = self._part(arg)
                return list(map(operator.neg, values)), den
            case Add(parts):
                return self._add([self._part(part) for part in parts])
            case Mul(parts):
                return self._multiply([self._part(part) for part in parts])
            case Div(num, den):
                divisor = self._fold(den)
                if divisor is not None:
                    if divisor == 0:
                        raise _no_value("division by zero in the expression at this point")
                    return self._multiply([self._part(num), (1 / divisor, None)])
                if not self.fractions:
                    raise _NeedsFractions
                top, bottom = self._part(num), self._part(den)
                return self._divide(top[0], bottom[0]), 1
            case Pow(base, exp):
                power = self._exponent(exp)
                values, den = self._part(base)
                if power >= 0:
                    return list(map(pow, values, repeat(power))), den**power
                if not self.fractions:
                    raise _NeedsFractions
                return self._divide(Fraction(1), list(map(pow, values, repeat(-power)))), 1
        raise UsageError(f"cannot evaluate {type(node).__name__} over data")  # _fold has named every other node

    def _part(self, node: Expr) -> tuple:
        """A child's values: (values, denominator) when it depends on the row, (number, None) when it does not."""
        folded = self._fold(node)
        return (folded, None) if folded is not None else self._column_of(node)

    def _add(self, parts: list[tuple]) -> _Values:
        constant = sum((value for value, den in parts if den is None), Fraction(0))
        columns = [(values, den) for values, den in parts if den is not None]
        common = math.lcm(*(den for _, den in columns), constant.denominator) if not self.fractions else 1
        total = None
        for values, den in columns:
            scaled = values if common == den else list(map(operator.mul, values, repeat(common // den)))
            total = scaled if total is None else list(map(operator.add, total, scaled))
        if constant:
            shift = constant * common if self.fractions else int(constant * common)
            total = list(map(operator.add, total, repeat(shift)))
        return total, common

    def _multiply(self, parts: list[tuple]) -> _Values:
        constant = math.prod((value for value, den in parts if den is None), start=Fraction(1))
        product, denominator = None, 1
        for values, den in parts:
            if den is not None:
                product = values if product is None else list(map(operator.mul, product, values))
                denominator *= den
        if self.fractions:
            return (product if constant == 1 else list(map(operator.mul, product, repeat(constant)))), 1
        if constant.numerator != 1:
            product = list(map(operator.mul, product, repeat(constant.numerator)))
        return product, denominator * constant.denominator

    def _divide(self, top, bottom: list) -> list:
        """top / bottom row by row (top a column or one number), in Fractions; a zero names its data point."""
        if 0 in bottom:
            raise _no_value(f"division by zero in the term of data point {self.rows.start + bottom.index(0) + 1}")
        if isinstance(top, list):
            return list(map(operator.truediv, top, bottom))
        return [top / value for value in bottom]

    def _data_column(self, var: Var) -> _Values:
        """A data column (or the row number, for the bare index) over the sum's rows."""
        if var.sub is None:
            values: list = list(range(self.rows.start + 1, self.rows.stop + 1))
            return (list(map(Fraction, values)) if self.fractions else values), 1
        if self.fractions:
            values, den = list(self.data.columns[var.name]), 1
        else:
            values, den = self._scaled_column(var.name)
        if len(self.rows) != self.data.n:
            values = values[self.rows.start : self.rows.stop]
        return values, den

    def _scaled_column(self, name: str) -> _Values:
        """The column as integers over one common denominator, computed once per Data."""
        key = ("scaled", name)
        if key not in self.data._cache:
            values = self.data.columns[name]
            common = math.lcm(*(value.denominator for value in values))
            self.data._cache[key] = ([value.numerator * (common // value.denominator) for value in values], common)
        return self.data._cache[key]


def _no_value(message: str):
    """The error for a sum with no value at this point: evaluate's EvaluationError, as for 1/0 anywhere else."""
    # Imported here: evaluate brings mpmath, which reading data and summing it never need.
    from ..core.numeric import EvaluationError

    return EvaluationError(message)


# -- expansion over concrete data, for independent checks ------------------------------------------------------------------
def expand_sums(expr: Expr, data: Data, *, count: bool = True) -> Expr:
    """expr with every sum over the data written out term by term (a_i replaced by each row's value); n becomes the
    number of rows when count is set. For verification of small data sets: the result has one copy per row."""
    match expr:
        case Sum(body, index):
            rows = rows_of(expr, data)
            copies = []
            for row in rows:
                values: dict[Var, Expr] = {Var(name, index): data.value(name, row) for name in data.names}
                values[Var(index)] = number(row + 1)
                copies.append(_replace_vars(expand_sums(body, data, count=count), values))
            return Add(tuple(copies)) if len(copies) > 1 else (copies[0] if copies else Num(0))
        case Var() if count and expr == COUNT:
            return number(data.n)
    kids = children(expr)
    return with_children(expr, tuple(expand_sums(kid, data, count=count) for kid in kids)) if kids else expr


def _replace_vars(expr: Expr, values: Mapping[Var, Expr]) -> Expr:
    if isinstance(expr, Var):
        return values.get(expr, expr)
    kids = children(expr)
    return with_children(expr, tuple(_replace_vars(kid, values) for kid in kids)) if kids else expr
