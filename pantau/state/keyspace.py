"""Where live state lives in Redis. Every key of one partition shares a hash tag, so the
atomic commit of a batch touches one slot and stays valid on Redis Cluster; readers sum
the partitions. An audit replay uses another prefix and never touches the live keys."""

from __future__ import annotations

from dataclasses import dataclass

from pantau.contract.keys import PREFIX

CHANGES_CHANNEL_SUFFIX = "changes"


@dataclass(frozen=True)
class KeySpace:
    prefix: str = PREFIX

    def shard(self, topic: str, partition: int) -> str:
        """The hash-tagged part shared by every key of one partition."""
        return f"{self.prefix}:{{{topic}.{partition}}}"

    def offset(self, topic: str, partition: int) -> str:
        return f"{self.shard(topic, partition)}:offset"

    def record(self, topic: str, partition: int, entity: str) -> str:
        return f"{self.shard(topic, partition)}:rec:{entity}"

    def aggregate(self, topic: str, partition: int, suffix: str) -> str:
        return f"{self.shard(topic, partition)}:agg:{suffix}"

    @property
    def changes_channel(self) -> str:
        return f"{self.prefix}:{CHANGES_CHANNEL_SUFFIX}"
