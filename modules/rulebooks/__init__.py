"""Rulebook versions kept in the database: every version lines were computed with, the one
published as current, and how to load any of them again exactly."""
