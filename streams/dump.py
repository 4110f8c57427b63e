"""`kill -USR1 <worker pid>` writes where every asyncio task of the worker is waiting
into its log: the first thing to read when a worker is alive but a topic stands still."""

from __future__ import annotations

import asyncio
import io
import logging
import signal
from typing import Any

import faust

log = logging.getLogger("pantau.worker")


def install_task_dump(loop: asyncio.AbstractEventLoop, app: faust.App) -> None:
    loop.add_signal_handler(signal.SIGUSR1, _dump_tasks, app)


def _dump_tasks(app: faust.App) -> None:
    out = io.StringIO()
    out.write(f"flow: {describe_flow(app)}\n")
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


def describe_flow(app: faust.App) -> str:
    """Where each partition stands between the broker and the agents: Faust's flow
    control (fetched, held back because a stream buffer filled, paused), the offset Faust
    last handed on, and the Kafka client's own position and prefetched records."""
    consumer: Any = app.consumer
    conductor: Any = app.topics
    kafka: Any = getattr(getattr(consumer, "_thread", None), "_consumer", None)
    fetcher: Any = getattr(kafka, "_fetcher", None)
    assignment: Any = getattr(getattr(kafka, "_subscription", None), "subscription", None)
    assignment = getattr(assignment, "assignment", None)

    def names(tps: Any) -> list[str]:
        return sorted(f"{tp.topic}[{tp.partition}]" for tp in tps or ())

    lines = [
        f"flow_active={consumer.flow_active} buffered={names(consumer._buffered_partitions)} "
        f"paused={names(consumer._paused_partitions)} "
        f"in_flight={sorted(getattr(fetcher, '_in_flight', ()))}"
    ]
    active = consumer._active_partitions or set()
    for tp in sorted(conductor._tp_index, key=lambda tp: (tp.topic, tp.partition)):
        state = assignment.state_value(tp) if assignment is not None else None
        position = state.position if state is not None and state.has_valid_position else None
        prefetched = getattr(fetcher, "_records", {}).get(tp) if fetcher is not None else None
        queues = {str(c): c.queue.qsize() for c in conductor._tp_index[tp]}
        lines.append(
            f"  {tp.topic}[{tp.partition}] active={tp in active} "
            f"read={consumer._read_offset.get(tp)} highwater={consumer.highwater(tp)} "
            f"position={position} paused={getattr(state, 'paused', None)} "
            f"prefetched={prefetched!r} queue={queues}"
        )
    return "\n".join(lines)
