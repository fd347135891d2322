"""Stateless calculation: the published rulebook, its engines, and calculating a situation."""
