"""Billing: periods, the append-only ledger, recalculation queue, run errors, audit log."""
