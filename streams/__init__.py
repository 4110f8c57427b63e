"""Stream agents: turn the event topics into live per-dimension state in Redis."""
