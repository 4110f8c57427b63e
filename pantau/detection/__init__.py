"""Complaint spike detection: pure functions over arrivals per event-time minute, so the
live detector and an offline evaluation (or an audit) reach the same verdicts; and the
grouping of those verdicts into incidents, one per surge."""
