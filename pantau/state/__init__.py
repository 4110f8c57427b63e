"""Live state: the pure folds from events to records and aggregates (shared by the live
agents and the audit replay), the Redis key space, the atomic commit and the queries."""
