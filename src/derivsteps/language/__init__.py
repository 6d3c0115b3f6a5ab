"""Reading and writing math: the lexer, the parsers (typed text and LaTeX, grammars in grammars/*.lark), equations,
the reading conventions, and the printers of an expression to text and LaTeX (one precedence table).

May import: core.
"""
