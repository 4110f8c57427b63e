"""Why the stack could not come up, with what an operator needs to act on it."""

from __future__ import annotations


class StackError(RuntimeError):
    """A service did not come up; carries the tail of its log."""

    def __init__(self, service: str, reason: str, log_tail: str = "") -> None:
        self.service = service
        self.reason = reason
        self.log_tail = log_tail
        super().__init__(f"{service}: {reason}")
