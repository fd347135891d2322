"""zhkh.kernel: rules, engine and arithmetic of the calculation. No I/O but reading rule files."""
