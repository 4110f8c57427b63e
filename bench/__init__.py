"""Measurements that drive the city simulator through Pantau's code: their own commands,
never part of the test suite's verdicts."""
