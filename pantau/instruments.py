"""client_python objects built from the declarations in pantau/contract/metrics.py, so
a metric's name, type, help and labels are written once."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from pantau.contract.metrics import MetricSpec


def counter(spec: MetricSpec, registry: CollectorRegistry) -> Counter:
    _expect(spec, "counter")
    return Counter(spec.name, spec.help, spec.labels, registry=registry)


def gauge(spec: MetricSpec, registry: CollectorRegistry) -> Gauge:
    _expect(spec, "gauge")
    return Gauge(spec.name, spec.help, spec.labels, registry=registry)


def histogram(
    spec: MetricSpec, registry: CollectorRegistry, buckets: tuple[float, ...]
) -> Histogram:
    _expect(spec, "histogram")
    return Histogram(spec.name, spec.help, spec.labels, buckets=buckets, registry=registry)


def gauge_family(spec: MetricSpec) -> GaugeMetricFamily:
    """A gauge a collector fills at scrape time."""
    _expect(spec, "gauge")
    return GaugeMetricFamily(spec.name, spec.help, labels=list(spec.labels))


def counter_family(spec: MetricSpec) -> CounterMetricFamily:
    _expect(spec, "counter")
    return CounterMetricFamily(spec.name, spec.help, labels=list(spec.labels))


def _expect(spec: MetricSpec, kind: str) -> None:
    if spec.kind != kind:
        raise TypeError(f"{spec.name} is declared a {spec.kind}, not a {kind}")
