"""Renderers: one module per output format, each a pure function of a tree or a Derivation."""
