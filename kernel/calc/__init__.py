"""Situation → signatures → decisions → plan → kernel → lines with explain.

The public entry is :func:`zhkh.kernel.calc.calculate.calculate`; the situation and the
result models are in ``situation.py`` and ``result.py``.
"""
