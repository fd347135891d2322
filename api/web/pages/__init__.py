"""One module per desk: its router (``router``), its navigation entry (``DESK``, or None for
pages outside the navigation) and its templates in ``templates/<desk>/``."""
