"""What every role is given: the settings, and what is built from them once per process.

A command builds one `Context` (`context_of`) and hands it to the role it runs, so no role
reads the environment, opens its own Redis connection from the URL, loads the city
profile again or spells a key of its own. Everything is built on first use: a command
that never touches Redis opens no connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings

if TYPE_CHECKING:  # the clients load with the first command that uses them
    import redis
    import redis.asyncio as aioredis
    import typer

    from pantau.contract.city import CityProfile
    from pantau.publisher import EventPublisher
    from pantau.state.query import StateQuery


@dataclass
class Context:
    settings: Settings = field(default_factory=Settings)

    @cached_property
    def profile(self) -> CityProfile:
        from pantau.contract.city import load_city_profile

        return load_city_profile(self.settings.city_profile)

    @cached_property
    def keys(self) -> KeySpace:
        return KeySpace(self.settings.redis_prefix)

    @cached_property
    def redis(self) -> redis.Redis:
        """The process's blocking client (redis-py pools its connections)."""
        import redis

        return redis.Redis.from_url(self.settings.redis_url.get_secret_value())

    def async_redis(self, **options: Any) -> aioredis.Redis:
        """A new asyncio client: one belongs to the event loop that first uses it."""
        import redis.asyncio as aioredis

        return aioredis.Redis.from_url(self.settings.redis_url.get_secret_value(), **options)

    @cached_property
    def query(self) -> StateQuery:
        """The live figures, read as the wall reads them."""
        from pantau.state.query import StateQuery

        return StateQuery(self.redis, self.keys, self.profile, self.settings.clock)

    def publisher(self, client_id: str, **options: Any) -> EventPublisher:
        """A Kafka producer of checked events; the caller closes it (`with`)."""
        from pantau.publisher import EventPublisher

        return EventPublisher(self.settings, self.profile, client_id=client_id, **options)

    def updated(self, **settings: Any) -> Context:
        """The same process with some settings changed (a command's own options)."""
        changed = {name: value for name, value in settings.items() if value is not None}
        return Context(self.settings.model_copy(update=changed)) if changed else self


def context_of(command: typer.Context) -> Context:
    """The process's context, built at the first command that asks for it."""
    root = command.find_root()
    if not isinstance(root.obj, Context):
        root.obj = Context()
    return root.obj
