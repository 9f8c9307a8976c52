"""Notices the death of the main process: a pidfd (readable when the process exits) polled from a thread, with
getppid() checked as well (and alone where pidfd_open is missing). A thread, not the event loop, so that a handler
that blocks the loop cannot keep an orphan alive: 1.5 s after noticing, it ends the process with exit code 4."""

from __future__ import annotations

import os
import select
import threading
from typing import Callable

POLL_INTERVAL = 0.2
HARD_EXIT_AFTER = 1.5
EXIT_CONNECTION_LOST = 4


class ParentWatch:
    def __init__(self, parent_pid: int, on_orphaned: Callable[[], None]) -> None:
        self._parent = parent_pid
        self._on_orphaned = on_orphaned
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="firn-parent-watch", daemon=True)

    def start(self) -> None:
        if self._parent > 1:
            self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def _gone(self) -> bool:
        return os.getppid() != self._parent

    def _run(self) -> None:
        pidfd = -1
        try:
            pidfd = os.pidfd_open(self._parent)
        except (AttributeError, OSError):
            pass  # no pidfd_open (old kernel, or the parent already gone): poll getppid() alone
        poller = None
        if pidfd >= 0:
            poller = select.poll()
            poller.register(pidfd, select.POLLIN)
        while not self._stopped.is_set():
            if poller is not None:
                if poller.poll(int(POLL_INTERVAL * 1000)):
                    break
            else:
                self._stopped.wait(POLL_INTERVAL)
            if self._gone():
                break
        else:
            return
        if self._stopped.is_set():
            return
        try:
            self._on_orphaned()
        except RuntimeError:
            pass  # the loop is closed
        self._stopped.wait(HARD_EXIT_AFTER)
        os._exit(EXIT_CONNECTION_LOST)
