"""A Firn child: the connection to the main process and everything reached through it."""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import signal
import socket
import struct
from typing import Any, Awaitable, Callable

from . import types, wire
from ._connection import Connection
from ._environment import ChildEnvironment
from ._parent_watch import ParentWatch
from .channel import Channel
from .errors import (ChannelTypeMismatchError, DisconnectReason, FirnConfigurationError, FirnDisconnectedError,
                     FirnError, ProtocolError)
from .rpc import Rpc
from .shared_memory import EventBus, SharedMemory

_log = logging.getLogger("firn")
_U32_FROM = struct.Struct("<I").unpack_from


class SendBudget:
    """The bytes of this child's messages that may wait in the router (the Welcome's pending-bytes limit): one
    message always fits when none waits. A message costs its Send frame: 5 + 4 + payload bytes."""

    def __init__(self, client: "Client", limit: int) -> None:
        self._client = client
        self.limit = limit
        self.outstanding = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    @staticmethod
    def cost(payload_length: int) -> int:
        return wire.HEADER_SIZE + 4 + payload_length

    def fits(self, size: int) -> bool:
        return self.outstanding == 0 or self.outstanding + self.cost(size) <= self.limit

    async def take(self, size: int, check: Callable[[], None] | None = None) -> None:
        """Waits until a message of ``size`` payload bytes fits; ``check`` (the channel's: closed? disconnected?) runs
        before each wait and after each wake-up, and raises to give up."""
        while not self.fits(size):
            if check is not None:
                check()
            if self._client.disconnect_reason is not None:
                raise FirnDisconnectedError("The message was not sent", self._client.disconnect_reason)
            future = self._client.loop.create_future()
            self._waiters.append(future)
            await future
        self.outstanding += self.cost(size)

    def release(self, count: int) -> None:
        self.outstanding = max(0, self.outstanding - count)
        self.wake()

    def wake(self) -> None:
        waiters, self._waiters = self._waiters, collections.deque()
        for future in waiters:
            if not future.done():
                future.set_result(None)


