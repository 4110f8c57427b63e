"""Producers: the ways events enter Pantau (intake, importers, the city simulator)."""
