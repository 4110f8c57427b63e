"""`pantau audit snapshot`: the live figures with the offsets they stand on, saved so a
later replay can prove what the wall showed at that moment."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import redis
from pydantic import BaseModel

from consumers.audit.live import read_live
from pantau.contract.city import CityProfile
from pantau.contract.keys import KeySpace
from pantau.contract.topics import Partition
from pantau.state.compute import city_figures
from pantau.state.named import Figures, named_figures


class Snapshot(BaseModel):
    taken_at: datetime
    city: str
    today: date  # the city's date when taken: "today" figures are of this day
    # (and the arrivals per hour run up to `taken_at`)
    prefix: str
    offsets: dict[str, int]  # "pantau.complaints[3]" -> last applied offset
    figures: Figures

    def shard_offsets(self) -> dict[Partition, int]:
        return {Partition.from_label(label): offset for label, offset in self.offsets.items()}


def take_snapshot(client: redis.Redis, keys: KeySpace, profile: CityProfile) -> Snapshot:
    live = read_live(client, keys, profile.timezone)
    taken_at = datetime.now(UTC)
    today = taken_at.astimezone(profile.timezone).date()
    return Snapshot(
        taken_at=taken_at,
        city=profile.city.name,
        today=today,
        prefix=keys.prefix,
        offsets={shard.label: o for shard, o in sorted(live.offsets.items())},
        figures=named_figures(city_figures(live.state, profile, today, now=taken_at)),
    )


def save(snapshot: Snapshot, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"snapshot-{snapshot.taken_at.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(snapshot.model_dump_json(indent=2))
    return path


def load(path: Path) -> Snapshot:
    return Snapshot.model_validate_json(path.read_text())
