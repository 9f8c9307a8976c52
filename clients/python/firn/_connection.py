"""The socket to the main process, read and written by two threads so that heartbeats never wait on the event loop.

The reader thread splits frames, answers Ping at once (a handler that blocks the event loop cannot make the main
process think this child hung), and hands every other frame to the loop in one call per read. The writer thread sends
whatever was queued since its last write with one system call, so frames are batched.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Callable

from . import wire
from .errors import DisconnectReason, FrameTooLargeError, ProtocolError

_PONG = wire.frame(wire.FrameKind.PONG)
_READ_SIZE = 1 << 20


class Connection:
    def __init__(
        self,
        sock: socket.socket,
        loop: asyncio.AbstractEventLoop,
        max_body_length: int,
        on_frames: Callable[[list[tuple[int, bytes]]], None],
        on_closed: Callable[[DisconnectReason, BaseException | None], None],
    ) -> None:
        self._sock = sock
        self._loop = loop
        self.decoder = wire.FrameDecoder(max_body_length)
        self._on_frames = on_frames
        self._on_closed = on_closed
        self._lock = threading.Condition()
        self._out = bytearray()
        self._writing = 0
        self._closed = False
        self.close_reason: DisconnectReason | None = None
        self._room_waiters: list[asyncio.Future[None]] = []
        self._flush_waiters: list[asyncio.Future[None]] = []
        self.write_limit = 8 << 20
        self._reader = threading.Thread(target=self._read_loop, name="firn-read", daemon=True)
        self._writer = threading.Thread(target=self._write_loop, name="firn-write", daemon=True)

    def start(self) -> None:
        self._reader.start()
        self._writer.start()

    @property
    def is_closed(self) -> bool:
        return self._closed

    @property
    def queued_bytes(self) -> int:
        return len(self._out) + self._writing

    # --- writing (any thread) ---------------------------------------------------------------------------------------

    def send(self, data: bytes | bytearray) -> bool:
        """Queues bytes (whole frames); False once the connection is closed.

        When nothing waits to be written, the bytes go out at once with one non-blocking write on the calling thread
        (the loop's flush, once per turn): a round trip then does not wait for the writer thread to wake. Whatever the
        socket does not take goes to the writer thread; holding the lock during that write keeps the order of bytes,
        since the writer only writes what it took under the lock and marks it in _writing meanwhile.
        """
        with self._lock:
            if self._closed:
                return False
            if not self._out and not self._writing:
                try:
                    sent = self._sock.send(data, socket.MSG_DONTWAIT)
                except OSError:
                    sent = 0  # full (EAGAIN) or broken: the writer thread writes it, or reports the failure
                if sent == len(data):
                    return True
                data = memoryview(data)[sent:]
            self._out += data
            self._lock.notify()
            return True

    async def wait_for_room(self) -> None:
        """Waits until what waits to be written is under the write limit (the main process is reading)."""
        while not self._closed and self.queued_bytes > self.write_limit:
            future = self._loop.create_future()
            with self._lock:
                self._room_waiters.append(future)
            await future

    async def flush(self) -> bool:
        """Waits until everything queued so far is written; False if the connection closed first."""
        future = self._loop.create_future()
        with self._lock:
            if self._closed:
                return False
            if not self._out and not self._writing:
                return True
            self._flush_waiters.append(future)
        await future
        return not self._closed

    def _write_loop(self) -> None:
        while True:
            with self._lock:
                while not self._out and not self._closed:
                    self._lock.wait()
                if self._closed:
                    return
                data, self._out = self._out, bytearray()
                self._writing = len(data)
            try:
                self._sock.sendall(data)
            except OSError as error:
                self.close(DisconnectReason.REMOTE_PARTY_TERMINATED if isinstance(error, (BrokenPipeError, ConnectionResetError)) else DisconnectReason.SOCKET_ERROR, error)
                return
            with self._lock:
                self._writing = 0
                wake_room = self._room_waiters if len(self._out) <= self.write_limit else []
                if wake_room:
                    self._room_waiters = []
                wake_flush = self._flush_waiters if not self._out else []
                if wake_flush:
                    self._flush_waiters = []
            if wake_room or wake_flush:
                self._loop.call_soon_threadsafe(_resolve_all, wake_room + wake_flush)

    # --- reading ----------------------------------------------------------------------------------------------------

    def _read_loop(self) -> None:
        reason, error = DisconnectReason.REMOTE_PARTY_TERMINATED, None
        try:
            while True:
                data = self._sock.recv(_READ_SIZE)
                if not data:
                    break
                frames = self.decoder.feed(data)
                others = []
                for kind, body in frames:
                    if kind == wire.FrameKind.PING:
                        self.send(_PONG)
                    else:
                        others.append((kind, body))
                if others:
                    self._loop.call_soon_threadsafe(self._deliver, others)
        except FrameTooLargeError as failure:
            reason, error = DisconnectReason.FRAME_TOO_LARGE, failure
        except ProtocolError as failure:
            reason, error = DisconnectReason.PROTOCOL_VIOLATION, failure
        except OSError as failure:
            if not self._closed:
                reason, error = (DisconnectReason.REMOTE_PARTY_TERMINATED if isinstance(failure, ConnectionResetError) else DisconnectReason.SOCKET_ERROR), failure
        self.close(reason, error)

    def _deliver(self, frames: list[tuple[int, bytes]]) -> None:
        if not self._closed:
            self._on_frames(frames)

    # --- closing ----------------------------------------------------------------------------------------------------

    def close(self, reason: DisconnectReason, error: BaseException | None = None) -> None:
        """Closes the socket (any thread); the first call's reason stays, and on_closed runs once on the loop."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self.close_reason = reason
            waiters = self._room_waiters + self._flush_waiters
            self._room_waiters, self._flush_waiters = [], []
            self._lock.notify_all()
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self._loop.call_soon_threadsafe(self._finish_close, reason, error, waiters)
        except RuntimeError:
            pass  # the loop is closed: nothing waits any more

    def _finish_close(self, reason: DisconnectReason, error: BaseException | None, waiters: list[asyncio.Future[None]]) -> None:
        _resolve_all(waiters)
        self._on_closed(reason, error)
        try:
            self._sock.close()
        except OSError:
            pass


def _resolve_all(futures: list[asyncio.Future[None]]) -> None:
    for future in futures:
        if not future.done():
            future.set_result(None)
