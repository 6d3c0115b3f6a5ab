"""
Using derivsteps as a library
=============================

Differentiate an expression, walk through its steps and the rules they use, get LaTeX for a write-up, and check
the result against SymPy. A Derivation is plain data: every step keeps the whole expression and names its rule.
"""

from derivsteps import differentiate, verify
from derivsteps.language.mathlatex import to_latex
from derivsteps.language.mathtext import to_text
from derivsteps.render.latex import render_latex

derivation = differentiate("x^2 sin(x)", "x")

# The lines as a lecture writes them (derivation.steps holds every single rewrite).
for number, line in enumerate(derivation.lines(), start=1):
    print(f"{number}. {to_text(line.after):<40} rules: {', '.join(line.rules)}")

print("result:", to_text(derivation.result))
print("LaTeX of the result:", to_latex(derivation.result))

# The check is a value, not an exception: verified is True, False (a bug in derivsteps) or None (undecided).
check = verify(derivation)
print(f"verified: {check.verified} (decided {check.method})")

# The whole derivation as an align* block for a LaTeX document; print(derivation) gives the plain-text version.
print(render_latex(derivation.with_verification(check)))
