"""City figures as Prometheus gauges, read from Redis at scrape time.

Gauges of global state are never set by a worker: each scrape asks Redis, so any number
of workers report the same truth. Labels: dimension, status, window, and the category,
kelurahan and agency of the city profile; never a complaint's id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import redis
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from pantau.state.query import StateQuery

log = logging.getLogger("pantau.metrics")


class CityStateCollector(Collector):
    def __init__(self, query: StateQuery) -> None:
        self.query = query

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("pantau_state_up", "1 when the live state could be read from Redis.")
        try:
            families = list(self._families())
        except redis.RedisError as error:
            log.warning("live state not readable: %s", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self) -> Iterator[Metric]:
        yield from self._dimension_families()
        yield from self._group_families()

    def _dimension_families(self) -> Iterator[Metric]:
        def gauge(
            name: str, text: str, labels: tuple[str, ...] = ("dimension",)
        ) -> GaugeMetricFamily:
            return GaugeMetricFamily(name, text, labels=list(labels))

        received_total = CounterMetricFamily(
            "pantau_complaints_received",
            "Complaints received since the log began; rate() gives arrivals over time.",
            labels=["dimension"],
        )
        opened = gauge("pantau_complaints_open", "Complaints not resolved or rejected.")
        received = gauge(
            "pantau_complaints_received_today", "Complaints received today (city time)."
        )
        resolved = gauge("pantau_complaints_resolved_today", "Complaints resolved today.")
        rejected = gauge("pantau_complaints_rejected_today", "Complaints rejected today.")
        ttr_mean = gauge("pantau_complaint_resolution_mean_seconds", "Mean time to resolution.",
                         ("dimension", "window"))  # fmt: skip
        ttr_p90 = gauge("pantau_complaint_resolution_p90_seconds",
                        "90th percentile of time to resolution (bucket bound).",
                        ("dimension", "window"))  # fmt: skip
        programs = gauge("pantau_programs", "Programs of the latest year by status.",
                         ("dimension", "status"))  # fmt: skip
        realization = gauge("pantau_program_realization_ratio", "Completed of planned programs.")
        mean_real = gauge("pantau_program_realization_mean_percent", "Mean realization percent.")
        headline = gauge("pantau_indicator_headline_value", "The dimension's headline indicator.")
        change = gauge(
            "pantau_indicator_headline_change", "Its latest period less the period before."
        )
        target = gauge("pantau_indicator_headline_target", "Its target.")
        on_target = gauge(
            "pantau_indicator_headline_on_target", "1 when on the good side of target."
        )
        dimensions = [dimension.key.value for dimension in self.query.profile.dimensions]
        complaints = self.query.complaints_of("dimension", dimensions)
        for dimension in self.query.profile.dimensions:
            d = dimension.key.value
            figures = complaints[d]
            received_total.add_metric([d], figures.received_total)
            opened.add_metric([d], figures.open)
            received.add_metric([d], figures.received_today)
            resolved.add_metric([d], figures.resolved_today)
            rejected.add_metric([d], figures.rejected_today)
            for window, mean, p90 in (
                ("today", figures.ttr_mean_today_s, figures.ttr_p90_today_s),
                ("30d", figures.ttr_mean_30d_s, figures.ttr_p90_30d_s),
            ):
                if mean is not None:
                    ttr_mean.add_metric([d, window], mean)
                if p90 is not None:
                    ttr_p90.add_metric([d, window], p90)
            portfolio = self.query.programs(d)
            for status, count in portfolio.by_status.items():
                programs.add_metric([d, status], count)
            if portfolio.realization_pct is not None:
                realization.add_metric([d], portfolio.realization_pct / 100)
            if portfolio.mean_realization_pct is not None:
                mean_real.add_metric([d], portfolio.mean_realization_pct)
            indicator = self.query.indicator(dimension.headline_indicator)
            if indicator is not None:
                headline.add_metric([d], indicator.value)
                if indicator.change is not None:
                    change.add_metric([d], indicator.change)
                if indicator.target is not None:
                    target.add_metric([d], indicator.target)
                if indicator.on_target is not None:
                    on_target.add_metric([d], 1 if indicator.on_target else 0)
        yield from (received_total, opened, received, resolved, rejected, ttr_mean, ttr_p90,
                    programs, realization, mean_real, headline, change, target,
                    on_target)  # fmt: skip

    def _group_families(self) -> Iterator[Metric]:
        """Complaints by category, kelurahan and agency: the wall's "where" and "who".
        Every label value comes from the city profile, so the series are bounded."""
        profile = self.query.profile
        categories = {c.key: [c.key, c.dimension.value, c.label_id, c.label_en]
                      for c in profile.categories}  # fmt: skip
        places = {kel.key: [kel.key, kel.name, kec.key]
                  for kec in profile.kecamatan for kel in kec.kelurahan}  # fmt: skip
        agencies = {a.key: [a.key, a.name] for a in profile.agencies}
        groups = (
            ("category", categories, ["category", "dimension", "label_id", "label_en"]),
            ("kelurahan", places, ["kelurahan", "name", "kecamatan"]),
            ("agency", agencies, ["agency", "name"]),
        )
        for group, labelled, labels in groups:
            opened = GaugeMetricFamily(
                f"pantau_{group}_complaints_open", f"Open complaints by {group}.", labels=labels
            )
            received = GaugeMetricFamily(
                f"pantau_{group}_complaints_received_today",
                f"Complaints received today by {group}.",
                labels=labels,
            )
            resolved = GaugeMetricFamily(
                f"pantau_{group}_complaints_resolved_today",
                f"Complaints resolved today by {group}.",
                labels=labels,
            )
            for key, figures in self.query.complaints_of(group, list(labelled)).items():
                opened.add_metric(labelled[key], figures.open)
                received.add_metric(labelled[key], figures.received_today)
                resolved.add_metric(labelled[key], figures.resolved_today)
            yield from (opened, received, resolved)
