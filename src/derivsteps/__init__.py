"""derivsteps: symbolic differentiation that shows its work."""

__version__ = "0.1.0"

# The public API, loaded on first use so `import derivsteps` stays cheap: the parser brings lark, the engine nothing
# more, and only verify() brings SymPy.
_EXPORTS = {
    "parse": "parser",
    "differentiate": "engine",
    "verify": "verification",
    "gradient": "multivar",
    "hessian": "multivar",
    "Gradient": "multivar",
    "Hessian": "multivar",
    "evaluate_at": "evaluation",
    "Evaluation": "evaluation",
    "critical_points": "critical",
    "descend": "descent",
    "implicit_derivative": "implicit",
    "Implicit": "implicit",
    "Derivation": "derivation",
    "Step": "derivation",
    "DerivError": "errors",
    "InputError": "errors",
    "ParseError": "errors",
    "LimitError": "errors",
    "UsageError": "errors",
    "UndefinedError": "errors",
    "EquationError": "errors",
    "parse_equation": "parser",
    "equivalent": "equivalence",
    "Equivalence": "equivalence",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        from importlib import import_module

        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'derivsteps' has no attribute {name!r}")