class Client:
    """What :func:`firn.connect` returns: the child's view of the app."""

    def __init__(self, environment: ChildEnvironment, loop: asyncio.AbstractEventLoop, *, call_timeout: float = 30.0,
                 max_message_size: int = wire.DEFAULT_MAX_MESSAGE_SIZE) -> None:
        self.environment = environment
        self.loop = loop
        self.process_name = environment.process_name
        self.call_timeout = call_timeout
        self.max_message_size = max_message_size
        self.send_window = 0
        # The capabilities this child offers in its Hello (docs/PROTOCOL.md, "Capabilities"): none, as this client
        # implements none of the optional features; ``capabilities`` is what the Welcome put in force.
        self.offered_capabilities: tuple[str, ...] = ()
        self.capabilities: tuple[str, ...] = ()
        self.budget = SendBudget(self, 0)
        self.stopping = asyncio.Event()
        self.stop_requested = False
        self.orphaned = False
        self.disconnect_reason: DisconnectReason | None = None
        self.disconnect_error: BaseException | None = None
        self.disconnected = asyncio.Event()
        self.converters: dict[str, Callable[[Any], Any]] = {}
        self.shared_memory = SharedMemory(self)
        self.events = EventBus(self.shared_memory)
        self.rpc = Rpc(self)
        self._deferred_registrations: list[tuple[str, Callable[..., Any]]] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._connection: Connection | None = None
        self._welcome: asyncio.Future[dict] = loop.create_future()
        self._pending: dict[int, tuple[asyncio.Future[Any], str]] = {}
        self._next_id = 0
        self._channels: dict[int, Channel] = {}
        self._by_name: dict[str, Channel] = {}
        self._builtin: dict[str, tuple[int, bool]] = {}
        self._out = bytearray()
        self._acks: dict[int, int] = {}
        self._flush_scheduled = False
        self._ready_sent = False
        self._control_sent = False
        self._parent_watch: ParentWatch | None = None
        self.active_channel: Channel = None  # type: ignore[assignment]
        self.passive_channel: Channel = None  # type: ignore[assignment]

    # --- connecting -------------------------------------------------------------------------------------------------

    async def _connect(self, timeout: float) -> None:
        env = self.environment
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(env.socket_path)
            sock.settimeout(None)
        except OSError as error:
            sock.close()
            raise FirnConfigurationError(f"Child '{self.process_name}' cannot connect to the main process at '{env.socket_path}': {error}") from error
        self._connection = Connection(sock, self.loop, self.max_message_size + wire.ENVELOPE_ALLOWANCE, self._on_frames, self._on_closed)
        self._connection.start()
        self._connection.send(wire.encode_frame(wire.FrameKind.HELLO, {"version": wire.PROTOCOL_VERSION, "process_name": self.process_name, "secret": env.secret,
                                                                        "capabilities": list(self.offered_capabilities)}))
        try:
            async with asyncio.timeout(timeout):
                welcome = await asyncio.shield(self._welcome)
        except TimeoutError:
            self._connection.close(DisconnectReason.HANDSHAKE_TIMEOUT)
            raise FirnConfigurationError(f"The main process did not answer the handshake of child '{self.process_name}' within {timeout} s.") from None
        if welcome["version"] != wire.PROTOCOL_VERSION:
            self._connection.close(DisconnectReason.PROTOCOL_VIOLATION)
            raise ProtocolError(f"the main process speaks protocol version {welcome['version']}; this child speaks {wire.PROTOCOL_VERSION}")
        limit = welcome["max_message_size"]
        if not wire.MIN_MAX_MESSAGE_SIZE <= limit <= wire.MAX_MAX_MESSAGE_SIZE:
            self._connection.close(DisconnectReason.PROTOCOL_VIOLATION)
            raise ProtocolError(f"the main process named a message size limit of {limit} bytes; the allowed range is {wire.MIN_MAX_MESSAGE_SIZE} to {wire.MAX_MAX_MESSAGE_SIZE}")
        not_offered = [name for name in welcome["capabilities"] if name not in self.offered_capabilities]
        if not_offered:
            self._connection.close(DisconnectReason.PROTOCOL_VIOLATION)
            raise ProtocolError(f"the Welcome put capabilities in force that this child did not offer ({', '.join(not_offered)})")
        self.capabilities = tuple(welcome["capabilities"])
        # The main process's limit holds on this connection: send nothing it would refuse, read all it may deliver.
        self.max_message_size = min(self.max_message_size, limit)
        self._connection.decoder.max_body_length = max(self._connection.decoder.max_body_length, limit + wire.ENVELOPE_ALLOWANCE)
        self.send_window = welcome["send_window"]
        self.budget.limit = welcome["pending_bytes_limit"]
        self._connection.write_limit = max(self._connection.write_limit, welcome["pending_bytes_limit"])
        channels = welcome["channels"]
        if channels is not None:
            self._builtin[f"{self.process_name}-active"] = (channels["active_id"], channels["active_closed"])
            self._builtin[f"{self.process_name}-passive"] = (channels["passive_id"], channels["passive_closed"])
        self.active_channel = await self.get_channel(f"{self.process_name}-active")
        self.passive_channel = await self.get_channel(f"{self.process_name}-passive")
        for name, handler in self._deferred_registrations:
            await self.rpc.register(name, handler)
        self._deferred_registrations.clear()

    # --- plumbing used by the features ------------------------------------------------------------------------------

    def check_connected(self, what: str) -> None:
        if self.disconnect_reason is not None:
            raise FirnDisconnectedError(what, self.disconnect_reason)

    def send_frame(self, kind: int, *parts: bytes | bytearray | memoryview) -> None:
        """Queues a frame; everything queued in one turn of the event loop goes out in one write."""
        if self.disconnect_reason is not None:  # (the message is made only then: it costs as much as the rest)
            raise FirnDisconnectedError(f"A {wire.FrameKind(kind).name} frame was not sent", self.disconnect_reason)
        wire.append_frame(self._out, kind, *parts)
        self._schedule_flush()

    def consumed(self, channel_id: int) -> None:
        """Counts a consumed message; acknowledgements go out summed, once per turn of the event loop."""
        self._acks[channel_id] = self._acks.get(channel_id, 0) + 1
        self._schedule_flush()

    def _schedule_flush(self) -> None:
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self._acks:
            for channel_id, count in self._acks.items():
                channel = self._channels.get(channel_id)
                if channel is not None and not channel.is_closed:
                    wire.append_frame(self._out, wire.FrameKind.ACK, struct.pack("<II", channel_id, count))
            self._acks.clear()
        if self._out and self._connection is not None:
            data, self._out = self._out, bytearray()
            self._connection.send(data)

    def connection_backlog_high(self) -> bool:
        connection = self._connection
        return connection is not None and len(self._out) + connection.queued_bytes > connection.write_limit

    async def wait_for_room(self) -> None:
        self._flush()
        if self._connection is not None:
            await self._connection.wait_for_room()

    def pending(self, what: str) -> tuple[int, asyncio.Future[Any]]:
        """A request id and the future its reply completes."""
        self.check_connected(what)
        self._next_id = (self._next_id + 1) & 0xFFFFFFFF or 1
        while self._next_id in self._pending:
            self._next_id = (self._next_id + 1) & 0xFFFFFFFF or 1
        future: asyncio.Future[Any] = self.loop.create_future()
        self._pending[self._next_id] = (future, what)
        return self._next_id, future

    def request(self, kind: int, what: str, names: str, build: Callable[[int], tuple[bytes | bytearray | memoryview, ...]]) -> tuple[int, asyncio.Future[Any]]:
        """Sends a request frame whose parts ``build(request_id)`` makes; returns its id and the future its reply
        completes. A name in it with a lone surrogate (``names`` says which, for the message) is refused with ValueError,
        and leaves no request behind."""
        request_id, future = self.pending(what)
        try:
            parts = build(request_id)
        except UnicodeEncodeError as error:
            del self._pending[request_id]
            raise wire.ill_formed(error, names) from None
        self.send_frame(kind, *parts)
        return request_id, future

    async def wait_reply(self, request_id: int, future: asyncio.Future[Any], timeout: float | None, what: str) -> Any:
        try:
            if timeout is None:
                return await future
            async with asyncio.timeout(timeout):
                return await future
        except TimeoutError:
            raise TimeoutError(f"{what}: the main process did not answer within {timeout} s.") from None
        finally:
            self._pending.pop(request_id, None)

    def _complete(self, request_id: int, fields: dict) -> None:
        entry = self._pending.pop(request_id, None)
        if entry is not None and not entry[0].done():
            entry[0].set_result(fields)

    def decode(self, type_name: str, payload: bytes) -> Any:
        """Reads a payload; a converter registered for the type name (see :meth:`register_type`) shapes the result."""
        value = types.unpack(payload)
        converter = self.converters.get(type_name)
        return converter(value) if converter is not None and value is not None else value

    def register_type(self, type_name: str, converter: Callable[[Any], Any]) -> None:
        """Reads values of ``type_name`` (channels, the store, subscriptions) through ``converter``, for example a
        dataclass: ``client.register_type("MyApp.Order", lambda m: Order(**m))``."""
        self.converters[type_name] = converter

    # --- channels ---------------------------------------------------------------------------------------------------

    async def get_channel(self, name: str, type_name: str = types.OBJECT) -> Channel:
        """Opens (creating if needed) the channel ``name`` for messages of the .NET type ``type_name``. A name already
        used with another type raises ChannelTypeMismatchError."""
        channel = await self._open(name, type_name, create=True)
        assert channel is not None
        return channel

    async def try_get_channel(self, name: str, type_name: str = types.OBJECT) -> Channel | None:
        """Opens the channel only if some process opened it already; None otherwise."""
        return await self._open(name, type_name, create=False)

    async def _open(self, name: str, type_name: str, create: bool) -> Channel | None:
        known = self._by_name.get(name)
        if known is not None and known.type_name == type_name:
            return known
        if type_name == types.OBJECT and name in self._builtin:
            channel_id, closed = self._builtin.pop(name)
            return self._add_channel(name, type_name, channel_id, closed)
        what = f"Channel '{name}' cannot be opened"
        flags = 0 if create else wire.OPEN_FLAG_ONLY_IF_EXISTS
        request_id, future = self.request(wire.FrameKind.OPEN_CHANNEL, what, "A channel name and type name",
                                          lambda request_id: (wire.Writer().u32(request_id).string(name).string(type_name).u8(flags).bytes(),))
        reply = await self.wait_reply(request_id, future, self.call_timeout, what)
        status = reply["status"]
        if status == wire.OpenStatus.OPENED:
            existing = self._channels.get(reply["channel_id"])
            if existing is not None and existing.type_name == type_name:
                return existing
            return self._add_channel(name, type_name, reply["channel_id"], reply["closed"])
        if status == wire.OpenStatus.NOT_FOUND:
            return None
        if status == wire.OpenStatus.TYPE_MISMATCH:
            raise ChannelTypeMismatchError(reply["message"])
        if status == wire.OpenStatus.BAD_NAME:
            raise ValueError(reply["message"])
        raise FirnError(reply["message"])

    def _add_channel(self, name: str, type_name: str, channel_id: int, closed: bool) -> Channel:
        channel = Channel(self, name, type_name, channel_id, closed, self.send_window)
        self._channels[channel_id] = channel
        self._by_name[name] = channel
        return channel

    async def list_channels(self) -> list[dict]:
        """Every channel of the app: name, type_name, queued, unconsumed, closed, members (process_name, mode)."""
        what = "The channel list is unavailable"
        request_id, future = self.pending(what)
        self.send_frame(wire.FrameKind.LIST_CHANNELS, wire.Writer().u32(request_id).bytes())
        reply = await self.wait_reply(request_id, future, self.call_timeout, what)
        if reply["status"] != 0:
            raise FirnError(f"{what}: {reply['error']}")
        return reply["channels"]

    # --- process control --------------------------------------------------------------------------------------------

    def signal_ready(self) -> None:
        """Tells the main process this child is ready (only the first call sends anything). :func:`connect` calls it
        unless the main process asked to wait for it (FIRN_WAIT_READY=1) or ``ready=False`` was passed."""
        if not self._ready_sent and self.disconnect_reason is None:
            self._ready_sent = True
            self.send_frame(wire.FrameKind.READY)
            self._flush()

    def _control(self, request: wire.ControlRequest) -> None:
        if not self._control_sent:
            self._control_sent = True
            self.send_frame(wire.FrameKind.CONTROL, bytes([request]))
            self._flush()

    def request_restart(self) -> None:
        """Asks the main process to restart this child (it stops it gracefully first: watch :attr:`stopping`)."""
        self._control(wire.ControlRequest.RESTART_SELF)

    def request_stop(self) -> None:
        """Asks the main process to stop this child and not restart it."""
        self._control(wire.ControlRequest.STOP_SELF)

    def request_application_stop(self) -> None:
        self._control(wire.ControlRequest.STOP_APPLICATION)

    def request_application_restart(self) -> None:
        self._control(wire.ControlRequest.RESTART_APPLICATION)

    async def flush(self) -> bool:
        """Waits until everything sent so far is written to the socket; False if the connection closed first."""
        self._flush()
        return self._connection is not None and await self._connection.flush()

    async def close(self) -> None:
        """Flushes what was sent and closes the connection (the main process sees the child leave)."""
        if self._connection is not None and not self._connection.is_closed:
            try:
                async with asyncio.timeout(5):
                    await self.flush()
            except TimeoutError:
                pass
            self._connection.close(DisconnectReason.LOCALLY_CLOSED)
        if self._parent_watch is not None:
            self._parent_watch.stop()

    async def wait_stopping(self) -> None:
        await self.stopping.wait()

    def _request_local_stop(self) -> None:
        self.stop_requested = True
        self._set_stopping()

    def _on_orphaned(self) -> None:
        self.orphaned = True
        self._set_stopping()

    def _set_stopping(self) -> None:
        self.stopping.set()
        for channel in self._channels.values():
            channel._wake_receivers()  # an `async for` over a channel ends on stopping

    # --- frames from the main process (on the loop) -----------------------------------------------------------------

    def _on_frames(self, frames: list[tuple[int, bytes]]) -> None:
        for kind, body in frames:
            try:
                self._dispatch(kind, body)
            except ProtocolError as error:
                _log.error("Child '%s': the main process broke the protocol: %s", self.process_name, error)
                self._connection.close(DisconnectReason.PROTOCOL_VIOLATION, error)  # type: ignore[union-attr]
                return
            except Exception as error:
                _log.exception("Child '%s': handling a frame of kind %s failed", self.process_name, kind)
                self._connection.close(DisconnectReason.LOCAL_HANDLER_FAULT, error)  # type: ignore[union-attr]
                return
        # The frames woke tasks (a receive, a sender waiting for credits): their callbacks are queued now, and a flush
        # queued after them writes what they send in the same turn of the loop, instead of one turn later.
        self._schedule_flush()

    def _dispatch(self, kind: int, body: bytes) -> None:
        if kind == wire.FrameKind.DELIVER:
            if len(body) < 4:
                raise ProtocolError("a Deliver frame ends before its channel id")
            channel = self._channels.get(_U32_FROM(body)[0])
            if channel is not None:
                channel._on_deliver(body[4:])
            return
        if kind == wire.FrameKind.SEND_CREDIT:
            fields = wire.decode_body(kind, body)
            channel = self._channels.get(fields["channel_id"])
            if channel is not None:
                channel._add_credits(fields["count"])
            return
        if kind == wire.FrameKind.SEND_BYTES:
            self.budget.release(wire.decode_body(kind, body)["bytes"])
            return
        if kind not in wire.CODECS or kind in _CHILD_TO_MAIN:
            raise ProtocolError(f"unexpected frame kind {kind} from the main process")
        fields = wire.decode_body(kind, body)
        if kind == wire.FrameKind.WELCOME:
            if not self._welcome.done():
                self._welcome.set_result(fields)
        elif kind == wire.FrameKind.REJECT:
            if not self._welcome.done():
                self._welcome.set_exception(FirnConfigurationError(f"The main process refused child '{self.process_name}': {fields['reason']}"))
        elif kind == wire.FrameKind.STOP:
            self._request_local_stop()
        elif kind == wire.FrameKind.CHANNEL_CLOSED:
            channel = self._channels.get(fields["channel_id"])
            if channel is not None:
                channel._on_closed()
            else:
                for name, (channel_id, _) in list(self._builtin.items()):
                    if channel_id == fields["channel_id"]:
                        self._builtin[name] = (channel_id, True)
        elif kind in (wire.FrameKind.CHANNEL_OPENED, wire.FrameKind.CHANNEL_LIST, wire.FrameKind.STORE_REPLY,
                      wire.FrameKind.SUBSCRIBE_REPLY, wire.FrameKind.RPC_REGISTERED):
            self._complete(fields["request_id"], fields)
        elif kind == wire.FrameKind.PUBLICATION:
            self.shared_memory._on_publication(fields["topic"], fields["type_name"], fields["payload"])
        elif kind == wire.FrameKind.RPC_REPLY:
            self._complete(fields["id"], fields)
        elif kind == wire.FrameKind.RPC_INVOKE:
            self.rpc._on_invoke(fields)
        elif kind == wire.FrameKind.RPC_CANCEL_INVOCATION:
            self.rpc._on_cancel(fields["invocation_id"])
        elif kind in (wire.FrameKind.RPC_CALL_ITEM, wire.FrameKind.RPC_INVOCATION_CREDIT):
            pass  # streams are not used by this client: the main process sends these only for stream calls

    def _on_closed(self, reason: DisconnectReason, error: BaseException | None) -> None:
        self.disconnect_reason = reason
        self.disconnect_error = error
        if not self._welcome.done():
            self._welcome.set_exception(FirnConfigurationError(
                f"The connection closed during the handshake of child '{self.process_name}' ({reason.describe()})" + (f": {error}" if error else "")))
        pending, self._pending = self._pending, {}
        for future, what in pending.values():
            if not future.done():
                future.set_exception(FirnDisconnectedError(what, reason))
        for channel in self._channels.values():
            channel._wake_all()
        self.budget.wake()
        self.disconnected.set()
        self.stopping.set()
        if reason not in (DisconnectReason.LOCALLY_CLOSED, DisconnectReason.REMOTE_PARTY_TERMINATED):
            _log.error("Child '%s' lost its connection to the main process: %s%s", self.process_name, reason.describe(), f" ({error})" if error else "")


