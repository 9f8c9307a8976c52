"""Stands in for a missing msgpack (tests/Firn.Tests/Python): put this folder first on PYTHONPATH."""

raise ImportError("No module named 'msgpack' (the test stand-in)")
