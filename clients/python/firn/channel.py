"""A named, typed channel shared with every process of the app (the C# ``Channel<T>``)."""

from __future__ import annotations

import asyncio
import collections
import inspect
import logging
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from . import types, wire
from .errors import ChannelClosedError, FirnDisconnectedError, MessageTooLargeError

if TYPE_CHECKING:
    from .client import Client

_log = logging.getLogger("firn.channel")

Handler = Callable[[Any], Any]
Filter = Callable[[Any], "bool | Awaitable[bool]"]

DEFAULT_RECEIVE_WINDOW = 4096


def _being_cancelled() -> bool:
    """Whether the current task was asked to stop (rather than a CancelledError raised by something it awaited)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class Channel:
    """Send with :meth:`send`; receive either actively with :meth:`receive` or passively with :meth:`on_receive`
    handlers (one mode per channel and process, as in C#)."""

    def __init__(self, client: "Client", name: str, type_name: str, channel_id: int, closed: bool, send_window: int) -> None:
        self._client = client
        self.name = name
        self.type_name = type_name
        self.id = channel_id
        self._closed = closed
        self._credits = send_window
        self._credit_waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._inbox: collections.deque[bytes] = collections.deque()
        self._inbox_waiters: list[asyncio.Future[None]] = []
        self._mode = wire.ReceiveMode.NONE
        self._handlers: list[tuple[Handler, Filter | None]] = []
        self._dispatcher: asyncio.Task[None] | None = None
        self.receive_window = DEFAULT_RECEIVE_WINDOW

    def __repr__(self) -> str:
        return f"Channel({self.name!r}, {self.type_name!r}, id={self.id})"

    @property
    def is_closed(self) -> bool:
        return self._closed

    @property
    def available_credits(self) -> int:
        return self._credits

    @property
    def buffered_count(self) -> int:
        return len(self._inbox)

    # --- sending ----------------------------------------------------------------------------------------------------

    async def send(self, message: Any) -> None:
        """Sends one message, waiting for a send credit and room in the process's pending-bytes budget."""
        payload = types.pack(message)
        client = self._client
        if len(payload) > client.max_message_size:
            raise MessageTooLargeError(f"A message on channel '{self.name}' is {len(payload)} bytes; the limit is {client.max_message_size}. Nothing was sent.")
        self._check_sendable()
        while self._credits <= 0:
            future = client.loop.create_future()
            self._credit_waiters.append(future)
            try:
                await future
            except BaseException:
                # A credit may have woken this sender just before it was cancelled: pass the wake-up on, or the next
                # sender waits for a credit that is there.
                if self._credits > 0:
                    self._add_credits(0)
                raise
            self._check_sendable()
        self._credits -= 1
        budget = client.budget
        if budget.fits(len(payload)):
            budget.outstanding += budget.cost(len(payload))  # what take does when it need not wait, without its coroutine
        else:
            try:
                await budget.take(len(payload), self._check_sendable)
            except BaseException:
                self._add_credits(1)
                raise
        client.send_frame(wire.FrameKind.SEND, wire._U32.pack(self.id), payload)
        if client.connection_backlog_high():
            await client.wait_for_room()

    def _check_sendable(self) -> None:
        if self._client.disconnect_reason is not None:
            raise FirnDisconnectedError(f"The message on channel '{self.name}' was not sent", self._client.disconnect_reason)
        if self._closed:
            raise ChannelClosedError(f"Channel '{self.name}' is closed; the message was not sent.")

    def _add_credits(self, count: int) -> None:
        self._credits += count
        woken = 0
        while self._credit_waiters and woken < self._credits:
            future = self._credit_waiters.popleft()
            if not future.done():
                future.set_result(None)
                woken += 1

    async def close(self) -> None:
        """Closes the channel for every process."""
        if not self._closed:
            self._closed = True
            self._client.send_frame(wire.FrameKind.CLOSE_CHANNEL, wire._U32.pack(self.id))
            self._wake_all()

    # --- receiving --------------------------------------------------------------------------------------------------

    def _ensure_mode(self, wanted: wire.ReceiveMode) -> None:
        if self._mode == wanted:
            return
        if self._mode != wire.ReceiveMode.NONE:
            raise RuntimeError(
                f"Channel '{self.name}' is in {self._mode.name.lower()} mode in this process; it cannot also be used in "
                f"{wanted.name.lower()} mode. Use a second channel.")
        self._mode = wanted
        if not self._closed:
            body = wire.Writer().u32(self.id).u32(self.receive_window).u8(wanted).bytes()
            self._client.send_frame(wire.FrameKind.ATTACH, body)

    async def receive(self, timeout: float | None = None) -> Any:
        """Takes the next message (active mode). Raises TimeoutError after ``timeout`` seconds, ChannelClosedError once
        the channel is closed and drained, FirnDisconnectedError once the connection is lost and drained."""
        self._ensure_mode(wire.ReceiveMode.ACTIVE)
        if not self._inbox:
            if timeout is None:
                await self._wait_for_message()
            else:
                async with asyncio.timeout(timeout):
                    await self._wait_for_message()
        payload = self._inbox.popleft()
        self._client.consumed(self.id)
        return self._decode(payload)

    def try_receive(self) -> tuple[bool, Any]:
        """Takes a message if one is buffered: (True, message), else (False, None)."""
        self._ensure_mode(wire.ReceiveMode.ACTIVE)
        if not self._inbox:
            return False, None
        payload = self._inbox.popleft()
        self._client.consumed(self.id)
        return True, self._decode(payload)

    def __aiter__(self) -> "Channel":
        return self

    async def __anext__(self) -> Any:
        """The next message, until the channel is closed and drained, the connection is lost, or the child is asked to
        stop (``client.stopping``, as C#'s ``ReadAllAsync(context.Stopping)``): messages not taken then are not
        acknowledged, so the main process delivers them again."""
        self._ensure_mode(wire.ReceiveMode.ACTIVE)
        try:
            if self._client.stopping.is_set() or (not self._inbox and not await self._wait_for_message(until_stopping=True)):
                raise StopAsyncIteration
        except (ChannelClosedError, FirnDisconnectedError):
            raise StopAsyncIteration from None
        payload = self._inbox.popleft()
        self._client.consumed(self.id)
        return self._decode(payload)

    async def _wait_for_message(self, until_stopping: bool = False) -> bool:
        """Waits until a message is buffered (True), or, with ``until_stopping``, the child is stopping (False)."""
        while not self._inbox:
            if until_stopping and self._client.stopping.is_set():
                return False
            if self._closed:
                raise ChannelClosedError(f"Channel '{self.name}' is closed and nothing is left to receive.")
            if self._client.disconnect_reason is not None:
                raise FirnDisconnectedError(f"Nothing more can be received on channel '{self.name}'", self._client.disconnect_reason)
            future = self._client.loop.create_future()
            self._inbox_waiters.append(future)
            try:
                await future
            finally:
                if future in self._inbox_waiters:
                    self._inbox_waiters.remove(future)
        return True

    def on_receive(self, filter: Filter | None = None) -> Callable[[Handler], Handler]:
        """Decorator: ``handler(message)`` (sync or async) runs for every message ``filter(message)`` (sync or async)
        accepts. Handlers run one message at a time, in order; the message is acknowledged after they ran."""

        def register(handler: Handler) -> Handler:
            self.add_handler(handler, filter)
            return handler

        return register

    def add_handler(self, handler: Handler, filter: Filter | None = None) -> Callable[[], None]:
        """Registers a passive handler; returns a function that removes it."""
        self._ensure_mode(wire.ReceiveMode.PASSIVE)
        entry = (handler, filter)
        self._handlers.append(entry)
        if self._dispatcher is None:
            self._dispatcher = self._client.loop.create_task(self._dispatch(), name=f"firn-passive-{self.name}")
            self._client._tasks.add(self._dispatcher)

        def remove() -> None:
            if entry in self._handlers:
                self._handlers.remove(entry)

        return remove

    async def _dispatch(self) -> None:
        try:
            while True:
                try:
                    await self._wait_for_message()
                except (ChannelClosedError, FirnDisconnectedError):
                    return
                payload = self._inbox.popleft()
                try:
                    message = self._decode(payload)
                    for handler, accept in list(self._handlers):
                        try:
                            if accept is not None:
                                verdict = accept(message)
                                if inspect.isawaitable(verdict):
                                    verdict = await verdict
                                if not verdict:
                                    continue
                            result = handler(message)
                            if inspect.isawaitable(result):
                                await result
                        except Exception:
                            _log.exception("A handler on channel '%s' failed", self.name)
                        except asyncio.CancelledError:
                            # Raised by what the handler awaited (a failure like any other), unless this dispatcher
                            # is being cancelled itself.
                            if _being_cancelled():
                                raise
                            _log.exception("A handler on channel '%s' was cancelled", self.name)
                except Exception:
                    _log.exception("A message on channel '%s' could not be read as %s", self.name, self.type_name)
                self._client.consumed(self.id)
        finally:
            self._client._tasks.discard(self._dispatcher)  # type: ignore[arg-type]

    def _decode(self, payload: bytes) -> Any:
        return self._client.decode(self.type_name, payload)

    # --- frames from the main process (on the loop) -----------------------------------------------------------------

    def _on_deliver(self, payload: bytes) -> None:
        self._inbox.append(payload)
        if self._inbox_waiters:
            waiters, self._inbox_waiters = self._inbox_waiters, []
            for future in waiters:
                if not future.done():
                    future.set_result(None)

    def _on_closed(self) -> None:
        self._closed = True
        self._wake_all()

    def _wake_receivers(self) -> None:
        waiters, self._inbox_waiters = self._inbox_waiters, []
        for future in waiters:
            if not future.done():
                future.set_result(None)

    def _wake_all(self) -> None:
        self._wake_receivers()
        while self._credit_waiters:
            future = self._credit_waiters.popleft()
            if not future.done():
                future.set_result(None)
        # A sender of this channel may wait for the process's byte budget instead: it must see the close too.
        self._client.budget.wake()
