"""The core: the expression tree, the rule tables, the engine that applies them one named step at a time, and the
derivation it records; with the errors, the named limits, the function catalogue, definedness and exact linear algebra.

May import: nothing of ours above it. Every other package is its client.
"""
