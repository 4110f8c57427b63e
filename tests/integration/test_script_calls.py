"""ScriptCalls against the real Redis: calls sent one by one, replies in order, NOSCRIPT
answered by loading the script, an error reply kept in its place, and a connection left
with unread replies never handed to its next user."""

from __future__ import annotations

import hashlib
import secrets

import pytest
import redis.asyncio as aioredis

from pantau.contract.settings import Settings
from pantau.state.script_calls import ScriptCalls


def _script(body: str) -> tuple[str, str]:
    # A comment no other run has used: Redis does not know the script until it is loaded.
    source = f"-- {secrets.token_hex(8)}\n{body}"
    return source, hashlib.sha1(source.encode()).hexdigest()


async def test_replies_come_in_the_order_sent_once_the_unknown_script_is_loaded(
    live_stack: Settings,
) -> None:
    client = aioredis.Redis.from_url(live_stack.redis_url.get_secret_value())
    source, sha = _script("return ARGV[1] .. ':' .. KEYS[1]")
    try:
        assert await client.script_exists(sha) == [False]
        async with ScriptCalls(client, source, sha) as calls:
            for number in range(5):
                await calls.send([1, f"pantau-sc:{number}", str(number)])
            replies = await calls.replies()
        assert replies == [f"{n}:pantau-sc:{n}".encode() for n in range(5)]
        assert await client.script_exists(sha) == [True]
    finally:
        await client.aclose()


async def test_an_error_reply_stays_in_its_place_and_the_others_are_read(
    live_stack: Settings,
) -> None:
    client = aioredis.Redis.from_url(live_stack.redis_url.get_secret_value())
    source, sha = _script(
        "if ARGV[1] == 'bad' then return redis.error_reply('refused ' .. KEYS[1]) end\n"
        "return ARGV[1]"
    )
    try:
        async with ScriptCalls(client, source, sha) as calls:
            for value in ("a", "bad", "c"):
                await calls.send([1, "pantau-sc:k", value])
            first, refused, last = await calls.replies()
        assert (first, last) == (b"a", b"c")
        assert isinstance(refused, aioredis.ResponseError) and "refused" in str(refused)
        assert await client.ping()
    finally:
        await client.aclose()


async def test_a_connection_left_with_unread_replies_is_not_reused_as_it_is(
    live_stack: Settings,
) -> None:
    client = aioredis.Redis.from_url(live_stack.redis_url.get_secret_value(), max_connections=1)
    source, sha = _script("return ARGV[1]")
    try:
        await client.script_load(source)
        with pytest.raises(RuntimeError, match="folding failed"):
            async with ScriptCalls(client, source, sha) as calls:
                await calls.send([1, "pantau-sc:k", "stale"])
                raise RuntimeError("folding failed")
        # The only connection of the pool: had it kept the unread reply, GET would read it.
        await client.set("pantau-sc:fresh", "fresh")
        assert await client.get("pantau-sc:fresh") == b"fresh"
    finally:
        await client.delete("pantau-sc:fresh")
        await client.aclose()
