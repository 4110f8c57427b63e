"""Waiting out an unreachable Redis instead of crashing.

A worker that crashed on every Redis hiccup would restart, rejoin the group and force a
rebalance each time (a crash loop). Instead a batch waits and is tried again with a
growing pause: the commit is idempotent (the offset guard skips what a lost reply had
already applied), and nothing after the batch is read until it is stored, so no event is
skipped. Wrong credentials are not a hiccup and still fail at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from prometheus_client import Counter
from redis.exceptions import AuthenticationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("pantau.worker")
T = TypeVar("T")

FIRST_PAUSE_SECONDS = 0.2
LONGEST_PAUSE_SECONDS = 5.0
# A whole attempt (pipelined read, fold, script) is bounded as well as each socket read:
# after Redis restarts, a call was seen to wait on the client's pool without end.
ATTEMPT_SECONDS = 20.0


async def until_redis_answers(
    attempt: Callable[[], Awaitable[T]], retries: Counter, what: str
) -> T:
    """Run `attempt` until Redis answers it; each failed try counts in `retries`."""
    pause = FIRST_PAUSE_SECONDS
    while True:
        try:
            async with asyncio.timeout(ATTEMPT_SECONDS):
                return await attempt()
        except AuthenticationError:
            raise
        except (RedisConnectionError, RedisTimeoutError, TimeoutError) as error:
            retries.inc()
            reason = str(error) or f"no answer within {ATTEMPT_SECONDS:.0f} s"
            log.warning(
                "Redis unavailable while %s (%s); trying again in %.1f s", what, reason, pause
            )
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE_SECONDS)
