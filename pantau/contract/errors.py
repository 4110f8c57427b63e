"""Errors a user can act on: each names the field (or line) and the reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError


@dataclass(frozen=True)
class FieldProblem:
    """One rejected field: its dotted location, the reason, and the value's type."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class ContractError(ValueError):
    """An event or profile that breaks the contract, with every problem named."""

    def __init__(self, problems: list[FieldProblem], *, subject: str = "event") -> None:
        self.problems = problems
        self.subject = subject
        listed = "; ".join(str(p) for p in problems)
        super().__init__(f"invalid {subject}: {listed}")

    @property
    def fields(self) -> list[str]:
        return [p.field for p in self.problems]

    @classmethod
    def from_validation(cls, error: ValidationError, *, subject: str = "event") -> ContractError:
        """Translate pydantic's errors without echoing the rejected values.

        The values may be personal data (a complainant's free text), so only the
        location and pydantic's message are kept.
        """
        problems = [
            FieldProblem(
                field=_dotted(detail["loc"]) or "(document)", reason=_without_values(detail)
            )
            for detail in error.errors(include_url=False)
        ]
        return cls(problems, subject=subject)


def _without_values(detail: Any) -> str:
    """pydantic's message with the rejected value taken out where it is quoted (an
    unknown `kind` tag is repeated back, for one)."""
    message = str(detail["msg"])
    for value in (detail.get("input"), (detail.get("ctx") or {}).get("tag")):
        if isinstance(value, str) and value:
            message = message.replace(f"'{value}'", "(a value)")
    return message


def _dotted(location: tuple[int | str, ...]) -> str:
    # The discriminated union adds the kind tag as the first location element
    # ("complaint.status"); that reads well, so it is kept.
    return ".".join(str(part) for part in location)
