"""Data made up for load tests and benchmarks (`flask synthesize`): never used to serve a request."""
