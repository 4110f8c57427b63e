"""Spike verdicts for one group (a dimension, category or kecamatan): firing when arrivals
in a short event-time window are improbably many for the seasonal baseline, or when a
Poisson CUSUM has gathered enough evidence over hours that they run above it; resolved
when every window has been ordinary for a while and the CUSUM no longer holds its
case. One firing per ongoing spike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from pantau.contract.city import CityProfile
from pantau.detection.baseline import Baseline, BaselinePolicy
from pantau.detection.cusum import CusumPolicy, CusumRun
from pantau.detection.windows import Evidence, evidence, improbable, window_counts, window_evidence

AT_ZERO = CusumRun()
# The longest span an alert's evidence may cover (the alert contract's window limit).
LONGEST_EVIDENCE_MINUTES = 24 * 60


class SpikeStatus(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class SpikePolicy:
    windows: tuple[int, ...] = (5, 10, 15)
    # Fewer arrivals than this never page anyone, however quiet the hour usually is.
    min_count: int = 6
    # Fire when a window's count is this improbable under the baseline (Poisson tail) ...
    # 33 groups, 3 windows, 10,080 minutes a week: at 1e-4 a city of 1,500 complaints a
    # day saw 4 to 6 false alerts a week, at 1e-6 one false incident in ten weeks
    # (pantau dev evaluate-detection), leaving the CUSUM most of the budget of one a week.
    fire_below: float = 1e-6
    # ... and resolve once every window has been at least this ordinary for a while, so
    # a spike that dips for some minutes is still one spike.
    resolve_above: float = 0.05
    resolve_after_minutes: int = 30
    baseline: BaselinePolicy = field(default_factory=BaselinePolicy)
    # Evidence over hours beside the short windows; None runs the windows alone.
    cusum: CusumPolicy | None = field(default_factory=CusumPolicy)


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
        cusum=CusumPolicy(
            shift=chosen.cusum_shift,
            threshold=chosen.cusum_threshold,
            resolve_margin=chosen.cusum_resolve_margin,
        )
        if chosen.cusum
        else None,
    )


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


@dataclass
class SpikeTracker:
    """Which groups are spiking, the CUSUM runs of every group, and the verdicts that
    change them. Step each group once per minute, in minute order."""

    policy: SpikePolicy = field(default_factory=SpikePolicy)
    active: dict[str, int] = field(default_factory=dict)  # fingerprint -> started minute
    calm_since: dict[str, int] = field(default_factory=dict)  # fingerprint -> first calm minute
    cusum: dict[str, CusumRun] = field(default_factory=dict)  # fingerprint -> its run

    def step(
        self, group: str, value: str, arrivals: Mapping[int, int], baseline: Baseline, minute: int
    ) -> SpikeVerdict | None:
        key = fingerprint(group, value)
        run = self._advance_cusum(key, arrivals, baseline, minute)
        if key not in self.active:
            found = self._firing_evidence(arrivals, baseline, minute, run)
            if found is None:
                return None
            self.active[key] = minute
            return SpikeVerdict(key, group, value, SpikeStatus.FIRING, minute, minute, found)
        if not self._calm(arrivals, baseline, minute, run):
            self.calm_since.pop(key, None)
            return None
        calm_from = self.calm_since.setdefault(key, minute)
        if minute - calm_from + 1 < self.policy.resolve_after_minutes:
            return None
        started = self.active.pop(key)
        del self.calm_since[key]
        # A fresh start: what built the last case must not count towards the next one.
        self.cusum.pop(key, None)
        strongest = min(evidence(arrivals, baseline, minute, self.policy.windows), key=_surprise)
        return SpikeVerdict(key, group, value, SpikeStatus.RESOLVED, minute, started, strongest)

    def _advance_cusum(
        self, key: str, arrivals: Mapping[int, int], baseline: Baseline, minute: int
    ) -> CusumRun | None:
        chosen = self.policy.cusum
        if chosen is None:
            return None
        before, observed = self.cusum.get(key), arrivals.get(minute, 0)
        if before is None and observed == 0:
            return AT_ZERO  # nothing to add and nothing to drain: most minutes of a calm group
        run = (before or AT_ZERO).advance(minute, observed, baseline.expected(minute, 1), chosen)
        if key in self.active:
            run = run.held_at(chosen.threshold)
        if run.statistic > 0.0:
            self.cusum[key] = run
        else:
            self.cusum.pop(key, None)  # zero is the default: keep the saved state small
        return run

    def _firing_evidence(
        self, arrivals: Mapping[int, int], baseline: Baseline, minute: int, run: CusumRun | None
    ) -> Evidence | None:
        policy = self.policy
        counts = window_counts(arrivals, minute, policy.windows)
        # A window below the minimum count cannot fire: the tail is only worth computing
        # for the others, which on calm data are few.
        significant = any(
            observed >= policy.min_count
            and improbable(observed, baseline.expected(minute, window), policy.fire_below)
            for window, observed in zip(policy.windows, counts, strict=True)
        )
        if significant:
            return min(evidence(arrivals, baseline, minute, policy.windows), key=_surprise)
        if run is None or policy.cusum is None or run.statistic < policy.cusum.threshold:
            return None
        span = min(minute - run.started_minute + 1, LONGEST_EVIDENCE_MINUTES)
        found = window_evidence(arrivals, baseline, minute, span)
        return found if found.observed >= policy.min_count else None

    def _calm(
        self, arrivals: Mapping[int, int], baseline: Baseline, minute: int, run: CusumRun | None
    ) -> bool:
        chosen = self.policy.cusum
        if (
            run is not None
            and chosen is not None
            and run.statistic > chosen.threshold - chosen.resolve_margin
        ):
            return False  # the hours behind still make the case for a surge
        return all(
            e.probability > self.policy.resolve_above
            for e in evidence(arrivals, baseline, minute, self.policy.windows)
        )


def _surprise(found: Evidence) -> float:
    return found.probability


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
