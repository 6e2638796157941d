"""Use cases: plain arguments in, data out; each owns its transaction; never touches `request`."""
