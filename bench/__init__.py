"""Benchmarks: `python -m bench` (or `make bench`) runs every module here that has a `run()`
function; `python -m bench NAME ...` runs only those named. Each prints its figures as a ratio
against a baseline measured in the same run, with the absolute numbers, and records them in
bench/RESULTS.md."""
