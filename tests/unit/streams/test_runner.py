"""The worker's runner leaves debug logging off at the levels operators run it at."""

from __future__ import annotations

import logging

import faust

from streams.cli import quiet_runner


def test_at_warn_the_root_logger_is_not_put_at_debug_for_a_spinner() -> None:
    app = faust.App("pantau-runner-test", broker="kafka://127.0.0.1:1")
    runner = quiet_runner(app, "warn")
    root = logging.Logger("pantau-runner-test-root", logging.WARNING)
    root.addHandler(logging.NullHandler())
    runner.on_setup_root_logger(root, logging.WARNING)
    assert root.level == logging.WARNING
    assert not root.isEnabledFor(logging.DEBUG)
    # What Faust's own runner does at the same level:
    faust.Worker(app, loglevel="warn").on_setup_root_logger(root, logging.WARNING)
    assert root.level == logging.DEBUG