_CHILD_TO_MAIN = {
    wire.FrameKind.HELLO, wire.FrameKind.OPEN_CHANNEL, wire.FrameKind.SEND, wire.FrameKind.ATTACH, wire.FrameKind.ACK,
    wire.FrameKind.CLOSE_CHANNEL, wire.FrameKind.LIST_CHANNELS, wire.FrameKind.CONTROL, wire.FrameKind.READY,
    wire.FrameKind.PONG, wire.FrameKind.STORE_REQUEST, wire.FrameKind.SUBSCRIBE, wire.FrameKind.UNSUBSCRIBE,
    wire.FrameKind.PUBLISH, wire.FrameKind.RPC_REGISTER, wire.FrameKind.RPC_UNREGISTER, wire.FrameKind.RPC_CALL,
    wire.FrameKind.RPC_CANCEL, wire.FrameKind.RPC_RESULT, wire.FrameKind.RPC_STREAM_ITEM, wire.FrameKind.RPC_STREAM_CREDIT,
}


async def connect(*, ready: bool | None = None, timeout: float = 5.0, call_timeout: float = 30.0,
                  max_message_size: int = wire.DEFAULT_MAX_MESSAGE_SIZE, watch_parent: bool = True,
                  handle_signals: bool = True) -> Client:
    """Connects this process, started by a Firn main process, as the child the FIRN_* environment names.

    ``ready``: send Ready now (default: unless the main process set FIRN_WAIT_READY=1; then call
    ``client.signal_ready()``). SIGTERM sets ``client.stopping`` (with ``handle_signals``); the parent's death sets
    it too and, if the process is still alive 1.5 s later, ends it with exit code 4.
    """
    environment = ChildEnvironment.from_environ()
    loop = asyncio.get_running_loop()
    client = Client(environment, loop, call_timeout=call_timeout, max_message_size=max_message_size)
    if watch_parent:
        client._parent_watch = ParentWatch(environment.parent_pid, lambda: loop.call_soon_threadsafe(client._on_orphaned))
        client._parent_watch.start()
    await client._connect(timeout)
    if handle_signals:
        try:
            loop.add_signal_handler(signal.SIGTERM, client._request_local_stop)
            # Ctrl+C in a terminal reaches the whole process group; the main process stops its children (as a C#
            # child does, this one ignores SIGINT rather than dying with a KeyboardInterrupt mid-stop).
            loop.add_signal_handler(signal.SIGINT, lambda: None)
        except (NotImplementedError, RuntimeError):
            pass
    if ready if ready is not None else not environment.wait_for_ready:
        client.signal_ready()
    return client


