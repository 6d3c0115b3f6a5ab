"""
Question 2 of the lecture, step by step
=======================================

Differentiate (x + y + z)^2 with respect to y. The variables x and z are held constant, so the chain rule, the
exponent rule, the sum rule and the constant rule each take one line, and SymPy checks the result.

The command line does the same: deriv "(x+y+z)^2" --wrt y --steps
"""

from derivsteps.calculus.derivative import differentiate
from derivsteps.cas.verification import verify
from derivsteps.render.text import render_text

derivation = differentiate("(x+y+z)^2", "y")
derivation = derivation.with_verification(verify(derivation))
print(render_text(derivation, steps=True), end="")
