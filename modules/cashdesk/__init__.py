"""The cash desk (касса): cash shifts and the payments taken in them (through finance)."""
