"""The computer-algebra side: the SymPy bridge, the one equivalence service, verification, SymPy's own steps, and the
one worker runtime every CAS call runs in (pre-forked, time- and memory-limited).

May import: core, language. The only package that imports SymPy.
"""
