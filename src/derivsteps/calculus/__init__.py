"""Calculus built on the core: the derivative of what a user types (derivative.py, the engine's front: text and --wrt
read, SymPy passed in as the fallback), gradient, Hessian, evaluation at a point, critical points, their
classification, gradient descent and implicit differentiation.

May import: core, language, cas, data.
"""
