"""The intake's per-client token buckets, with a clock the test moves."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from producers.intake.ratelimit import Rate, RateLimit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _client(clock: Clock) -> httpx.AsyncClient:
    app = FastAPI()

    @app.get("/requests.json")
    def read() -> list[str]:
        return []

    @app.post("/requests.json")
    def write() -> list[str]:
        return []

    limited = RateLimit(app, writes=Rate(2, burst=3), reads=Rate(10, burst=10), clock=clock)
    transport = httpx.ASGITransport(app=limited, client=("10.0.0.7", 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://intake")


async def test_writes_over_the_burst_get_429_with_retry_after_and_the_standard_body() -> None:
    clock = Clock()
    async with _client(clock) as client:
        codes = [(await client.post("/requests.json")).status_code for _ in range(3)]
        refused = await client.post("/requests.json")
    assert codes == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert refused.json() == [{"code": 429, "description": "rate: more than 2 writes per second"}]


async def test_tokens_come_back_at_the_rate_and_reads_have_their_own_bucket() -> None:
    clock = Clock()
    async with _client(clock) as client:
        for _ in range(3):
            await client.post("/requests.json")
        assert (await client.get("/requests.json")).status_code == 200
        assert (await client.post("/requests.json")).status_code == 429
        clock.now += 0.5  # one token at 2 per second
        assert (await client.post("/requests.json")).status_code == 200
        assert (await client.post("/requests.json")).status_code == 429


async def test_clients_are_limited_separately() -> None:
    clock = Clock()
    limited = RateLimit(FastAPI(), writes=Rate(1, burst=1), reads=Rate(1, burst=1), clock=clock)
    assert limited.take(("10.0.0.1", "write")) == 0
    assert limited.take(("10.0.0.1", "write")) > 0
    assert limited.take(("10.0.0.2", "write")) == 0
