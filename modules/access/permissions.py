"""Roles and what each may do: a table role → allowed ``(module, action)``; deny by default.

Modules are the protected resources of the API, actions are ``read``, ``write`` or ``run``:

================  ==========================================================================
role              allowed
================  ==========================================================================
admin             everything
methodologist     rules:read, calculate:run, registry:read, meters:read, readings:read,
                  meter_access:read, complaints:read
operator          registry:read/write, meters:read/write, readings:read/write, passport:read,
                  meter_access:read/write, complaints:read
passport_officer  passport:read/write, personal_data:read, registry:read
cashier           registry:read, meters:read, readings:read/write (readings taken at the desk)
dispatcher        registry:read, meters:read, readings:read, meter_access:read/write,
                  complaints:read/write
analyst           registry:read, passport:read, meters:read, readings:read, rules:read,
                  meter_access:read, complaints:read
auditor           registry:read, passport:read, meters:read, readings:read, rules:read,
                  audit:read, meter_access:read, complaints:read
external_system   calculate:run, meters:read, readings:read/write
================  ==========================================================================

``meter_access`` covers the acts of refused access to a meter (акты о недопуске): the
operator and the dispatcher enter what the controllers of the executor or the guaranteeing
supplier drew up; the methodologist reads them to explain a ×1.5 by norm. ``registry`` covers
houses, premises and accounts (the account card included); ``passport`` covers persons,
registrations, absences and benefit assignments *without* personal data (a benefit's
document is personal); ``complaints`` covers quality incidents: the dispatcher records and
closes them, and whoever explains or checks charges (operator, methodologist, analyst,
auditor) reads them, since they reduce charges; ``personal_data`` is the
right to see a person's full name, birth date and document. Only ``admin`` and
``passport_officer`` hold it: the operator, the cashier and the dispatcher identify a resident
by the account and the person id, the analyst and the auditor need counts and history rather
than identities (the audit log masks personal values anyway), and an external system gets no
personal data through this API (152-ФЗ: the minimum needed for the purpose).
"""

from __future__ import annotations

from collections.abc import Mapping

ROLES = ("admin", "methodologist", "operator", "passport_officer", "cashier", "dispatcher",
         "analyst", "auditor", "external_system")

MODULES = ("registry", "passport", "personal_data", "meters", "readings", "meter_access",
           "audit", "calculate", "rules", "complaints")

ALL = "*"

_RW = ("read", "write")

PERMISSIONS: Mapping[str, frozenset[tuple[str, str]]] = {
    "admin": frozenset({(ALL, ALL)}),
    "methodologist": frozenset({("rules", "read"), ("calculate", "run"), ("registry", "read"),
                                ("meters", "read"), ("readings", "read"),
                                ("meter_access", "read"), ("complaints", "read")}),
    "operator": frozenset({*(("registry", a) for a in _RW), *(("meters", a) for a in _RW),
                           *(("readings", a) for a in _RW), ("passport", "read"),
                           *(("meter_access", a) for a in _RW), ("complaints", "read")}),
    "passport_officer": frozenset({*(("passport", a) for a in _RW), ("personal_data", "read"),
                                   ("registry", "read")}),
    "cashier": frozenset({("registry", "read"), ("meters", "read"),
                          *(("readings", a) for a in _RW)}),
    "dispatcher": frozenset({("registry", "read"), ("meters", "read"), ("readings", "read"),
                             *(("meter_access", a) for a in _RW),
                             *(("complaints", a) for a in _RW)}),
    "analyst": frozenset({("registry", "read"), ("passport", "read"), ("meters", "read"),
                          ("readings", "read"), ("rules", "read"), ("meter_access", "read"),
                          ("complaints", "read")}),
    "auditor": frozenset({("registry", "read"), ("passport", "read"), ("meters", "read"),
                          ("readings", "read"), ("rules", "read"), ("audit", "read"),
                          ("meter_access", "read"), ("complaints", "read")}),
    "external_system": frozenset({("calculate", "run"), ("meters", "read"),
                                  *(("readings", a) for a in _RW)}),
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
