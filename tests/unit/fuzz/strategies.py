"""What the decode fuzzers feed in, shared by the fuzz tests and the test that holds the
fast decoder to the contract's (tests/unit/state/test_decoders_agree.py)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from pantau.contract.events import EventKind
from tests.factories import complaint_document, indicator_document, program_document

VALID: dict[EventKind, dict[str, Any]] = {
    EventKind.COMPLAINT: complaint_document(),
    EventKind.PROGRAM: program_document(),
    EventKind.INDICATOR: indicator_document(),
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)
kinds = st.sampled_from(list(VALID))
