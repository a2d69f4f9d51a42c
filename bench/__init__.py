"""Benchmarks of pouchd and pouch against floors measured in the same run (``python -m bench``)."""
