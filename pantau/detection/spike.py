"""Spike verdicts for one group (a dimension, category or kecamatan): firing when arrivals
in a short event-time window are improbably many for the seasonal baseline, resolved
when every window has been ordinary for a while. One firing per ongoing spike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from pantau.contract.city import CityProfile
from pantau.detection.baseline import Baseline, BaselinePolicy
from pantau.detection.poisson import upper_tail


class SpikeStatus(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class SpikePolicy:
    windows: tuple[int, ...] = (5, 10, 15)
    # Fewer arrivals than this never page anyone, however quiet the hour usually is.
    min_count: int = 6
    # Fire when a window's count is this improbable under the baseline (Poisson tail) ...
    fire_below: float = 1e-4
    # ... and resolve once every window has been at least this ordinary for a while, so
    # a spike that dips for some minutes is still one spike.
    resolve_above: float = 0.05
    resolve_after_minutes: int = 30
    baseline: BaselinePolicy = field(default_factory=BaselinePolicy)


def policy_for(profile: CityProfile) -> SpikePolicy:
    """The city's own settings (its profile's spike_detection section)."""
    chosen = profile.spike_detection
    return SpikePolicy(
        windows=tuple(chosen.windows_minutes),
        min_count=chosen.min_count,
        fire_below=chosen.fire_below,
        resolve_above=chosen.resolve_above,
        resolve_after_minutes=chosen.resolve_after_minutes,
        baseline=BaselinePolicy(history_weeks=chosen.history_weeks),
    )


@dataclass(frozen=True)
class Evidence:
    window_minutes: int
    observed: int
    expected: float
    probability: float  # P(at least `observed` | expected): the lower, the stranger


@dataclass(frozen=True)
class SpikeVerdict:
    fingerprint: str
    group: str
    value: str
    status: SpikeStatus
    minute: int  # the event-time minute (epoch minutes) the verdict was reached at
    started_minute: int
    evidence: Evidence  # the most surprising window at that minute


def fingerprint(group: str, value: str) -> str:
    return f"complaint-spike:{group}:{value}"


def evidence(
    arrivals: Mapping[int, int], baseline: Baseline, minute: int, policy: SpikePolicy
) -> list[Evidence]:
    found = []
    for window in policy.windows:
        observed = sum(arrivals.get(m, 0) for m in range(minute - window + 1, minute + 1))
        expected = baseline.expected(minute, window)
        found.append(Evidence(window, observed, round(expected, 4), upper_tail(observed, expected)))
    return found


@dataclass
class SpikeTracker:
    """Which groups are spiking, and the verdicts that change that."""

    policy: SpikePolicy = field(default_factory=SpikePolicy)
    active: dict[str, int] = field(default_factory=dict)  # fingerprint -> started minute
    calm_since: dict[str, int] = field(default_factory=dict)  # fingerprint -> first calm minute

    def step(
        self, group: str, value: str, arrivals: Mapping[int, int], baseline: Baseline, minute: int
    ) -> SpikeVerdict | None:
        windows = evidence(arrivals, baseline, minute, self.policy)
        strongest = min(windows, key=lambda e: e.probability)
        key = fingerprint(group, value)
        if key not in self.active:
            significant = any(
                e.observed >= self.policy.min_count and e.probability < self.policy.fire_below
                for e in windows
            )
            if not significant:
                return None
            self.active[key] = minute
            return SpikeVerdict(key, group, value, SpikeStatus.FIRING, minute, minute, strongest)
        if not all(e.probability > self.policy.resolve_above for e in windows):
            self.calm_since.pop(key, None)
            return None
        calm_from = self.calm_since.setdefault(key, minute)
        if minute - calm_from + 1 < self.policy.resolve_after_minutes:
            return None
        started = self.active.pop(key)
        del self.calm_since[key]
        return SpikeVerdict(key, group, value, SpikeStatus.RESOLVED, minute, started, strongest)


def scan(
    group: str,
    value: str,
    arrivals: Mapping[int, int],
    first_minute: int,
    last_minute: int,
    policy: SpikePolicy | None = None,
) -> list[SpikeVerdict]:
    """Every verdict for one group, minute by minute over [first, last]: the offline form
    of what a live detector does as event time advances."""
    chosen = policy or SpikePolicy()
    tracker = SpikeTracker(chosen)
    baseline = Baseline(arrivals, chosen.baseline)
    verdicts = []
    for minute in range(first_minute, last_minute + 1):
        verdict = tracker.step(group, value, arrivals, baseline, minute)
        if verdict is not None:
            verdicts.append(verdict)
    return verdicts
