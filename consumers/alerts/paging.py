"""Which incident changes go to the webhooks, and when: one page when an incident opens
(an area incident after its wait), then its acknowledgement and its resolution. Parts
joining an open incident are shown on the wall and in `pantau alerts`, not paged again.

The page goes to the first tier of the city's escalation policy; while nobody
acknowledges, each later tier is paged when its time comes, and the last one again at
the policy's interval. Escalation runs on the machine's clock: people answer in real
time.

Time here is the detector's event time, which the alert changes carry: an area
incident's wait is measured on the same clock as the surge. Between changes that clock
runs on with the machine's, so a wait ends even when no further alert arrives.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from consumers.alerts.webhooks import Delivery, WebhookNotifier
from pantau.contract.city import CityProfile
from pantau.contract.escalation import EscalationPolicy, EscalationTier
from pantau.contract.lifecycle import Step
from pantau.state.incident_log import Escalation, IncidentLog
from pantau.state.incident_view import IncidentView, incident_views


class EventClock:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.monotonic = monotonic
        self.latest: datetime | None = None
        self.seen_at = 0.0

    def observe(self, at: datetime) -> None:
        now = self.now()
        if now is None or at > now:
            self.latest = at
            self.seen_at = self.monotonic()

    def now(self) -> datetime | None:
        if self.latest is None:
            return None
        return self.latest + timedelta(seconds=self.monotonic() - self.seen_at)


def due(views: list[IncidentView], notified: dict[str, str], now: datetime) -> list[IncidentView]:
    """The incidents whose state the webhooks have not been told, oldest first. An
    incident resolved before anyone was paged (an area's blip within its wait, a surge
    already over when the notifier first saw it) is not news to anyone."""
    changed = [
        view
        for view in views
        if view.page_at <= now
        and notified.get(view.incident_id) != view.state
        and (view.state != "resolved" or view.incident_id in notified)
    ]
    return sorted(changed, key=lambda v: v.started_at)


Send = Callable[[Delivery], None]
Record = Callable[[IncidentView, Step, Mapping[str, object]], None]


class IncidentPager:
    """Forms the incidents from the kept changes; hands what is due to the webhooks (each
    change to PANTAU_ALERT_WEBHOOKS, the page and its escalations to the tiers' own);
    records every step for the audit; remembers in Redis what each incident's webhooks
    were told and how far its paging went."""

    def __init__(
        self,
        log: IncidentLog,
        profile: CityProfile,
        notifier: WebhookNotifier,
        send: Send,
        record: Record,
        tier_urls: dict[str, list[str]],
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.log = log
        self.profile = profile
        self.notifier = notifier
        self.send = send
        self.record = record
        self.tier_urls = tier_urls
        self.wall_clock = wall_clock
        self.clock = EventClock()

    @property
    def policy(self) -> EscalationPolicy:
        return self.profile.escalation

    def reconcile(self) -> None:
        now = self.clock.now() or self._latest_change()
        if now is None:
            return
        acknowledgements = self.log.acknowledgements()
        views = incident_views(self.log.events(), acknowledgements, self.profile)
        notified = self.log.notified()
        escalations = self.log.escalations()
        for view in due(views, notified, now):
            self._tell(view, escalations.get(view.incident_id))
            self.log.mark_notified(view.incident_id, view.state)
            notified[view.incident_id] = view.state
        for view in views:
            if view.state == "firing" and view.incident_id in notified:
                self._escalate(view, escalations.get(view.incident_id))
        # Incidents whose changes aged out of the log leave nothing behind.
        formed = {view.incident_id for view in views}
        kept = {*notified, *acknowledgements, *escalations}
        self.log.forget([i for i in kept if i not in formed])

    def _tell(self, view: IncidentView, escalation: Escalation | None) -> None:
        if view.state == "firing" and escalation is None:
            self._page(view)
            return
        # An acknowledgement or a resolution: everyone who was paged hears of it.
        reached = 0 if escalation is None else escalation.tier
        urls = self._urls(self.policy.tiers[:reached])
        self.send(self.notifier.incident_delivery(view, view.state, also_to=urls))
        if view.state == "acknowledged":
            taken = {"by": view.acknowledged_by, "comment": view.acknowledgement_comment}
            self.record(view, "acknowledged", taken)
        elif view.state == "resolved":
            self.record(view, "resolved", {})
        else:  # firing again after a resolution, within its group interval
            self.record(view, "fired", {})

    def _page(self, view: IncidentView) -> None:
        first = self.policy.tiers[0]
        self.send(self.notifier.incident_delivery(
            view, "firing", tier=first, tier_number=1, also_to=self._urls([first])))  # fmt: skip
        self.record(view, "fired", {})
        self.record(view, "notified", {"tier": 1, "role": first.role})
        at = self.wall_clock()
        self.log.mark_escalation(view.incident_id, Escalation(tier=1, paged_at=at, sent_at=at))

    def _escalate(self, view: IncidentView, escalation: Escalation | None) -> None:
        if escalation is None:
            return
        at = self.wall_clock()
        reached = self.policy.tier_due((at - escalation.paged_at) / 60)
        last = len(self.policy.tiers)
        repeat = (
            reached == escalation.tier == last
            and at - escalation.sent_at >= self.policy.repeat_minutes * 60
        )
        if reached <= escalation.tier and not repeat:
            return
        # Every tier whose time has come is paged, in order: a round that comes late (a
        # busy or restarted notifier) skips nobody.
        first = escalation.tier + 1 if reached > escalation.tier else reached
        for number in range(first, reached + 1):
            tier = self.policy.tiers[number - 1]
            urls = self._urls([tier])
            self.send(self.notifier.incident_delivery(
                view, "escalated", tier=tier, tier_number=number, also_to=urls))  # fmt: skip
            self.record(view, "escalated", {"tier": number, "role": tier.role})
        updated = Escalation(tier=reached, paged_at=escalation.paged_at, sent_at=at)
        self.log.mark_escalation(view.incident_id, updated)

    def _urls(self, tiers: list[EscalationTier]) -> tuple[str, ...]:
        return tuple(url for tier in tiers for url in self.tier_urls.get(tier.role, []))

    def _latest_change(self) -> datetime | None:
        # A notifier just started: its clock begins at the newest change it kept.
        events = self.log.events()
        if not events:
            return None
        self.clock.observe(max(e.occurred_at for e in events))
        return self.clock.now()
