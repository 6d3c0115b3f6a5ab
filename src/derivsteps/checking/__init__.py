"""Checking what students wrote: answers, the mistake catalogue, written derivations line by line, same-form, grading.

May import: core, language, cas, data, calculus.
"""
