"""A stop asked for by a signal is a flag, not an exception raised wherever the code was."""

from __future__ import annotations

import signal

import pytest

from pantau.stopping import StopRequestedError, raise_if_set, stop_on_signals


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_a_first_signal_asks_for_a_stop_without_interrupting(number: signal.Signals) -> None:
    with stop_on_signals() as stop:
        signal.raise_signal(number)
        assert stop.is_set()
        with pytest.raises(StopRequestedError):
            raise_if_set(stop)


def test_a_second_signal_interrupts_a_command_that_never_looks() -> None:
    with stop_on_signals(), pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)


def test_the_handlers_before_are_put_back() -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with stop_on_signals() as stop:
        assert signal.getsignal(signal.SIGINT) is not before[0]
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
    raise_if_set(stop)  # never asked: nothing to stop
