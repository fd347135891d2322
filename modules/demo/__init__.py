"""The demo: a synthetic town (``town.py``) billed for a year by the real modules
(``scenario.py``). It sits on top of the business modules and nothing imports it but the CLI,
the tests and the benchmarks."""
