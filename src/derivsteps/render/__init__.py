"""Renderers: a result laid out as a format-neutral Document (document.py), then written by one writer per format.

One layout per result kind (derivation.py, multivar.py, critical.py, descent.py, implicit.py, written.py, grading.py,
checks.py) registers itself by result type in layouts.py, which print(), notebooks and rich use through core's
Displayed; writers/ holds the writers (text, the terminal with rich, LaTeX, Markdown, HTML). text.py, latex.py,
markdown.py and terminal.py are a derivation's entry points. JSON is not a layout: jsondoc.py and each module's
to_json write the documents whose schemas are the public contract (schemas/).
"""
