"""derivsteps: symbolic differentiation that shows its work."""

__version__ = "0.1.0"
__all__ = ["__version__", "parse"]


def __getattr__(name: str):
    # Loaded on first use, so `import derivsteps` stays cheap: the parser brings lark, never sympy or rich.
    if name == "parse":
        from .parser import parse

        return parse
    raise AttributeError(f"module 'derivsteps' has no attribute {name!r}")
