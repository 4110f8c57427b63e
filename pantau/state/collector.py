"""The city's figures as Prometheus gauges, read from Redis at scrape time.

Gauges of global state are never set by a worker: each scrape computes the figures
(pantau/state/compute.py) from Redis, so any number of workers report the same truth,
and the same truth as the wall. Names and labels are declared in
pantau/contract/metrics.py. Labels: dimension, status, window, and the category,
kelurahan and agency of the city profile; never a complaint's id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime

import redis
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from pantau.contract import metrics as declared
from pantau.contract.city import CityProfile
from pantau.instruments import counter_family, gauge_family
from pantau.state.compute import StateView, city_figures
from pantau.state.figures import CityFigures, ComplaintFigures, ServiceFigures

log = logging.getLogger("pantau.metrics")


class CityStateCollector(Collector):
    """Reads `view` (the live state, a StateQuery) at every scrape; `now` is the instant
    of that scrape (the city's one clock), which deadlines are judged at."""

    def __init__(self, view: StateView, profile: CityProfile, now: Callable[[], datetime]) -> None:
        self.view = view
        self.profile = profile
        self.now = now

    def collect(self) -> Iterator[Metric]:
        up = gauge_family(declared.STATE_UP)
        try:
            now = self.now()
            today = now.astimezone(self.profile.timezone).date()
            figures = city_figures(self.view, self.profile, today, now=now)
        except redis.RedisError as error:
            log.warning("live state not readable: %s", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from figure_families(figures, self.profile)


def figure_families(figures: CityFigures, profile: CityProfile) -> Iterator[Metric]:
    yield from _dimension_families(figures)
    yield from _group_families(figures, profile)


def _dimension_families(figures: CityFigures) -> Iterator[Metric]:
    received_total = counter_family(declared.COMPLAINTS_RECEIVED)
    gauges = {spec: gauge_family(spec)
              for spec in (*declared.DIMENSION_FIGURES, *declared.SERVICE_FIGURES)
              if spec.kind == "gauge"}  # fmt: skip

    def put(spec: declared.MetricSpec, labels: list[str], value: float | None) -> None:
        # A figure the wall shows as a dash (no resolution yet, no target) has no sample.
        if value is not None:
            gauges[spec].add_metric(labels, value)

    for dimension in figures.dimensions:
        d, complaints, programs = [dimension.key], dimension.complaints, dimension.programs
        received_total.add_metric(d, complaints.received_total)
        put(declared.COMPLAINTS_OPEN, d, complaints.open)
        put(declared.COMPLAINTS_RECEIVED_TODAY, d, complaints.received_today)
        put(declared.COMPLAINTS_RESOLVED_TODAY, d, complaints.resolved_today)
        put(declared.COMPLAINTS_REJECTED_TODAY, d, complaints.rejected_today)
        for window, mean, p90 in (
            ("today", complaints.ttr_mean_today_s, complaints.ttr_p90_today_s),
            ("30d", complaints.ttr_mean_30d_s, complaints.ttr_p90_30d_s),
        ):
            put(declared.RESOLUTION_MEAN, [*d, window], mean)
            put(declared.RESOLUTION_P90, [*d, window], p90)
        for status, count in programs.by_status.items():
            put(declared.PROGRAMS, [*d, status], count)
        ratio = None if programs.realization_pct is None else programs.realization_pct / 100
        put(declared.PROGRAM_REALIZATION, d, ratio)
        put(declared.PROGRAM_REALIZATION_MEAN, d, programs.mean_realization_pct)
        service = complaints.service
        if service is not None:
            put(declared.COMPLAINTS_OVERDUE, d, service.overdue)
            put(declared.COMPLAINTS_DUE_24H, d, service.due_24h)
            put(declared.DEADLINES_BREACHED_TODAY, d, service.breached_today)
            on_time = service.on_time_pct_30d
            put(declared.ON_TIME_RATIO, [*d, "30d"], None if on_time is None else on_time / 100)
            put(declared.DEADLINES_UNCOVERED, d, service.uncovered)
            for stage, median in stage_medians(service):
                put(declared.STAGE_MEDIAN, [*d, stage, "30d"], median)
        headline = dimension.headline
        if headline is not None:
            put(declared.HEADLINE_VALUE, d, headline.value)
            put(declared.HEADLINE_CHANGE, d, headline.change)
            put(declared.HEADLINE_TARGET, d, headline.target)
            on_target = None if headline.on_target is None else int(headline.on_target)
            put(declared.HEADLINE_ON_TARGET, d, on_target)
    yield received_total
    yield from gauges.values()


def _group_families(figures: CityFigures, profile: CityProfile) -> Iterator[Metric]:
    """Complaints by category, kelurahan and agency: the "what", "where" and "who" of
    Grafana's rankings. Every label value comes from the city profile, so the series are
    bounded."""
    labelled = {
        "category": {c.key: [c.key, c.dimension.value, c.label_id, c.label_en]
                     for c in profile.categories},
        "kelurahan": {kel.key: [kel.key, kel.name, kec.key]
                      for kec in profile.kecamatan for kel in kec.kelurahan},
        "agency": {a.key: [a.key, a.name] for a in profile.agencies},
    }  # fmt: skip
    members: dict[str, dict[str, ComplaintFigures]] = {
        "category": figures.categories,
        "kelurahan": figures.kelurahan,
        "agency": figures.agencies,
    }
    for group, specs in declared.GROUP_FIGURES.items():
        opened, received, resolved = (gauge_family(spec) for spec in specs)
        for key, complaints in members[group].items():
            labels = labelled[group][key]
            opened.add_metric(labels, complaints.open)
            received.add_metric(labels, complaints.received_today)
            resolved.add_metric(labels, complaints.resolved_today)
        yield from (opened, received, resolved)
    for group, specs in declared.GROUP_SERVICE_FIGURES.items():
        overdue, due_soon, breached, on_time = (gauge_family(spec) for spec in specs)
        for key, complaints in members[group].items():
            service = complaints.service
            if service is None:
                continue
            labels = labelled[group][key]
            overdue.add_metric(labels, service.overdue)
            due_soon.add_metric(labels, service.due_24h)
            breached.add_metric(labels, service.breached_today)
            if service.on_time_pct_30d is not None:
                on_time.add_metric(labels, service.on_time_pct_30d / 100)
        yield from (overdue, due_soon, breached, on_time)
    took = gauge_family(declared.AGENCY_STAGE_MEDIAN)
    for key, complaints in members["agency"].items():
        if complaints.service is not None:
            for stage, median in stage_medians(complaints.service):
                if median is not None:
                    took.add_metric([*labelled["agency"][key], stage], median)
    yield took


def stage_medians(service: ServiceFigures) -> list[tuple[str, float | None]]:
    return [
        ("forwarding", service.forwarding_median_30d_s),
        ("first_action", service.first_action_median_30d_s),
        ("resolution", service.resolution_median_30d_s),
    ]
