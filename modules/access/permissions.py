"""Roles and what each may do: a table role → allowed ``(module, action)``; deny by default.

Modules are the protected resources of the API, actions are ``read``, ``write`` or ``run``
(and ``reverse`` of ``payments``: the storno):

================  ==========================================================================
role              allowed
================  ==========================================================================
admin             everything
methodologist     rules:read, calculate:run, registry:read, meters:read, readings:read,
                  meter_access:read, complaints:read
operator          registry:read/write, meters:read/write, readings:read/write, passport:read,
                  meter_access:read/write, complaints:read, payments:read, balances:read,
                  documents:read/write
passport_officer  passport:read/write, personal_data:read, registry:read,
                  passport_documents:write
cashier           registry:read, meters:read, readings:read/write (readings taken at the desk),
                  payments:read/write, balances:read, documents:read
dispatcher        registry:read, meters:read, readings:read, meter_access:read/write,
                  complaints:read/write
analyst           registry:read, passport:read, meters:read, readings:read, rules:read,
                  meter_access:read, complaints:read, finance:read, payments:read,
                  balances:read, documents:read
auditor           registry:read, passport:read, meters:read, readings:read, rules:read,
                  audit:read, meter_access:read, complaints:read, finance:read, payments:read,
                  balances:read, documents:read
accountant        finance:read/write, payments:read/write/reverse, balances:read, registry:read,
                  documents:read/write
external_system   calculate:run, meters:read, readings:read/write, payments:write,
                  balances:read, complaints:submit
================  ==========================================================================

``meter_access`` covers the acts of refused access to a meter (акты о недопуске): the
operator and the dispatcher enter what the controllers of the executor or the guaranteeing
supplier drew up; the methodologist reads them to explain a ×1.5 by norm. ``registry`` covers
houses, premises and accounts (the account card included); ``passport`` covers persons,
registrations, absences and benefit assignments *without* personal data (a benefit's
document is personal); ``complaints`` covers quality incidents: the dispatcher records and
closes them, and whoever explains or checks charges (operator, methodologist, analyst,
auditor) reads them, since they reduce charges. ``complaints`` also covers consumers'
complaints (обращения): the dispatcher registers them and moves them through the workflow;
``complaints:submit`` is a portal's (``external_system``) right to register a complaint and
read back the complaints it registered itself (status and history, to tell the consumer),
without reading anybody else's or moving any; ``personal_data`` is the
right to see a person's full name, birth date and document. Only ``admin`` and
``passport_officer`` hold it: the operator, the cashier and the dispatcher identify a resident
by the account and the person id, the analyst and the auditor need counts and history rather
than identities (the audit log masks personal values anyway), and an external system gets no
personal data through this API (152-ФЗ: the minimum needed for the purpose).

Money has three modules. ``payments`` covers payments (read: the list and one payment with its
allocation; write: post a payment) and ``reverse``, the storno of a payment, kept apart from
``write`` because it takes money back from the providers' split: only ``admin`` and the
``accountant`` (бухгалтер) may do it. ``balances`` is an account's balance (what it owes and
its advance): the cashier and a portal (``external_system``) need it to take a payment without
reading anybody's payment history, so it is not ``payments:read``. ``finance`` covers the
finance department's books: management companies, providers, contracts and their terms, bank
registry files and the unidentified payments in them (write: load a file, match a line to an
account), the turnover sheet, debtors, transfers to providers and their reconciliation; the
accountant writes them, the analyst and the auditor read them. The account card
(``registry:read``) shows the balance only to a role with ``balances:read`` and the payments
only to one with ``payments:read``.

``documents`` covers the payment documents (ЕПД, corrected ЕПД, debt notices): the operator and
the accountant issue them (write), and with the cashier (a payer asks for a copy at the desk),
the analyst and the auditor they read them — JSON and PDF. A payment document names its payer,
as the printed paper does: the roles that handle bills see it. ``passport_documents`` is the
issue of the passport office's certificates (выписка из домовой книги, справка о
зарегистрированных, поквартирная карточка): they print residents' personal data, so only the
``passport_officer`` (and ``admin``) issues them, each issue logged with who asked and why.
"""

from __future__ import annotations

from collections.abc import Mapping

ROLES = ("admin", "methodologist", "operator", "passport_officer", "cashier", "dispatcher",
         "analyst", "auditor", "external_system", "accountant")

MODULES = ("registry", "passport", "personal_data", "meters", "readings", "meter_access",
           "audit", "calculate", "rules", "complaints", "payments", "balances", "finance",
           "documents", "passport_documents")

ALL = "*"

_RW = ("read", "write")
_MONEY_READ = (("finance", "read"), ("payments", "read"), ("balances", "read"))

PERMISSIONS: Mapping[str, frozenset[tuple[str, str]]] = {
    "admin": frozenset({(ALL, ALL)}),
    "methodologist": frozenset({("rules", "read"), ("calculate", "run"), ("registry", "read"),
                                ("meters", "read"), ("readings", "read"),
                                ("meter_access", "read"), ("complaints", "read")}),
    "operator": frozenset({*(("registry", a) for a in _RW), *(("meters", a) for a in _RW),
                           *(("readings", a) for a in _RW), ("passport", "read"),
                           *(("meter_access", a) for a in _RW), ("complaints", "read"),
                           ("payments", "read"), ("balances", "read"),
                           *(("documents", a) for a in _RW)}),
    "passport_officer": frozenset({*(("passport", a) for a in _RW), ("personal_data", "read"),
                                   ("registry", "read"), ("passport_documents", "write")}),
    "cashier": frozenset({("registry", "read"), ("meters", "read"),
                          *(("readings", a) for a in _RW), *(("payments", a) for a in _RW),
                          ("balances", "read"), ("documents", "read")}),
    "dispatcher": frozenset({("registry", "read"), ("meters", "read"), ("readings", "read"),
                             *(("meter_access", a) for a in _RW),
                             *(("complaints", a) for a in _RW)}),
    "analyst": frozenset({("registry", "read"), ("passport", "read"), ("meters", "read"),
                          ("readings", "read"), ("rules", "read"), ("meter_access", "read"),
                          ("complaints", "read"), *_MONEY_READ, ("documents", "read")}),
    "auditor": frozenset({("registry", "read"), ("passport", "read"), ("meters", "read"),
                          ("readings", "read"), ("rules", "read"), ("audit", "read"),
                          ("meter_access", "read"), ("complaints", "read"), *_MONEY_READ,
                          ("documents", "read")}),
    "external_system": frozenset({("calculate", "run"), ("meters", "read"),
                                  *(("readings", a) for a in _RW), ("payments", "write"),
                                  ("balances", "read"), ("complaints", "submit")}),
    "accountant": frozenset({*(("finance", a) for a in _RW),
                             *(("payments", a) for a in (*_RW, "reverse")),
                             ("balances", "read"), ("registry", "read"),
                             *(("documents", a) for a in _RW)}),
}


def is_allowed(role: str, module: str, action: str) -> bool:
    """True only when the table grants ``(module, action)`` to ``role``; unknown → False."""
    granted = PERMISSIONS.get(role)
    if granted is None:
        return False
    return ((module, action) in granted or (ALL, ALL) in granted
            or (module, ALL) in granted)


def sees_personal_data(role: str) -> bool:
    """Whether the role may read full names, birth dates and documents of persons."""
    return is_allowed(role, "personal_data", "read")
