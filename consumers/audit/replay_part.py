"""A share of an audit replay in a process of its own.

`python -m consumers.audit.replay_part` reads its task (settings, profile, window,
shards) pickled on its standard input and writes each shard's fold (a ShardFold), or the
error that stopped it, pickled and length-prefixed on its standard output as each is
done. A fresh interpreter rather than multiprocessing: that would re-run the main module
of whatever program replays (`python -m pantau` is a CLI), or fork its event loop.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import queue
import struct
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

FRAME = struct.Struct(">Q")
ROOT = Path(__file__).resolve().parents[2]  # where the `consumers` package is found


async def run_part(task: tuple[Any, ...], received: Callable[[Any], None]) -> None:
    """Run one part process on `task`; hand each fold to `received` as it arrives."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "consumers.audit.replay_part",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(pickle.dumps(task))
        await process.stdin.drain()
        process.stdin.close()
        while True:
            try:
                head = await process.stdout.readexactly(FRAME.size)
            except asyncio.IncompleteReadError as end:
                if end.partial:
                    raise
                break
            item = pickle.loads(await process.stdout.readexactly(FRAME.unpack(head)[0]))
            if isinstance(item, BaseException):
                raise item
            received(item)
        code = await process.wait()
        if code != 0:
            raise RuntimeError(f"a replay process exited with status {code}")
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def main() -> None:
    # Frames only on the real standard output: a stray print goes to standard error.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    from consumers.audit.replay import fold_shards

    settings, profile, window, shards = pickle.load(sys.stdin.buffer)
    # Written by a thread of their own: the parent folds its own share meanwhile and
    # reads a pipe only between its folds, so a write here may wait seconds for it, and
    # this process must go on folding while it waits.
    frames: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    writer = threading.Thread(target=_write, args=(out, frames), name="replay-part-writer")
    writer.start()
    try:
        fold_shards(settings, profile, window, shards, lambda fold: frames.put(_frame(fold)))
    except Exception as error:
        frames.put(_frame(error))
    finally:
        frames.put(None)
        writer.join()
    out.close()


def _frame(item: object) -> bytes:
    try:
        body = pickle.dumps(item)
    except Exception:  # an error that does not pickle still says what it was
        body = pickle.dumps(RuntimeError(f"{type(item).__name__}: {item}"))
    return FRAME.pack(len(body)) + body


def _write(out: BinaryIO, frames: queue.SimpleQueue[bytes | None]) -> None:
    while (frame := frames.get()) is not None:
        out.write(frame)
        out.flush()


if __name__ == "__main__":
    main()
