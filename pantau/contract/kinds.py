"""The kinds of event (no pydantic here: the command line offers them without loading the
contract's models)."""

from enum import StrEnum


class EventKind(StrEnum):
    COMPLAINT = "complaint"
    PROGRAM = "program"
    INDICATOR = "indicator"
