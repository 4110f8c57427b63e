"""The C allocator's setting for a long-running worker.

glibc serves a large request (a Kafka fetch response is up to 16 MB) from its own
mapping and unmaps it when freed, but after each such free it raises the size at which
it does so, up to 32 MB: later fetch responses then come from the heap, between small
objects that outlive them, and the heap only grows. Measured in a one-worker catch-up of
a million events: glibc's heap grew from 97 to 161 MB while what it held in use stayed
near 80 MB; with the threshold fixed it stayed between 50 and 60 MB.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger("pantau.worker")

M_MMAP_THRESHOLD = -3  # mallopt's parameter number, from glibc's malloc.h
LARGE_BYTES = 256 * 1024


def keep_large_buffers_mapped(threshold: int = LARGE_BYTES) -> bool:
    """Fix glibc's mmap threshold at `threshold` bytes; False where the C library is not
    glibc (nothing is changed there)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        log.info("not glibc: the allocator keeps its own settings")
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, threshold))
