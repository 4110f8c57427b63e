"""Complaint spike detection: pure functions over arrivals per event-time minute, so the
live detector and an offline evaluation (or an audit) reach the same verdicts."""
