"""Simulated citizen complaints: arrivals with the city's rhythm, each followed through
its lifecycle (verified, dispatched, in progress, resolved or rejected, sometimes
reopened) with realistic delays. Events come out in event-time order."""

from __future__ import annotations

import heapq
import itertools
import math
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pantau.contract.city import Category, CityProfile
from pantau.contract.events import Channel, ComplaintEvent, ComplaintStatus
from producers.simulator.rhythm import Spike, expected_per_hour, poisson

SLOT = timedelta(minutes=5)
CHANNEL_SHARE = {
    Channel.WHATSAPP: 0.40,
    Channel.WEB: 0.20,
    Channel.PHONE: 0.15,
    Channel.SOCIAL_MEDIA: 0.12,
    Channel.WALK_IN: 0.08,
    Channel.SMS: 0.05,
}
REJECTED_SHARE = 0.08
REOPENED_SHARE = 0.04
# How much slower than the quickest an agency works (its dispatch, first action and
# resolution times alike), fixed per agency so each keeps its place in the league: at
# 3.5 about a fifth of its simple complaints miss their 5 working days; at 1 nearly none.
PACES = (1.0, 1.6, 2.4, 3.5)


def agency_pace(agency: str) -> float:
    """An agency's pace, from its key alone: the same in every run and every process."""
    return PACES[zlib.crc32(agency.encode()) % len(PACES)]


@dataclass(frozen=True)
class _Pending:
    occurred_at: datetime
    order: int
    event: ComplaintEvent

    def __lt__(self, other: _Pending) -> bool:
        return (self.occurred_at, self.order) < (other.occurred_at, other.order)


