"""The socket to the main process: the event loop reads it, a watchdog thread stands in while the loop is held up.

The loop reads the socket itself (``add_reader``): a frame reaches its handler after one wake-up of one thread. The
read side has one owner at a time, the loop or the "firn-read" thread, switched under ``_read_lock``, which is held
for every receive and decode, so one decoder sees the bytes in order. The thread watches: when bytes have waited
unread for ``STALL`` seconds while the loop read nothing (a handler blocking the loop), it takes over, answers Ping
at once (the main process must not think this child hung) and queues every other frame for the loop, which delivers
what the thread queued before anything it reads itself, and takes the socket back the next time it turns. The writer
thread sends whatever was queued since its last write with one system call, so frames are batched.
"""

from __future__ import annotations

import asyncio
import collections
import select
import socket
import threading
import time
from typing import Callable

from . import wire
from .errors import DisconnectReason, FrameTooLargeError, ProtocolError

_PONG = wire.frame(wire.FrameKind.PONG)
_READ_SIZE = 1 << 20
# The watchdog looks every CHECK seconds; bytes left unread STALL seconds while the loop read nothing make it take over.
CHECK = 0.2
STALL = 0.4


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
        self._fd = sock.fileno()
        # Reading: who owns the read side (the loop unless _thread_reads), the frames the thread read that the loop has
        # not delivered yet (lists, in the order they were decoded), and whether a _drain is scheduled for them.
        self._read_lock = threading.Lock()
        self._thread_reads = False
        self._loop_reads = 0  # turns of the loop's reader: the watchdog sees whether the loop reads
        self._loop_registered = False
        self._inbound: collections.deque[list[tuple[int, bytes]]] = collections.deque()
        self._drain_scheduled = False
        self._stopped = threading.Event()
        # One buffer to receive into (a recv of _READ_SIZE would allocate, and the kernel zero, a megabyte per read: about
        # 13 µs); whoever holds _read_lock uses it, and the decoder copies what it keeps.
        self._read_view = memoryview(bytearray(_READ_SIZE))
        self._reader = threading.Thread(target=self._watch, name="firn-read", daemon=True)
        self._writer = threading.Thread(target=self._write_loop, name="firn-write", daemon=True)

    def start(self) -> None:
        """Starts reading; call it on the loop's thread."""
        try:
            self._loop.add_reader(self._fd, self._on_readable)
            self._loop_registered = True
        except NotImplementedError:
            self._thread_reads = True  # a loop that cannot watch sockets: the thread reads all along
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

    def _on_readable(self) -> None:
        """The loop's reader: takes the read side back if the thread had it, reads, and delivers inline."""
        self._loop_reads += 1
        with self._read_lock:
            if self._closed:
                self._unregister()
                return
            self._thread_reads = False
            try:
                data = self._receive()
            except (BlockingIOError, InterruptedError):
                data = None  # the thread read it first
            except (OSError, ProtocolError) as failure:
                data = failure
            queued = bool(self._inbound)
            if queued and isinstance(data, list) and data:
                self._inbound.append(data)  # after what the thread read before
        if isinstance(data, list):
            if queued:
                self._drain()
            elif data and not self._closed:
                self._on_frames(data)
            return
        if queued:
            self._drain()
        if data is not None:
            self._read_failed(data)

    def _receive(self) -> bytes | list[tuple[int, bytes]]:
        """Under _read_lock: reads what the socket holds without waiting, decodes it and answers Pings at once; the other
        frames, in order (b'' at the end of the stream). Raises what recv raises, and ProtocolError for bad frames."""
        count = self._sock.recv_into(self._read_view, 0, socket.MSG_DONTWAIT)
        if not count:
            return b""
        others = []
        for kind, body in self.decoder.feed(self._read_view[:count]):
            if kind == wire.FrameKind.PING:
                self.send(_PONG)
            else:
                others.append((kind, body))
        return others

    def _read_failed(self, failure: bytes | BaseException) -> None:
        """Closes the connection for what reading met: end of stream (b''), a socket error or a frame it refused."""
        reason, error = DisconnectReason.REMOTE_PARTY_TERMINATED, None
        if isinstance(failure, FrameTooLargeError):
            reason, error = DisconnectReason.FRAME_TOO_LARGE, failure
        elif isinstance(failure, ProtocolError):
            reason, error = DisconnectReason.PROTOCOL_VIOLATION, failure
        elif isinstance(failure, OSError) and not self._closed:
            reason, error = (DisconnectReason.REMOTE_PARTY_TERMINATED if isinstance(failure, ConnectionResetError) else DisconnectReason.SOCKET_ERROR), failure
        self.close(reason, error)

    def _drain(self) -> None:
        """Delivers, on the loop, the frames the thread read; the loop turns, so it takes the read side back."""
        with self._read_lock:
            self._drain_scheduled = False
            if self._loop_registered:
                self._thread_reads = False
        while self._inbound:
            frames = self._inbound.popleft()
            if self._closed:
                self._inbound.clear()
                return
            self._on_frames(frames)

    def _watch(self) -> None:
        """The thread: watches whether the loop reads what arrives, and reads in its stead while it does not."""
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        since: float | None = None  # when unread bytes were first seen with the loop's reads at `seen`
        seen = 0
        while True:
            if self._thread_reads:
                if not self._read_as_thread(poller):
                    return
                since = None
                continue
            if self._stopped.wait(CHECK):
                return
            if not poller.poll(0):
                since = None
                continue
            now = time.monotonic()
            if since is None or seen != self._loop_reads:
                since, seen = now, self._loop_reads
            elif now - since >= STALL:
                with self._read_lock:
                    if self._closed:
                        return
                    if seen == self._loop_reads:
                        self._thread_reads = True

    def _read_as_thread(self, poller: select.poll) -> bool:
        """Reads while the thread owns the read side; True once the loop took it back, False once the connection closed."""
        while True:
            ready = poller.poll(int(CHECK * 1000))
            with self._read_lock:
                if self._closed:
                    return False
                if not self._thread_reads:
                    return True
                if not ready:
                    continue
                try:
                    data = self._receive()
                except (BlockingIOError, InterruptedError):
                    continue
                except (OSError, ProtocolError) as failure:
                    data = failure
                if isinstance(data, list):
                    if data:
                        self._inbound.append(data)
                    # Even for Pings alone: the loop runs _drain the next time it turns, and so takes the socket back.
                    if not self._drain_scheduled:
                        self._drain_scheduled = True
                        try:
                            self._loop.call_soon_threadsafe(self._drain)
                        except RuntimeError:
                            pass  # the loop is closed: nothing will take the frames, Pings are still answered
                    continue
            self._read_failed(data)
            return False

    def _unregister(self) -> None:
        if self._loop_registered:
            self._loop_registered = False
            try:
                self._loop.remove_reader(self._fd)
            except (RuntimeError, ValueError, OSError):
                pass

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
        self._stopped.set()
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
        self._unregister()  # before the descriptor is closed and its number reused
        try:
            self._sock.close()
        except OSError:
            pass


def _resolve_all(futures: list[asyncio.Future[None]]) -> None:
    for future in futures:
        if not future.done():
            future.set_result(None)
