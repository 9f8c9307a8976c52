"""The key-value store and publish/subscribe shared by every process (the C# ``SharedMemory``), and events on top."""

from __future__ import annotations

import asyncio
import inspect
import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from . import types, wire
from .channel import _being_cancelled
from .errors import FirnDisconnectedError, MessageTooLargeError, StoreError, StoreTypeMismatchError

if TYPE_CHECKING:
    from .client import Client

_log = logging.getLogger("firn.pubsub")

DEFAULT_BUFFER_SIZE = 10_000
"""A subscription's buffer by default, as ``SubscribeOptions.BufferSize`` in C#."""
MAX_BUFFER_SIZE = 10_000_000
DROP_OLDEST = "drop_oldest"
"""When a subscription's buffer is full, the oldest publication goes (the default)."""
DROP_NEWEST = "drop_newest"
"""When a subscription's buffer is full, the new publication goes."""

MAX_KEY_LENGTH = 1024
_MAX_TTL = float((1 << 63) // 1000 - 1)  # seconds whose milliseconds fit the request's i64
_I64 = range(-(1 << 63), 1 << 63)
EVENT_TOPIC_PREFIX = "event:"


def _validate_key(key: str, what: str = "A key") -> str:
    # Characters as C# counts them (UTF-16 code units: one outside the BMP is two), since the main process closes the
    # connection of a child that sends a longer key; only a key of more than half the limit can be too long that way.
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY_LENGTH or (
            len(key) > MAX_KEY_LENGTH // 2 and wire.utf16_length(key) > MAX_KEY_LENGTH):
        raise ValueError(f"{what} has 1 to {MAX_KEY_LENGTH} characters (UTF-16 code units, as C# counts them).")
    return key


def is_pattern(topic: str) -> bool:
    return "*" in topic or "?" in topic


def topic_matches(pattern: str, topic: str) -> bool:
    """``*`` matches any run of characters (``:`` and ``.`` included), ``?`` exactly one; as TopicPattern in C#.

    Characters are UTF-16 code units, as in C# and as the main process counts them when it picks the publications a
    subscription receives: ``?`` matches one half of a character outside the Basic Multilingual Plane (an emoji), and
    ``??`` the whole of it.
    """
    return _units_match(_utf16_units(pattern), _utf16_units(topic))


def _utf16_units(text: str) -> memoryview:
    # surrogatepass: a lone surrogate (refused as a name, but possible in a delivered topic) is one unit, as in C#.
    return memoryview(text.encode("utf-16-le", "surrogatepass")).cast("H")


_STAR, _ANY = ord("*"), ord("?")


def _units_match(pattern: memoryview, topic: memoryview) -> bool:
    p = t = 0
    star, resume = -1, 0
    while t < len(topic):
        if p < len(pattern) and (pattern[p] == _ANY or pattern[p] == topic[t]):
            p += 1
            t += 1
        elif p < len(pattern) and pattern[p] == _STAR:
            star, resume = p, t
            p += 1
        elif star >= 0:
            p = star + 1
            resume += 1
            t = resume
        else:
            return False
    while p < len(pattern) and pattern[p] == _STAR:
        p += 1
    return p == len(pattern)


def _ttl_ms(ttl: float | None) -> int:
    if ttl is None:
        return 0
    if not 0 < ttl < _MAX_TTL:
        raise ValueError(f"A time to live must be positive and finite (less than {_MAX_TTL:.0f} s); it is {ttl}.")
    return max(1, math.ceil(ttl * 1000))


class SharedMemory:
    """Every operation is a round trip to the main process; many may be in flight at once. TTLs are in seconds."""

    def __init__(self, client: "Client") -> None:
        self._client = client
        self._subscriptions: dict[str, list["Subscription"]] = {}
        self._registered: dict[str, asyncio.Future[None]] = {}

    # --- store ------------------------------------------------------------------------------------------------------

    async def _execute(self, operation: wire.StoreOperation, key: str, *, type_name: str = "", ttl_ms: int = 0, delta: int = 0,
                       expected: bytes = b"", payload: bytes = b"") -> dict:
        client = self._client
        for value, what in ((payload, "value"), (expected, "expected value")):
            if len(value) > client.max_message_size:
                raise MessageTooLargeError(f"The {what} for key '{key}' is {len(value)} bytes; the limit is {client.max_message_size}. Nothing was stored.")
        what = f"The store request {operation.name.title().replace('_', '')} '{key}' failed"
        request_id, future = client.request(wire.FrameKind.STORE_REQUEST, what, "A key and type name", lambda request_id: (wire.encode_body(
            wire.FrameKind.STORE_REQUEST, {"request_id": request_id, "operation": operation, "key": key, "type_name": type_name,
                                           "ttl_ms": ttl_ms, "delta": delta, "expected": expected, "payload": payload}),))
        reply = await client.wait_reply(request_id, future, client.call_timeout, what)
        status = reply["status"]
        if status == wire.StoreStatus.TYPE_MISMATCH:
            raise StoreTypeMismatchError(reply["text"])
        if status == wire.StoreStatus.ERROR:
            raise StoreError(f"The store operation on key '{key}' failed: {reply['text']}")
        return reply

    async def set(self, key: str, value: Any, ttl: float | None = None, *, type_name: str | None = None) -> None:
        """Sets ``key``; ``type_name`` defaults to the .NET type matching the Python value (see types.type_name_of)."""
        await self._execute(wire.StoreOperation.SET, _validate_key(key), type_name=type_name or types.type_name_of(value),
                            ttl_ms=_ttl_ms(ttl), payload=types.pack(value))

    async def get(self, key: str, default: Any = None, *, type_name: str | None = None) -> Any:
        """The value, or ``default`` if the key does not exist. With ``type_name`` (other than System.Object), a value
        stored as another type raises StoreTypeMismatchError, as ``Get<T>`` does in C#."""
        found, value = await self.try_get(key, type_name=type_name)
        return value if found else default

    async def try_get(self, key: str, *, type_name: str | None = None) -> tuple[bool, Any]:
        reply = await self._execute(wire.StoreOperation.GET, _validate_key(key))
        if reply["status"] == wire.StoreStatus.NOT_FOUND:
            return False, None
        if type_name is not None and type_name != types.OBJECT and reply["text"] != type_name:
            raise StoreTypeMismatchError(f"Key '{key}' holds {reply['text']}, not {type_name}.")
        try:
            return True, self._client.decode(reply["text"], reply["payload"])
        except Exception as error:
            raise StoreError(f"The value of key '{key}' ({len(reply['payload'])} bytes stored as {reply['text']}) does not read: {error}") from error

    async def delete(self, key: str) -> bool:
        return (await self._execute(wire.StoreOperation.DELETE, _validate_key(key)))["flag"]

    async def incr(self, key: str, by: int = 1) -> int:
        """Adds ``by`` to the 64-bit integer at ``key`` (missing counts as 0) and returns the new value, atomically."""
        if by not in _I64:
            raise ValueError(f"An increment is a 64-bit integer; {by} is not.")
        return (await self._execute(wire.StoreOperation.INCREMENT, _validate_key(key), delta=by))["number"]

    increment = incr

    async def compare_and_set(self, key: str, expected: Any, value: Any, *, type_name: str | None = None) -> bool:
        """Sets ``key`` to ``value`` only if it holds ``expected`` (same type name, same MessagePack bytes)."""
        return (await self._execute(wire.StoreOperation.COMPARE_AND_SET, _validate_key(key), type_name=type_name or types.type_name_of(value),
                                    expected=types.pack(expected), payload=types.pack(value)))["flag"]

    async def set_if_absent(self, key: str, value: Any, ttl: float | None = None, *, type_name: str | None = None) -> bool:
        return (await self._execute(wire.StoreOperation.SET_IF_ABSENT, _validate_key(key), type_name=type_name or types.type_name_of(value),
                                    ttl_ms=_ttl_ms(ttl), payload=types.pack(value)))["flag"]

    async def get_all(self) -> dict[str, Any]:
        reply = await self._execute(wire.StoreOperation.GET_ALL, "*")
        return {item["key"]: self._client.decode(item["type_name"], item["payload"]) for item in reply["items"]}

    async def keys(self) -> list[str]:
        reply = await self._execute(wire.StoreOperation.KEYS, "*")
        return [item["key"] for item in reply["items"]]

    # --- publish/subscribe ------------------------------------------------------------------------------------------

    async def publish(self, topic: str, data: Any, *, type_name: str | None = None) -> None:
        _validate_key(topic, "A topic")
        if is_pattern(topic):
            raise ValueError(f"Topic '{topic}' contains a wildcard; '*' and '?' are only for subscribing.")
        await self._publish(topic, type_name or types.type_name_of(data), data)

    async def _publish(self, topic: str, type_name: str, data: Any) -> None:
        client = self._client
        payload = types.pack(data)
        if len(payload) > client.max_message_size:
            raise MessageTooLargeError(f"A publication on '{topic}' is {len(payload)} bytes; the limit is {client.max_message_size}. Nothing was published.")
        client.check_connected(f"Nothing was published to '{topic}'")
        try:
            header = wire.Writer().string(topic).string(type_name).bytes()
        except UnicodeEncodeError as error:
            raise wire.ill_formed(error, "A topic and type name") from None
        client.send_frame(wire.FrameKind.PUBLISH, header, payload)
        if client.connection_backlog_high():
            await client.wait_for_room()

    async def subscribe(self, topic: str, handler: Callable[..., Any], *, decode: Callable[[str, str, bytes], Any] | None = None,
                        buffer_size: int = DEFAULT_BUFFER_SIZE, overflow: str = DROP_OLDEST) -> "Subscription":
        """Calls ``handler(data)`` or ``handler(topic, data)`` (sync or async) for each publication on ``topic``, which
        may be a pattern with ``*`` and ``?``. Handlers of one subscription run one at a time, in order.

        Publications wait for the handler in a buffer of ``buffer_size`` (1 to 10,000,000; default 10,000). When the
        handler falls behind and the buffer is full, ``overflow`` says which one goes: ``"drop_oldest"`` (the default) or
        ``"drop_newest"``; each is counted in :attr:`Subscription.dropped`, and the first is logged as a warning."""
        _validate_buffer(buffer_size, overflow)
        _validate_key(topic, "A topic")
        wire.check_well_formed(topic, "A topic")
        client = self._client
        subscription = Subscription(self, topic, handler, decode or (lambda t, type_name, payload: client.decode(type_name, payload)),
                                    buffer_size, overflow)
        subscriptions = self._subscriptions.setdefault(topic, [])
        subscriptions.append(subscription)
        registered = self._registered.get(topic)
        if registered is None:
            what = f"The subscription to '{topic}' failed"
            try:
                request_id, registered = client.pending(what)
            except BaseException:
                subscription.cancel()
                raise
            client.send_frame(wire.FrameKind.SUBSCRIBE, wire.Writer().u32(request_id).string(topic).bytes())
            registered = asyncio.ensure_future(client.wait_reply(request_id, registered, client.call_timeout, what))
            self._registered[topic] = registered
        try:
            reply = await asyncio.shield(registered)
            if reply is not None and reply["status"] != 0:
                raise StoreError(f"The subscription to '{topic}' was refused: {reply['error']}")
        except BaseException:
            subscription.cancel()
            raise
        return subscription

    def _remove(self, subscription: "Subscription") -> None:
        subscriptions = self._subscriptions.get(subscription.topic)
        if subscriptions is None or subscription not in subscriptions:
            return
        subscriptions.remove(subscription)
        if not subscriptions:
            del self._subscriptions[subscription.topic]
            self._registered.pop(subscription.topic, None)
            if self._client.disconnect_reason is None:
                self._client.send_frame(wire.FrameKind.UNSUBSCRIBE, wire.Writer().string(subscription.topic).bytes())

    def _on_publication(self, topic: str, type_name: str, payload: bytes) -> None:
        for key, subscriptions in self._subscriptions.items():
            if key == topic or (is_pattern(key) and topic_matches(key, topic)):
                for subscription in subscriptions:
                    subscription._enqueue(topic, type_name, payload)


class Subscription:
    """A subscription; :meth:`cancel` ends it. :attr:`dropped` counts the publications its full buffer dropped."""

    def __init__(self, memory: SharedMemory, topic: str, handler: Callable[..., Any], decode: Callable[[str, str, bytes], Any],
                 buffer_size: int = DEFAULT_BUFFER_SIZE, overflow: str = DROP_OLDEST) -> None:
        self._memory = memory
        self.topic = topic
        self._handler = handler
        self._decode = decode
        self._queue: asyncio.Queue[tuple[str, str, bytes]] = asyncio.Queue(maxsize=buffer_size)
        self._drop_oldest = overflow == DROP_OLDEST
        self.dropped = 0
        self._with_topic = _takes_two(handler)
        self._task = memory._client.loop.create_task(self._run(), name=f"firn-subscription-{topic}")

    def _enqueue(self, topic: str, type_name: str, payload: bytes) -> None:
        if self._queue.full():
            dropped = self._queue.get_nowait()[0] if self._drop_oldest else topic
            self.dropped += 1
            if self.dropped == 1:
                _log.warning("The buffer of the subscription to '%s' is full: publications are dropped (first on '%s'); "
                             "its handler falls behind", self.topic, dropped)
            if not self._drop_oldest:
                return
        self._queue.put_nowait((topic, type_name, payload))

    async def _run(self) -> None:
        while True:
            topic, type_name, payload = await self._queue.get()
            try:
                data = self._decode(topic, type_name, payload)
                result = self._handler(topic, data) if self._with_topic else self._handler(data)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                _log.exception("A subscriber to '%s' failed on a publication on '%s'", self.topic, topic)
            except asyncio.CancelledError:
                if _being_cancelled():  # cancel() ends the subscription; a handler's own CancelledError does not
                    raise
                _log.exception("A subscriber to '%s' was cancelled on a publication on '%s'", self.topic, topic)

    def cancel(self) -> None:
        self._task.cancel()
        self._memory._remove(self)


def _validate_buffer(buffer_size: int, overflow: str) -> None:
    if isinstance(buffer_size, bool) or not isinstance(buffer_size, int) or not 1 <= buffer_size <= MAX_BUFFER_SIZE:
        raise ValueError(f"A subscription's buffer holds 1 to {MAX_BUFFER_SIZE:,} publications, not {buffer_size!r}.")
    if overflow not in (DROP_OLDEST, DROP_NEWEST):
        raise ValueError(f"A subscription's overflow is '{DROP_OLDEST}' or '{DROP_NEWEST}', not {overflow!r}.")


def _takes_two(handler: Callable[..., Any]) -> bool:
    try:
        parameters = [p for p in inspect.signature(handler).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty]
        return len(parameters) >= 2
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Event:
    """A named event with data (the C# ``Event``)."""

    name: str
    data: Any = None


class EventBus:
    """Events are publications on ``event:{name}`` with the type name ``Firn.Event``; C# processes see them too."""

    def __init__(self, memory: SharedMemory) -> None:
        self._memory = memory

    async def publish(self, name: str | Event, data: Any = None) -> None:
        event = name if isinstance(name, Event) else Event(name, data)
        if not event.name or is_pattern(event.name):
            raise ValueError(f"Event name '{event.name}' is empty or contains a wildcard; '*' and '?' are only for subscribing.")
        _validate_key(EVENT_TOPIC_PREFIX + event.name, "An event's topic (event: and its name)")
        await self._memory._publish(EVENT_TOPIC_PREFIX + event.name, types.EVENT, event.data)

    async def subscribe(self, name: str, handler: Callable[[Event], Any], *, buffer_size: int = DEFAULT_BUFFER_SIZE,
                        overflow: str = DROP_OLDEST) -> Subscription:
        """``name`` may be a pattern; ``handler(event)`` may be sync or async. ``buffer_size`` and ``overflow`` as for
        :meth:`SharedMemory.subscribe`."""
        return await self._memory.subscribe(
            EVENT_TOPIC_PREFIX + name, handler,
            decode=lambda topic, type_name, payload: Event(topic[len(EVENT_TOPIC_PREFIX):], types.unpack(payload)),
            buffer_size=buffer_size, overflow=overflow)


__all__ = ["SharedMemory", "Subscription", "EventBus", "Event", "topic_matches", "FirnDisconnectedError", "DROP_OLDEST", "DROP_NEWEST"]
