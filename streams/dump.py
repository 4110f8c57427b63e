"""`kill -USR1 <worker pid>` writes where every asyncio task of the worker is waiting
into its log: the first thing to read when a worker is alive but a topic stands still."""

from __future__ import annotations

import asyncio
import io
import logging
import signal

log = logging.getLogger("pantau.worker")


def install_task_dump(loop: asyncio.AbstractEventLoop) -> None:
    loop.add_signal_handler(signal.SIGUSR1, _dump_tasks)


def _dump_tasks() -> None:
    out = io.StringIO()
    for task in asyncio.all_tasks():
        out.write(f"--- {task.get_name()}\n")
        for line in _awaiting(task.get_coro()):
            out.write(f"    {line}\n")
    log.warning("asyncio tasks on SIGUSR1:\n%s", out.getvalue())


def _awaiting(coroutine: object) -> list[str]:
    """The chain of awaits from a task's coroutine down to what it waits on."""
    chain: list[str] = []
    while coroutine is not None and len(chain) < 40:
        frame = getattr(coroutine, "cr_frame", None) or getattr(coroutine, "ag_frame", None)
        if frame is not None:
            chain.append(f"{frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}")
        coroutine = getattr(coroutine, "cr_await", None) or getattr(coroutine, "ag_await", None)
    return chain
