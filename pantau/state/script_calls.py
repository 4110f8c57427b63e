"""Calls of one Lua script, each sent the moment it is ready, the replies read at the end.

A redis-py pipeline writes its commands only when it executes, so a commit that builds one
call per partition kept Redis idle while the worker folded, and the worker idle while Redis
applied: at 12,500 events/s the two took turns, and the worker's batches queued behind
each other. Sent as each partition's call is built, Redis applies partition k while the
worker folds partition k+1, and the batch waits only for the last one.

All calls go over one connection taken from the client's pool, replies read in order as a
pipeline reads them. A call Redis answers with NOSCRIPT (it restarted or was flushed since
the script was loaded) is sent again once the script is loaded.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import NoScriptError, ResponseError


class ScriptCalls:
    def __init__(self, client: aioredis.Redis, script: str, sha: str) -> None:
        self._client = client
        self._script = script
        self._sha = sha
        self._connection: AbstractConnection | None = None
        self._calls: list[list[Any]] = []
        self._unread = 0

    async def __aenter__(self) -> ScriptCalls:
        self._connection = await self._client.connection_pool.get_connection()  # type: ignore[no-untyped-call]
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if self._unread:
            # Replies left on the wire would answer the connection's next user.
            await connection.disconnect()
        await self._client.connection_pool.release(connection)

    async def send(self, arguments: list[Any]) -> None:
        """Send one call (EVALSHA's arguments after the digest) without waiting for it."""
        self._calls.append(arguments)
        await self._write(arguments)

    async def replies(self) -> list[Any]:
        """Each call's reply, in the order sent; a reply that is an error is returned as
        the exception, NOSCRIPT excepted (the call is made again)."""
        outcomes = await self._read(len(self._calls))
        missing = [i for i, outcome in enumerate(outcomes) if isinstance(outcome, NoScriptError)]
        if missing:
            await self._client.script_load(self._script)
            for i in missing:
                await self._write(self._calls[i])
            for i, outcome in zip(missing, await self._read(len(missing)), strict=True):
                outcomes[i] = outcome
        self._calls = []
        return outcomes

    async def _write(self, arguments: list[Any]) -> None:
        connection = self._open()
        packed = connection.pack_command("EVALSHA", self._sha, *arguments)
        self._unread += 1
        await connection.send_packed_command(packed, check_health=False)

    async def _read(self, count: int) -> list[Any]:
        connection = self._open()
        outcomes: list[Any] = []
        for _ in range(count):
            try:
                outcomes.append(await connection.read_response())
            except ResponseError as error:
                outcomes.append(error)
            self._unread -= 1
        return outcomes

    def _open(self) -> AbstractConnection:
        if self._connection is None:
            raise RuntimeError("ScriptCalls is used outside its async with block")
        return self._connection
