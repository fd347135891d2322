"""One router per module."""