class ComplaintSimulator:
    def __init__(
        self,
        profile: CityProfile,
        rng: random.Random,
        start: datetime,
        complaints_per_day: float,
        spike: Spike | None = None,
        run_tag: str = "0",
        daily: bool = False,
    ) -> None:
        self.profile = profile
        self.rng = rng
        self.start = start.astimezone(profile.timezone)
        self.complaints_per_day = complaints_per_day
        self.spike = spike
        # Part of every complaint id, so runs with different seeds never share ids.
        self.run_tag = run_tag
        # Seeded, uneven weights: some categories and kelurahan simply complain more.
        self.category_weights = _normalised(
            [rng.lognormvariate(0, 0.6) for _ in profile.categories]
        )
        self.kelurahan = [(kec.key, kel.key) for kec in profile.kecamatan for kel in kec.kelurahan]
        self.kelurahan_weights = [rng.lognormvariate(0, 0.4) for _ in self.kelurahan]
        self._order = itertools.count()
        self._serial = itertools.count(1)
        self._day = self.start.date()
        self.daily = daily

    def events(self) -> Iterator[ComplaintEvent]:
        """An endless stream of complaint events in occurred_at order."""
        pending: list[_Pending] = []
        for slot in itertools.count():
            slot_start = self.start + slot * SLOT
            if self.daily and (slot == 0 or slot_start.date() != self._day):
                self._start_day(slot_start.date())

            for category, weight in zip(
                self.profile.categories, self.category_weights, strict=True
            ):
                mean = self._slot_mean(slot_start, category, weight)
                for _ in range(poisson(self.rng, mean)):
                    arrival = slot_start + SLOT * self.rng.random()
                    for event in self._lifecycle(category, arrival):
                        heapq.heappush(
                            pending, _Pending(event.occurred_at, next(self._order), event)
                        )
            slot_end = slot_start + SLOT
            while pending and pending[0].occurred_at < slot_end:
                yield heapq.heappop(pending).event

    def _start_day(self, day: date) -> None:
        """With `daily`, each city day's complaints come from a generator of that day's
        own: a run that starts at a day's midnight gives every complaint arriving from then
        on the same ids and events whichever day it started, so a demo that seeds the last
        weeks again adds nothing twice. (Without it, one generator runs through, as the
        tests and the benchmark's seeded workloads have always had it.)"""
        self._day = day
        self.rng = random.Random(f"{self.run_tag}:{day.isoformat()}")
        self._serial = itertools.count(1)

    def _slot_mean(self, slot_start: datetime, category: Category, weight: float) -> float:
        per_slot = expected_per_hour(self.complaints_per_day, slot_start) * (
            SLOT / timedelta(hours=1)
        )
        surge = (
            self.spike.factor_at(category.dimension, slot_start - self.start) if self.spike else 1.0
        )
        return per_slot * weight * surge

    def _lifecycle(self, category: Category, received: datetime) -> list[ComplaintEvent]:
        rng = self.rng

        def minutes(low: float, high: float) -> timedelta:
            return timedelta(minutes=rng.uniform(low, high))

        pace = agency_pace(category.agency)
        steps = [(ComplaintStatus.RECEIVED, received)]
        verified = received + minutes(5, 90)
        steps.append((ComplaintStatus.VERIFIED, verified))
        if rng.random() < REJECTED_SHARE:
            steps.append((ComplaintStatus.REJECTED, verified + minutes(10, 120)))
        else:
            dispatched = verified + minutes(15, 180) * pace
            in_progress = dispatched + minutes(30, 24 * 60) * pace
            # Time to resolve is long-tailed: median about a day at the quickest agency's
            # pace, capped at two weeks of it.
            hours = min(rng.lognormvariate(math.log(24), 0.8), 14 * 24) * pace
            resolved = in_progress + timedelta(hours=hours)
            steps += [
                (ComplaintStatus.DISPATCHED, dispatched),
                (ComplaintStatus.IN_PROGRESS, in_progress),
                (ComplaintStatus.RESOLVED, resolved),
            ]
            if rng.random() < REOPENED_SHARE:
                reopened = resolved + minutes(60, 48 * 60)
                steps += [
                    (ComplaintStatus.REOPENED, reopened),
                    (ComplaintStatus.RESOLVED, reopened + minutes(120, 48 * 60)),
                ]
        return self._events_for(category, received, steps)

    def _events_for(
        self, category: Category, received: datetime, steps: list[tuple[ComplaintStatus, datetime]]
    ) -> list[ComplaintEvent]:
        rng = self.rng
        kecamatan, kelurahan = rng.choices(self.kelurahan, self.kelurahan_weights)[0]
        channel = rng.choices(list(CHANNEL_SHARE), list(CHANNEL_SHARE.values()))[0]
        city = self.profile.city
        # Daily, the day whose generator drew it: a slot across midnight keeps ids apart.
        day = self._day if self.daily else received
        complaint_id = city.new_complaint_id(day, f"{self.run_tag}-{next(self._serial):06d}")
        # A pin within ~2 km of the city's centre.
        lat = round(city.centre.lat + rng.uniform(-0.018, 0.018), 6)
        lon = round(city.centre.lon + rng.uniform(-0.018, 0.018), 6)
        label = self.profile.category_by_key[category.key].label_id
        return [
            ComplaintEvent(
                event_id=f"sim-{rng.getrandbits(64):016x}",
                occurred_at=at,
                produced_at=at + timedelta(seconds=rng.uniform(0.2, 3.0)),
                source="simulator",
                complaint_id=complaint_id,
                status=status,
                channel=channel,
                category=category.key,
                dimension=category.dimension,
                agency=category.agency,
                kecamatan=kecamatan,
                kelurahan=kelurahan,
                lat=lat,
                lon=lon,
                description=_citizen_text(label, kelurahan, complaint_id)
                if status == "received"
                else None,
            )
            for status, at in steps
        ]


# Complainants write their name and number into the text, as citizens do on WhatsApp: the
# demo's free text carries personal data, so tests can prove none of it leaks.
GIVEN_NAMES = ("Siti", "Budi", "Dewi", "Agus", "Rina", "Eko", "Sri", "Joko", "Nur", "Hadi")
FAMILY_NAMES = ("Rahayu", "Santoso", "Wulandari", "Prasetyo", "Lestari", "Hidayat")


def _citizen_text(label: str, kelurahan: str, complaint_id: str) -> str:
    # A generator of its own, seeded by the complaint, so the city's sequence is unchanged.
    own = random.Random(complaint_id)
    name = f"{own.choice(GIVEN_NAMES)} {own.choice(FAMILY_NAMES)}"
    phone = f"08{own.randint(11, 99)}-{own.randint(1000, 9999)}-{own.randint(1000, 9999)}"
    return f"{label} di Kelurahan {kelurahan}. Pelapor: {name}, {phone}"


def _normalised(weights: list[float]) -> list[float]:
    total = sum(weights)
    return [w / total for w in weights]
