"""glibc's mmap threshold stays where the worker fixed it (pantau/allocator.py)."""

from __future__ import annotations

import subprocess
import sys

# In a fresh interpreter: free a 16 MB block (which raises glibc's dynamic threshold to
# 16 MB), then ask for 1 MB and report whether glibc mapped it apart (mallinfo2's hblks).
PROBE = """
import ctypes, sys
from pantau.allocator import keep_large_buffers_mapped
if sys.argv[1] == "fixed":
    assert keep_large_buffers_mapped()
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks",
                "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
libc.mallinfo2.restype = Info
libc.free(libc.malloc(16 << 20))
before = libc.mallinfo2().hblks
block = libc.malloc(1 << 20)
print(libc.mallinfo2().hblks - before)
libc.free(block)
"""


def _mapped_apart(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True
    )
    return int(done.stdout)


def test_a_megabyte_is_mapped_apart_even_after_a_larger_block_was_freed() -> None:
    assert _mapped_apart("default") == 0  # glibc raised its threshold: from the heap
    assert _mapped_apart("fixed") == 1
