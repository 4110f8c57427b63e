"""Per-client request rates at the intake: a token bucket per client address and kind of
request (writes are dearer than reads), answered with 429 and Retry-After when empty.

One intake process keeps its own buckets; behind a load balancer each replica allows the
configured rate, so the city-wide ceiling is that times the replicas.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from producers.intake.errors import open311_response

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Idle buckets are full again anyway; forgetting them bounds memory under many clients.
MAX_TRACKED_CLIENTS = 10_000


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: int


@dataclass
class TokenBucket:
    rate: Rate
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """Take one token; 0 if granted, else the seconds until one is there."""
        self.tokens = min(
            self.rate.burst, self.tokens + (now - self.updated) * self.rate.per_second
        )
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate.per_second


class RateLimit:
    def __init__(
        self,
        app: ASGIApp,
        writes: Rate,
        reads: Rate,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.rates = {"write": writes, "read": reads}
        self.clock = clock
        self.buckets: dict[tuple[str, str], TokenBucket] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/health":
            await self.app(scope, receive, send)
            return
        kind = "write" if scope["method"] in WRITE_METHODS else "read"
        client = scope.get("client")
        wait = self.take((client[0] if client else "unknown", kind))
        if wait:
            response = open311_response(
                429,
                f"rate: more than {self.rates[kind].per_second:g} {kind}s per second",
                scope["path"],
            )
            response.headers["Retry-After"] = str(math.ceil(wait))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def take(self, key: tuple[str, str]) -> float:
        now = self.clock()
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= MAX_TRACKED_CLIENTS:
                self.buckets.clear()
            rate = self.rates[key[1]]
            bucket = self.buckets[key] = TokenBucket(rate, float(rate.burst), now)
        return bucket.take(now)
