"""The audit: replay the event history, compare it with what the wall showed, and prove
the log itself was not altered."""
