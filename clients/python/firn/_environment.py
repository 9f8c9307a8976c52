"""What the main process hands a child at spawn (src/Firn/Hosting/ChildEnvironment.cs and SecretHandover.cs)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from .errors import FirnConfigurationError

NAME_VARIABLE = "FIRN_PROCESS_NAME"
SOCKET_VARIABLE = "FIRN_SOCKET"
SECRET_FD_VARIABLE = "FIRN_SECRET_FD"
PARENT_VARIABLE = "FIRN_PARENT_PID"
READY_VARIABLE = "FIRN_WAIT_READY"
MAX_SECRET_LENGTH = 1024


@dataclass(frozen=True)
class ChildEnvironment:
    process_name: str
    socket_path: str
    secret: str
    parent_pid: int
    wait_for_ready: bool = False

    @staticmethod
    def from_environ() -> "ChildEnvironment":
        """Reads FIRN_* and the secret from its inherited pipe (read to the end, then closed), and clears the
        variables so that processes this child starts are not taken for Firn children."""
        name = os.environ.get(NAME_VARIABLE)
        if not name:
            raise FirnConfigurationError(f"{NAME_VARIABLE} is not set: this program must be started by a Firn main process (AddProcess).")
        socket_path = os.environ.get(SOCKET_VARIABLE, "")
        fd_text = os.environ.get(SECRET_FD_VARIABLE, "")
        if not socket_path or not fd_text.isdigit() or int(fd_text) < 3:
            older = " (the main process set FIRN_SECRET: it is an earlier Firn version that hands the secret over in the environment)" if "FIRN_SECRET" in os.environ else ""
            raise FirnConfigurationError(f"Child '{name}': {SOCKET_VARIABLE} or {SECRET_FD_VARIABLE} is missing or invalid{older}.")
        fd = int(fd_text)
        # The descriptor must be the pipe the main process left open, not something else that took its number.
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = ""
        if not target.startswith("pipe:"):
            raise FirnConfigurationError(f"Child '{name}': descriptor {fd} named by {SECRET_FD_VARIABLE} is not the pipe the main process left open.")
        secret = _read_and_close(fd)
        parent = os.environ.get(PARENT_VARIABLE, "")
        wait = os.environ.get(READY_VARIABLE) == "1"
        for variable in (SECRET_FD_VARIABLE, NAME_VARIABLE, SOCKET_VARIABLE, READY_VARIABLE):
            os.environ.pop(variable, None)
        return ChildEnvironment(name, socket_path, secret, int(parent) if parent.isdigit() else os.getppid(), wait)


def _read_and_close(fd: int) -> str:
    data = bytearray()
    try:
        while len(data) <= MAX_SECRET_LENGTH:
            chunk = os.read(fd, MAX_SECRET_LENGTH + 1 - len(data))
            if not chunk:
                break
            data += chunk
    except OSError as error:
        raise FirnConfigurationError(f"The secret cannot be read from descriptor {fd}: {error}") from error
    finally:
        os.close(fd)
    if not data or len(data) > MAX_SECRET_LENGTH:
        raise FirnConfigurationError(f"The secret read from descriptor {fd} has {len(data)} bytes; 1 to {MAX_SECRET_LENGTH} are expected.")
    return data.decode("utf-8")
