"""Ids Pantau derives from names it is given (an alert's event id from its fingerprint,
status and minute). The names come from the city profile, whose keys may be as long as the
profile schema admits, so a derived id is made to fit the contract's identifier length:
as it reads when it fits; otherwise its head is cut short and marked with a hash of the
whole head. The same inputs always give the same id, which matters because these ids are
dedupe keys: a verdict published twice must be one alert to its consumers.
"""

from __future__ import annotations

import hashlib

from pantau.contract.events import IDENTIFIER_MAX_LENGTH

# 64 bits: two different long heads that share their readable start collide with a
# probability of about 2^-64, which is far below any other way an alert could be lost.
HASH_CHARS = 16


def bounded_id(head: str, tail: str = "", limit: int = IDENTIFIER_MAX_LENGTH) -> str:
    """`head + tail` if it fits `limit`; otherwise the head's start, `-`, 16 hex digits of
    SHA-256 over the whole head, then the tail unchanged (it tells ids of one head apart,
    such as an alert's firing and its resolution, so it stays readable)."""
    if len(head) + len(tail) <= limit:
        return head + tail
    mark = "-" + hashlib.sha256(head.encode()).hexdigest()[:HASH_CHARS]
    room = limit - len(tail) - len(mark)
    if room < 1:
        raise ValueError(f"an id's fixed part {tail!r} leaves no room within {limit} characters")
    # A cut that ends on a separator would read as two separators in a row.
    start = head[:room].rstrip(":.-_") or head[:1]
    return start + mark + tail
