"""The parent watch ends an orphaned child: a process whose parent dies exits with code 4 within 2 s."""

import os
import subprocess
import sys
import textwrap
import time

CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

ORPHAN = textwrap.dedent(f"""
    import os, sys, threading
    sys.path.insert(0, {CLIENT!r})
    from firn._parent_watch import ParentWatch
    noticed = threading.Event()
    ParentWatch(os.getppid(), noticed.set).start()
    print(os.getpid(), flush=True)
    threading.Event().wait()  # a process that would never exit on its own
""")

PARENT = textwrap.dedent(f"""
    import subprocess, sys
    child = subprocess.Popen([sys.executable, "-c", {ORPHAN!r}], stdout=subprocess.PIPE, text=True)
    print(child.stdout.readline().strip(), flush=True)
""")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return not any(line.startswith("State:") and "Z" in line for line in status)
    except FileNotFoundError:
        return False


def test_an_orphaned_child_exits_within_two_seconds_of_its_parents_death():
    parent = subprocess.run([sys.executable, "-c", PARENT], capture_output=True, text=True, timeout=30)
    orphan = int(parent.stdout.strip())
    died = time.monotonic()
    while _alive(orphan) and time.monotonic() - died < 10:
        time.sleep(0.05)
    assert not _alive(orphan)
    assert time.monotonic() - died < 2.0
