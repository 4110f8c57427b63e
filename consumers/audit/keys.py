"""The audit's Redis keys (listed with the others in pantau/contract/keys.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AuditKeys:
    prefix: str

    def head(self, shard: str) -> str:
        """The checkpointer's place and chain in one partition ("pantau.complaints[3]")."""
        return f"{self.prefix}:audit:head:{shard}"

    @property
    def alive(self) -> str:
        """Refreshed by a running checkpointer (expires when it stops): its health check."""
        return f"{self.prefix}:audit:checkpointer"

    def checkpoints(self, shard: str) -> str:
        """Sorted set of the partition's checkpoints (no digests), scored by last offset."""
        return f"{self.prefix}:audit:checkpoints:{shard}"
