"""Dead letters: the original bytes, key and place, with the reason in headers."""

from __future__ import annotations

from typing import Any

from pantau.contract.topics import DEADLETTER
from pantau.state.decode import Rejection
from streams.processor import Received

HEADER_REASON = "pantau-dlq-reason"
HEADER_DETAIL = "pantau-dlq-detail"
HEADER_TOPIC = "pantau-dlq-topic"
HEADER_PARTITION = "pantau-dlq-partition"
HEADER_OFFSET = "pantau-dlq-offset"


def deadletter_headers(message: Received, rejection: Rejection) -> list[tuple[str, bytes]]:
    return [
        (HEADER_REASON, rejection.reason.value.encode()),
        (HEADER_DETAIL, rejection.detail[:1000].encode()),
        (HEADER_TOPIC, message.topic.encode()),
        (HEADER_PARTITION, str(message.partition).encode()),
        (HEADER_OFFSET, str(message.offset).encode()),
    ]


class FaustDeadLetters:
    """Sends through the worker's own Faust producer and waits for the acknowledgement."""

    def __init__(self, app: Any) -> None:
        self._topic = app.topic(DEADLETTER.name, key_serializer="raw", value_serializer="raw")

    async def send(self, message: Received, rejection: Rejection) -> None:
        pending = await self._topic.send(
            key=message.key,
            value=message.value if message.value is not None else b"",
            headers=deadletter_headers(message, rejection),
        )
        await pending
