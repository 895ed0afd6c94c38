"""Keep freed page buffers for reuse in the processes zcmask owns (glibc only).

A page's work allocates and frees dozens of buffers of one to 50 MB (the decoded
page, its grey and float copies, detector maps). glibc serves allocations above
its mmap threshold with fresh ``mmap`` pages and returns them on ``free``, and it
trims freed memory at the top of its heap back to the kernel: every page then
touches fresh memory again, about 16,000 page faults per page (0.04 s of kernel
time, and the caches refilled). Raising the mmap and trim thresholds
(``mallopt``: buffers under 64 MB from the heap, up to 128 MB of free heap kept)
keeps those buffers where the next page reuses them: about 3,000 faults per page,
3–4% less CPU for a whole run.

The cost is some memory held rather than returned: about 80 MB more per worker
at rest after A4 pages; after large phone photos about what glibc keeps anyway
(their buffers above 64 MB are still returned). zcmask does this only in its own
pool workers and in the command line's process, never in a program that imports
zcmask; ``ZCMASK_KEEP_FREED_MEMORY=0`` turns it off, and glibc's own ``MALLOC_MMAP_THRESHOLD_``,
``MALLOC_TRIM_THRESHOLD_`` or ``GLIBC_TUNABLES``, when set, win. On Windows and
macOS it does nothing; musl's ``mallopt`` ignores the request and returns 0.
"""

from __future__ import annotations

import ctypes
import os
import sys

#: Environment variable that turns the tuning off ("0").
ENV = "ZCMASK_KEEP_FREED_MEMORY"

#: glibc's ``mallopt`` parameters.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

#: Buffers under this size come from the heap (an A4 page's largest, its float RGB copy, is 46 MB);
#: larger ones (a phone photo's) are still mapped and returned on ``free``.
MMAP_THRESHOLD = 64 << 20
#: Free memory the heap keeps at its top before returning the rest.
TRIM_THRESHOLD = 128 << 20

_USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES")


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds in this process; True when done.

    Examples
    --------
    >>> isinstance(keep_freed_memory(), bool)
    True

    """
    if os.environ.get(ENV, "1") == "0" or any(os.environ.get(k) for k in _USER_SETTINGS):
        return False
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # this process's own C library
    except (OSError, AttributeError):  # no C library to ask, or one without mallopt
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1)
