"""A small TCP proxy of the tests' own that puts faults on a connection: delay every
chunk, cut every open connection, or stall (accept and read, forward nothing) until
healed. It runs its own event loop in a thread so that tests can flip faults from
ordinary code while a worker talks through it."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

CHUNK = 64 * 1024


@dataclass
class Faults:
    delay_seconds: float = 0.0
    stalled: bool = False
    healed: asyncio.Event = field(default_factory=asyncio.Event)


class FaultyProxy:
    def __init__(self, listen_port: int, target_host: str, target_port: int) -> None:
        self.listen_port = listen_port
        self.target = (target_host, target_port)
        self.faults = Faults()
        self.connections_cut = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def __enter__(self) -> Self:
        self._thread.start()
        self._call(self._start())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._call(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def delay(self, seconds: float) -> None:
        """Hold every chunk, both ways, this long before passing it on."""
        self.faults.delay_seconds = seconds

    def stall(self) -> None:
        """Keep connections open but pass nothing on, like a peer that stopped answering."""

        async def set_stalled() -> None:
            self.faults.stalled = True
            self.faults.healed.clear()

        self._call(set_stalled())

    def cut(self) -> None:
        """Close every open connection at once, as a reset link would."""

        async def close_all() -> None:
            for writer in list(self._writers):
                writer.transport.abort()
            self.connections_cut += len(self._writers)
            self._writers.clear()

        self._call(close_all())

    def heal(self) -> None:
        async def clear() -> None:
            self.faults.delay_seconds = 0.0
            self.faults.stalled = False
            self.faults.healed.set()

        self._call(clear())

    def _call(self, coroutine: object) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)  # type: ignore[arg-type]

    async def _start(self) -> None:
        self.faults.healed.set()
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.listen_port)

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()

    async def _accept(
        self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        try:
            server_reader, server = await asyncio.open_connection(*self.target)
        except OSError:
            client.transport.abort()
            return
        self._writers |= {client, server}
        await asyncio.gather(self._pipe(client_reader, server), self._pipe(server_reader, client))

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while chunk := await source.read(CHUNK):
                if self.faults.stalled:
                    await self.faults.healed.wait()
                if self.faults.delay_seconds:
                    await asyncio.sleep(self.faults.delay_seconds)
                sink.write(chunk)
                await sink.drain()
        sink.transport.abort()
        self._writers.discard(sink)
