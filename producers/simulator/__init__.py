"""A seeded, deterministic simulator of the default city, for demos and benchmarks."""
