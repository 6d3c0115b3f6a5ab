"""derivsteps: symbolic differentiation that shows its work."""

__version__ = "0.1.0"

# The public API, loaded on first use so `import derivsteps` stays cheap: the parser brings lark, the engine nothing
# more, and only verify() brings SymPy.
_EXPORTS = {
    "parse": "language.parser",
    "differentiate": "core.engine",
    "verify": "cas.verification",
    "gradient": "calculus.multivar",
    "hessian": "calculus.multivar",
    "Gradient": "calculus.multivar",
    "Hessian": "calculus.multivar",
    "evaluate_at": "calculus.at_point",
    "Evaluation": "calculus.at_point",
    "critical_points": "calculus.critical",
    "descend": "calculus.descent",
    "implicit_derivative": "calculus.implicit",
    "Implicit": "calculus.implicit",
    "Derivation": "core.derivation",
    "Step": "core.derivation",
    "DerivError": "core.errors",
    "InputError": "core.errors",
    "ParseError": "core.errors",
    "LimitError": "core.errors",
    "UsageError": "core.errors",
    "UndefinedError": "core.errors",
    "EquationError": "core.errors",
    "parse_equation": "language.parser",
    "equivalent": "cas.equivalence",
    "Equivalence": "cas.equivalence",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        from importlib import import_module

        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'derivsteps' has no attribute {name!r}")
