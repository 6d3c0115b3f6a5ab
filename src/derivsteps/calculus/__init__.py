"""Several-variable calculus built on the core: gradient, Hessian, evaluation at a point, critical points, their
classification, gradient descent and implicit differentiation.

May import: core, language, cas, data.
"""
