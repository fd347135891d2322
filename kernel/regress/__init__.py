"""Property-based regression runs on rule changes (``zhkh rules regress``).

Situations are generated from the rulebook itself (:mod:`.space`, :mod:`.strategies`), each
is calculated with a base and a draft rulebook through the stateless calculation, the draft's
lines are checked against named invariants (:mod:`.invariants`, :mod:`.declared`, :mod:`.twin`),
the two are compared (:mod:`.compare`), and a minimal situation is shrunk (:mod:`.shrink`) for
each kind of difference and each violated invariant. :func:`regress` runs it all.
"""

from zhkh.kernel.regress.declared import Declared, DeclaredError, load_declared
from zhkh.kernel.regress.runner import Found, Options, Report, regress

__all__ = ["Declared", "DeclaredError", "Found", "Options", "Report", "load_declared",
           "regress"]
