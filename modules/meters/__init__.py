"""Meters (Приборы учёта): individual, shared, house and group meters, zones, readings."""
