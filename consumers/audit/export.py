"""`pantau audit export`: a copy of the event log as JSON lines, one message per line with
its partition and offset, for safekeeping and for `pantau audit verify --log`."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path

from pydantic import BaseModel

from pantau.contract.settings import Settings
from pantau.contract.topics import EVENT_TOPICS
from pantau.logreader import LogReader, partitions_of


class LogEntry(BaseModel):
    topic: str
    partition: int
    offset: int
    timestamp: int
    key: str | None = None
    value: str | None = None  # the message as text when it is UTF-8
    value_b64: str | None = None  # otherwise its bytes, base64

    def raw(self) -> bytes | None:
        if self.value_b64 is not None:
            return base64.b64decode(self.value_b64)
        return None if self.value is None else self.value.encode()

    @classmethod
    def of(cls, record: object) -> LogEntry:
        value: bytes | None = getattr(record, "value", None)
        key: bytes | None = getattr(record, "key", None)
        text = None
        encoded = None
        if value is not None:
            try:
                text = value.decode()
            except UnicodeDecodeError:
                encoded = base64.b64encode(value).decode()
        return cls(
            topic=getattr(record, "topic", ""),
            partition=getattr(record, "partition", 0),
            offset=getattr(record, "offset", 0),
            timestamp=getattr(record, "timestamp", 0),
            key=None if key is None else key.decode(errors="replace"),
            value=text,
            value_b64=encoded,
        )


async def export_log(
    settings: Settings, path: Path, progress: Callable[[int], None] | None = None
) -> int:
    written = 0
    async with LogReader(settings) as reader:
        with path.open("w") as out:
            async for records in reader.whole(partitions_of(*EVENT_TOPICS.values())):
                for record in records:
                    out.write(LogEntry.of(record).model_dump_json(exclude_none=True) + "\n")
                written += len(records)
                if progress is not None:
                    progress(len(records))
    return written


def read_export(path: Path) -> Iterator[LogEntry]:
    with path.open() as lines:
        for number, line in enumerate(lines, start=1):
            try:
                yield LogEntry.model_validate(json.loads(line))
            except ValueError as error:
                raise ValueError(f"{path}:{number}: not a log entry ({error})") from None
