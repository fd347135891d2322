"""The shipped rule set of the demo region (data only)."""

from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent
"""Folder of the shipped rule files, wherever the package is installed."""