_LEVEL_TAGS = {"DEBUG": "DEBUG", "INFO": "INFO", "WARNING": "WARN", "ERROR": "ERROR", "CRITICAL": "CRIT"}


class _TaggedFormatter(logging.Formatter):
    """"[INFO] name: message", the level tag a C# main process reads off a forwarded line (FIRN_LOG_FORMAT=plain)."""

    def __init__(self, fmt: str, process_name: str) -> None:
        super().__init__(fmt)
        self._process_name = process_name

    def format(self, record: logging.LogRecord) -> str:
        # The main process names the child already: a logger of that name adds nothing.
        text = record.getMessage() if record.name == self._process_name and not record.exc_info else super().format(record)
        return f"[{_LEVEL_TAGS.get(record.levelname, 'INFO')}] " + text


def _configure_logging() -> None:
    if os.environ.get("FIRN_LOG_FORMAT") == "plain":
        handler = logging.StreamHandler()
        handler.setFormatter(_TaggedFormatter("%(name)s: %(message)s", process_name=os.environ.get("FIRN_PROCESS_NAME", "")))
        logging.basicConfig(level=logging.INFO, handlers=[handler])
    else:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")


def run(entry: Callable[[Client], Awaitable[Any]], **options: Any) -> None:
    """Runs ``entry(client)`` as a Firn child and exits with Firn's child exit codes: 0 when it returned, 1 when it
    raised, 3 when it could not connect, 4 when the connection was lost without a stop request (then the entry is
    cancelled if it has not returned within 1.5 s)."""
    _configure_logging()
    raise SystemExit(asyncio.run(_run(entry, options)))


async def _run(entry: Callable[[Client], Awaitable[Any]], options: dict) -> int:
    try:
        client = await connect(**options)
    except FirnError as error:
        _log.error("%s", error)
        return 3
    task = asyncio.ensure_future(entry(client))
    lost = asyncio.ensure_future(client.disconnected.wait())
    code = 0
    try:
        await asyncio.wait({task, lost}, return_when=asyncio.FIRST_COMPLETED)
        if not task.done():
            # The main process is gone or closed the connection: give the entry a moment to see `stopping`.
            done, _ = await asyncio.wait({task}, timeout=1.5)
            if not done:
                task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        except Exception:
            _log.exception("The entry of child '%s' failed", client.process_name)
            code = 1
    finally:
        lost.cancel()
        lost_connection = client.disconnect_reason is not None and not client.stop_requested
        await client.close()
    return 4 if lost_connection and code == 0 else code
