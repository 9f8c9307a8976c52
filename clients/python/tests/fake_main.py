"""A stand-in main process for the client's unit tests: a real Unix socket, frames read on a thread."""

from __future__ import annotations

import asyncio
import os
import queue
import socket
import tempfile
import threading

from firn import wire
from firn._environment import ChildEnvironment
from firn.client import Client


class FakeMain:
    def __init__(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="firn-test-")
        self.path = os.path.join(self.directory, "main.sock")
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(self.path)
        self._listener.listen(1)
        self.frames: queue.Queue[tuple[int, dict] | None] = queue.Queue()
        self.sock: socket.socket | None = None
        self._accepted = threading.Thread(target=self._accept, daemon=True)
        self._accepted.start()

    def environment(self, name: str = "py") -> ChildEnvironment:
        return ChildEnvironment(name, self.path, "secret", os.getpid())

    def _accept(self) -> None:
        self.sock, _ = self._listener.accept()
        decoder = wire.FrameDecoder(1 << 26)
        while True:
            try:
                data = self.sock.recv(1 << 16)
            except OSError:
                data = b""
            if not data:
                self.frames.put(None)
                return
            for kind, body in decoder.feed(data):
                self.frames.put((kind, wire.decode_body(kind, body)))

    def send(self, kind: int, fields: dict | None = None) -> None:
        self.send_raw(wire.encode_frame(kind, fields or {}))

    def send_raw(self, data: bytes) -> None:
        assert self.sock is not None
        self.sock.sendall(data)

    def expect(self, kind: int, timeout: float = 10.0, skip: tuple[int, ...] = (wire.FrameKind.PONG, wire.FrameKind.ACK)) -> dict:
        """The next frame of this kind; frames of the kinds in ``skip`` are passed over, any other kind fails."""
        while True:
            item = self.frames.get(timeout=timeout)
            assert item is not None, f"the connection closed while waiting for {wire.FrameKind(kind).name}"
            if item[0] == kind:
                return item[1]
            assert item[0] in skip, f"expected {wire.FrameKind(kind).name}, got {wire.FrameKind(item[0]).name} {item[1]}"

    def expect_closed(self, timeout: float = 10.0) -> None:
        while True:
            item = self.frames.get(timeout=timeout)
            if item is None:
                return

    def welcome(self, send_window: int = 16, pending_bytes_limit: int = 1 << 20, max_message_size: int = 1 << 20,
                capabilities: list[str] | None = None) -> None:
        hello = self.expect(wire.FrameKind.HELLO)
        assert hello == {"version": 1, "process_name": "py", "secret": "secret", "capabilities": []}
        self.send(wire.FrameKind.WELCOME, {
            "version": 1, "max_message_size": max_message_size, "send_window": send_window, "pending_bytes_limit": pending_bytes_limit,
            "channels": {"active_id": 1, "active_closed": False, "passive_id": 2, "passive_closed": False}, "capabilities": capabilities or []})

    def close(self) -> None:
        for sock in (self.sock, self._listener):
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()


async def connected(main: FakeMain, **welcome) -> Client:
    """A client connected to ``main``, which answered its Hello with a Welcome naming channels 1 and 2."""
    import asyncio

    client = Client(main.environment(), asyncio.get_running_loop())
    connecting = asyncio.ensure_future(client._connect(10))
    await asyncio.to_thread(main.welcome, **welcome)
    await connecting
    return client


def run(coroutine):
    """Runs a test's coroutine on a fresh event loop, failing it after 30 s."""
    return asyncio.run(asyncio.wait_for(coroutine, 30))
