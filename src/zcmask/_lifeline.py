"""Worker processes die with the zcmask process that started them.

``kill -9`` of ``zcmask mask --jobs 2`` must not leave the fork server and its
workers running (each holds the OCR models, and a worker still busy keeps
writing files after the user thinks the run is dead). Two lines of defence:

- On Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the fork server is killed
  when the zcmask process dies, and each worker when the fork server dies.
- Everywhere, a daemon thread in each worker waits on the zcmask process
  (a pidfd where the system has one, polling otherwise) and kills the worker
  as soon as that process is gone. Forkserver workers hold the fork server's
  liveness pipe, so the fork server then exits too.

Importing this module has an effect only inside the fork server that
:func:`zcmask.api.process_pool` starts (``ZCMASK_LIFELINE_PID`` names its
parent). It deliberately does not handle Ctrl+C or clean shutdowns: the
process pool does that.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import sys
import threading
import time

log = logging.getLogger(__name__)

#: Environment variable naming the pid a fork server must die with.
ENV = "ZCMASK_LIFELINE_PID"
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux only).

    Returns True when the request was accepted. If the parent is already gone
    (we were re-parented before the call), the process ends at once.
    """
    if not sys.platform.startswith("linux"):
        return False
    parent = os.getppid()
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        ok = libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False
    if ok and os.getppid() != parent:
        os._exit(1)
    return ok


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def watch_process(pid: int, interval: float = 0.5) -> threading.Thread:
    """Start a daemon thread that kills this process as soon as ``pid`` has exited."""

    def run() -> None:
        fd = None
        with contextlib.suppress(AttributeError, OSError):
            fd = os.pidfd_open(pid)  # type: ignore[attr-defined]
        if fd is not None:
            select.select([fd], [], [])  # readable once the process has exited
        else:
            while _alive(pid) and os.getppid() != 1:
                time.sleep(interval)
        os.kill(os.getpid(), signal.SIGKILL)

    t = threading.Thread(target=run, name="zcmask-lifeline", daemon=True)
    t.start()
    return t


def guard_worker(owner_pid: int) -> None:
    """Make a pool worker die with its fork server and with the zcmask process ``owner_pid``."""
    die_with_parent()
    watch_process(owner_pid)


def _guard_fork_server() -> None:
    """Run at import in the fork server: die with the zcmask process that started it."""
    owner = os.environ.get(ENV)
    if owner and owner == str(os.getppid()):
        die_with_parent()


_guard_fork_server()
