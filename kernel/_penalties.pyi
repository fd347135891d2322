"""Type stub of the compiled penalty kernel (``_penalties.pyx``).

Its caller is ``zhkh.kernel.penalties.fast``, which lays the arrays out; the twin is
``zhkh.kernel.penalties.reference`` (per account, on ``Decimal``), not of the same signature.
"""

import numpy as np
import numpy.typing as npt

_I64 = npt.NDArray[np.int64]
_I32 = npt.NDArray[np.int32]

def penalties_kernel(
    debt_ptr: _I64,
    d_period: _I32,
    d_amount: _I64,
    d_due: _I64,
    d_class: _I32,
    pay_ptr: _I64,
    p_date: _I64,
    p_amount: _I64,
    p_period: _I32,
    calc: int,
    t0: int,
    designated: int,
    payment_day_accrues: int,
    rate_paid: int,
    rate_unpaid: int,
    cap_on_day: int,
    q: int,
    rate_bp: _I64,
    cap_bp: _I64,
    pm: _I64,
    pr: _I64,
    pk: _I64,
    cap_values: _I64,
    sc_since: _I64,
    sc_grace: _I64,
    sc_tier_ptr: _I64,
    t_from: _I64,
    t_mult: _I64,
    t_den_idx: _I32,
    out_penalty: _I64,
    out_grace: _I32,
    out_tier: _I32,
    out_mor: _I32,
    out_status: npt.NDArray[np.int8],
    max_debts: int,
) -> int: ...
