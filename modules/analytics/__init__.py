"""Analytics: summaries of the ledger by service, month, provider … (read only)."""
