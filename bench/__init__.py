"""Benchmarks: each prints its figures and the ratio to its bound. Not part of the test run."""
