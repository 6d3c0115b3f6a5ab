"""Data sets and sums over them: reading columns, checking them, and the Σ_i of the lecture's loss functions.

May import: core, language.
"""
