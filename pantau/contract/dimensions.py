"""The six Smart City dimensions of the national "Gerakan Menuju 100 Smart City" set."""

from enum import StrEnum


class Dimension(StrEnum):
    GOVERNANCE = "governance"
    BRANDING = "branding"
    ECONOMY = "economy"
    LIVING = "living"
    SOCIETY = "society"
    ENVIRONMENT = "environment"
