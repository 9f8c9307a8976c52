"""Firn's wire protocol, version 1 (docs/PROTOCOL.md): frames, field readers and writers, and every frame body.

Each frame kind has an encoder (fields -> body bytes) and a decoder (body bytes -> dict of fields); the golden vectors
under docs/protocol-vectors/ are checked against both. Nothing here does I/O.
"""

from __future__ import annotations

import enum
import struct
from typing import Any, Callable

from .errors import FrameTooLargeError, ProtocolError

PROTOCOL_VERSION = 1
HEADER_SIZE = 5
ENVELOPE_ALLOWANCE = 64 * 1024
DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024
MIN_MAX_MESSAGE_SIZE = 1024
MAX_MAX_MESSAGE_SIZE = 1024 * 1024 * 1024
MAX_RPC_ARGUMENTS = 64
MAX_STREAM_CREDIT = 64


class FrameKind(enum.IntEnum):
    HELLO = 1
    WELCOME = 2
    REJECT = 3
    OPEN_CHANNEL = 10
    CHANNEL_OPENED = 11
    SEND = 12
    DELIVER = 13
    SEND_CREDIT = 14
    ATTACH = 15
    ACK = 16
    CLOSE_CHANNEL = 17
    CHANNEL_CLOSED = 18
    LIST_CHANNELS = 19
    CHANNEL_LIST = 20
    SEND_BYTES = 21
    STOP = 30
    CONTROL = 31
    READY = 32
    PING = 33
    PONG = 34
    STORE_REQUEST = 40
    STORE_REPLY = 41
    SUBSCRIBE = 44
    SUBSCRIBE_REPLY = 45
    UNSUBSCRIBE = 46
    PUBLISH = 47
    PUBLICATION = 48
    RPC_REGISTER = 60
    RPC_REGISTERED = 61
    RPC_UNREGISTER = 62
    RPC_CALL = 63
    RPC_INVOKE = 64
    RPC_CANCEL = 65
    RPC_CANCEL_INVOCATION = 66
    RPC_RESULT = 67
    RPC_REPLY = 68
    RPC_STREAM_ITEM = 69
    RPC_CALL_ITEM = 70
    RPC_STREAM_CREDIT = 71
    RPC_INVOCATION_CREDIT = 72


class OpenStatus(enum.IntEnum):
    OPENED = 0
    TYPE_MISMATCH = 1
    BAD_NAME = 2
    NOT_FOUND = 3
    LIMIT_REACHED = 4


class ReceiveMode(enum.IntEnum):
    NONE = 0
    PASSIVE = 1
    ACTIVE = 2


class ControlRequest(enum.IntEnum):
    RESTART_SELF = 1
    STOP_SELF = 2
    STOP_APPLICATION = 3
    RESTART_APPLICATION = 4


class StoreOperation(enum.IntEnum):
    GET = 1
    SET = 2
    DELETE = 3
    SET_IF_ABSENT = 4
    COMPARE_AND_SET = 5
    INCREMENT = 6
    GET_ALL = 7
    KEYS = 8


class StoreStatus(enum.IntEnum):
    OK = 0
    NOT_FOUND = 1
    TYPE_MISMATCH = 2
    ERROR = 3


class RpcStatus(enum.IntEnum):
    OK = 0
    REMOTE_ERROR = 1
    METHOD_NOT_FOUND = 2
    PROCESS_EXITED = 3
    INVALID_ARGUMENTS = 4
    LIMIT_EXCEEDED = 5
    RESULT_TOO_LARGE = 6


RPC_FLAG_STREAM = 1
OPEN_FLAG_ONLY_IF_EXISTS = 1

_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_I64 = struct.Struct("<q")
_HEADER = struct.Struct("<IB")


class Writer:
    """Builds a frame body field by field (little-endian integers, u16-length-prefixed UTF-8 strings)."""

    __slots__ = ("buffer",)

    def __init__(self) -> None:
        self.buffer = bytearray()

    def u8(self, value: int) -> "Writer":
        self.buffer.append(value)
        return self

    def u16(self, value: int) -> "Writer":
        self.buffer += _U16.pack(value)
        return self

    def u32(self, value: int) -> "Writer":
        self.buffer += _U32.pack(value)
        return self

    def i64(self, value: int) -> "Writer":
        self.buffer += _I64.pack(value)
        return self

    def string(self, value: str) -> "Writer":
        # strict: a lone surrogate has no UTF-8 form and is refused, as in C#
        data = value.encode("utf-8")
        if len(data) > 0xFFFF:
            raise ValueError(f"A protocol string is at most 65535 UTF-8 bytes; this one is {len(data)}.")
        self.buffer += _U16.pack(len(data))
        self.buffer += data
        return self

    def text(self, value: str) -> "Writer":
        """Text meant for people: a lone surrogate becomes U+FFFD and text too long is cut at a character boundary."""
        try:
            data = value.encode("utf-8")
        except UnicodeEncodeError:
            data = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in value).encode("utf-8")
        if len(data) > 0xFFFF:
            data = data[:0xFFFF].decode("utf-8", "ignore").encode("utf-8")
        self.buffer += _U16.pack(len(data))
        self.buffer += data
        return self

    def raw(self, value: bytes | bytearray | memoryview) -> "Writer":
        self.buffer += value
        return self

    def bytes(self) -> bytes:
        return bytes(self.buffer)


def ill_formed(error: UnicodeEncodeError, what: str) -> ValueError:
    """The error for a name with a lone surrogate, which has no UTF-8 form (C# refuses it with ArgumentException)."""
    text = error.object if isinstance(error.object, str) else ""
    character = f" (U+{ord(text[error.start]):04X})" if error.start < len(text) else ""
    return ValueError(f"{what} must be well-formed UTF-16; it contains a lone surrogate{character} at index {error.start}.")


def utf16_length(text: str) -> int:
    """The length of ``text`` as C# counts it, in UTF-16 code units: a character outside the BMP is two."""
    return len(text) + sum(1 for c in text if c > "\uffff")


def check_well_formed(value: str, what: str) -> None:
    """Raises :func:`ill_formed`'s ValueError for a string with a lone surrogate."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ill_formed(error, what) from None


class Reader:
    """Reads the fields of a frame body; reading past the end or ill-formed UTF-8 raises ProtocolError."""

    __slots__ = ("_data", "_pos")

    def __init__(self, data: bytes | memoryview) -> None:
        self._data = memoryview(data)
        self._pos = 0

    def _take(self, count: int) -> memoryview:
        if len(self._data) - self._pos < count:
            raise ProtocolError(f"Frame body ended early: needed {count} more bytes at offset {self._pos} of {len(self._data)}.")
        value = self._data[self._pos:self._pos + count]
        self._pos += count
        return value

    def u8(self) -> int:
        return self._take(1)[0]

    def u16(self) -> int:
        return _U16.unpack(self._take(2))[0]

    def u32(self) -> int:
        return _U32.unpack(self._take(4))[0]

    def count(self) -> int:
        value = self.u32()
        if value > 0x7FFFFFFF:
            raise ProtocolError(f"count {value} is out of range")
        return value

    def i64(self) -> int:
        return _I64.unpack(self._take(8))[0]

    def string(self) -> str:
        length = self.u16()
        at = self._pos
        data = self._take(length)
        try:
            # Python's strict UTF-8 refuses encoded surrogates and overlong forms, as the C# reader does
            return str(data, "utf-8")
        except UnicodeDecodeError as error:
            raise ProtocolError(f"A string of {length} bytes at offset {at} is not valid UTF-8.") from error

    def take(self, count: int) -> bytes:
        return bytes(self._take(count))

    def rest(self) -> bytes:
        value = bytes(self._data[self._pos:])
        self._pos = len(self._data)
        return value

    @property
    def remaining(self) -> int:
        return len(self._data) - self._pos


def frame(kind: int, body: bytes | bytearray = b"") -> bytes:
    """A whole frame: u32 body length, u8 kind, body."""
    return _HEADER.pack(len(body), kind) + bytes(body)


def append_frame(buffer: bytearray, kind: int, *parts: bytes | bytearray | memoryview) -> None:
    """Appends a frame whose body is the concatenation of parts (no intermediate copy of the body)."""
    buffer += _HEADER.pack(sum(map(len, parts)), kind)
    for part in parts:
        buffer += part


class FrameDecoder:
    """Incremental frame splitter: feed bytes as they arrive, get whole (kind, body) frames out."""

    def __init__(self, max_body_length: int) -> None:
        self.max_body_length = max_body_length
        self._buffer = bytearray()

    def feed(self, data: bytes | bytearray | memoryview) -> list[tuple[int, bytes]]:
        buffer = self._buffer
        buffer += data
        frames: list[tuple[int, bytes]] = []
        pos = 0
        end = len(buffer)
        while end - pos >= HEADER_SIZE:
            length, kind = _HEADER.unpack_from(buffer, pos)
            if length > self.max_body_length:
                raise FrameTooLargeError(f"the main process announced a frame body of {length} bytes; at most {self.max_body_length} are accepted")
            if end - pos - HEADER_SIZE < length:
                break
            start = pos + HEADER_SIZE
            frames.append((kind, bytes(buffer[start:start + length])))
            pos = start + length
        if pos:
            del buffer[:pos]
        return frames

    @property
    def buffered(self) -> int:
        return len(self._buffer)


# ---------------------------------------------------------------------------------------------------------------------
# Frame bodies. Decoders return plain dicts (bytes stay bytes); encoders take the same dicts.

def _flag(value: int) -> bool:
    return value != 0


def encode_arguments(arguments: list[bytes]) -> bytes:
    if len(arguments) > MAX_RPC_ARGUMENTS:
        raise ValueError(f"A call passes at most {MAX_RPC_ARGUMENTS} arguments; this one passes {len(arguments)}.")
    w = Writer().u16(len(arguments))
    for argument in arguments:
        w.u32(len(argument)).raw(argument)
    return w.bytes()


def decode_arguments(r: Reader) -> list[bytes]:
    if r.remaining < 2:
        raise ProtocolError("call arguments end before their count")
    count = r.u16()
    if count > MAX_RPC_ARGUMENTS:
        raise ProtocolError(f"a call passes {count} arguments; at most {MAX_RPC_ARGUMENTS} are allowed")
    arguments = []
    for i in range(count):
        if r.remaining < 4:
            raise ProtocolError(f"call argument {i} ends before its length")
        length = r.u32()
        if length > r.remaining:
            raise ProtocolError(f"call argument {i} announces {length} bytes; {r.remaining} remain")
        arguments.append(r.take(length))
    if r.remaining:
        raise ProtocolError(f"{r.remaining} bytes follow the last call argument")
    return arguments


MAX_CAPABILITIES = 32
MAX_CAPABILITY_NAME_LENGTH = 64
_CAPABILITY_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-.")


def check_capability_name(name: str) -> None:
    if not 1 <= len(name) <= MAX_CAPABILITY_NAME_LENGTH:
        raise ProtocolError(f"a capability name of {len(name)} characters; names have 1 to {MAX_CAPABILITY_NAME_LENGTH}")
    if not set(name) <= _CAPABILITY_CHARACTERS:
        raise ProtocolError(f"capability name '{name}' has a character other than a-z, 0-9, '-' and '.'")


def _write_capabilities(w: Writer, names: list[str] | tuple[str, ...]) -> Writer:
    """A capability list ends the body; none at all is written for no names, as the C# codec does."""
    if not names:
        return w
    if len(names) > MAX_CAPABILITIES:
        raise ProtocolError(f"a capability list of {len(names)} names; at most {MAX_CAPABILITIES} are allowed")
    w.u8(len(names))
    for name in names:
        check_capability_name(name)
        w.string(name)
    return w


def _read_capabilities(r: Reader) -> list[str]:
    """A list that ends the body (no bytes left: none, a peer older than capabilities). Names are returned as written,
    known or not; nothing may follow the list."""
    if not r.remaining:
        return []
    count = r.u8()
    if count > MAX_CAPABILITIES:
        raise ProtocolError(f"a capability list of {count} names; at most {MAX_CAPABILITIES} are allowed")
    names = []
    for _ in range(count):
        name = r.string()
        check_capability_name(name)
        names.append(name)
    if r.remaining:
        raise ProtocolError(f"{r.remaining} bytes follow the capability list")
    return names


def _enc_hello(f: dict) -> bytes:
    w = Writer().u16(f["version"]).string(f["process_name"]).string(f["secret"])
    if f["version"] == PROTOCOL_VERSION:
        _write_capabilities(w, f.get("capabilities") or [])
    return w.bytes()


def _dec_hello(r: Reader) -> dict:
    fields: dict[str, Any] = {"version": r.u16(), "process_name": r.string(), "secret": r.string()}
    # Another version may end its Hello otherwise; it is refused for its version, its list is not read.
    fields["capabilities"] = _read_capabilities(r) if fields["version"] == PROTOCOL_VERSION else []
    return fields


WELCOME_FIXED_LENGTH = 14
WELCOME_CHANNELS_LENGTH = 10


def _enc_welcome(f: dict) -> bytes:
    w = Writer().u16(f["version"]).u32(f["max_message_size"]).u32(f["send_window"]).u32(f["pending_bytes_limit"])
    channels = f.get("channels")
    capabilities = f.get("capabilities") or []
    if capabilities and channels is None:
        raise ProtocolError("a Welcome carries a capability list only after the built-in channels")
    if channels is not None:
        w.u32(channels["active_id"]).u8(1 if channels["active_closed"] else 0)
        w.u32(channels["passive_id"]).u8(1 if channels["passive_closed"] else 0)
        _write_capabilities(w, capabilities)
    return w.bytes()


def _dec_welcome(r: Reader) -> dict:
    fields: dict[str, Any] = {"version": r.u16(), "max_message_size": r.u32(), "send_window": r.u32(), "pending_bytes_limit": r.u32()}
    fields["channels"] = None
    fields["capabilities"] = []
    if r.remaining >= WELCOME_CHANNELS_LENGTH:
        fields["channels"] = {"active_id": r.u32(), "active_closed": _flag(r.u8()), "passive_id": r.u32(), "passive_closed": _flag(r.u8())}
        # The capabilities in force follow the built-in channels and end the body.
        fields["capabilities"] = _read_capabilities(r)
    else:
        # Fewer than 10 bytes after the fixed fields are not channels; the C# reader ignores them too.
        r.rest()
    return fields


def _enc_channel_opened(f: dict) -> bytes:
    w = Writer().u32(f["request_id"]).u8(f["status"])
    if f["status"] == OpenStatus.OPENED:
        w.u32(f["channel_id"]).u8(1 if f["closed"] else 0)
    elif f["status"] != OpenStatus.NOT_FOUND:
        w.text(f["message"])
    return w.bytes()


def _dec_channel_opened(r: Reader) -> dict:
    fields: dict[str, Any] = {"request_id": r.u32(), "status": r.u8()}
    status = fields["status"]
    if status == OpenStatus.OPENED:
        fields["channel_id"] = r.u32()
        fields["closed"] = _flag(r.u8())
    elif status in (OpenStatus.TYPE_MISMATCH, OpenStatus.BAD_NAME, OpenStatus.LIMIT_REACHED):
        fields["message"] = r.string()
    elif status != OpenStatus.NOT_FOUND:
        raise ProtocolError(f"unknown channel open status {status}")
    return fields


def _enc_channel_list(f: dict) -> bytes:
    w = Writer().u32(f["request_id"]).u8(f["status"])
    if f["status"] != 0:
        return w.text(f["error"]).bytes()
    w.u32(len(f["channels"]))
    for c in f["channels"]:
        w.string(c["name"]).string(c["type_name"]).u32(c["queued"]).u32(c["unconsumed"]).u8(1 if c["closed"] else 0).u32(len(c["members"]))
        for m in c["members"]:
            w.string(m["process_name"]).u8(m["mode"])
    return w.bytes()


def _dec_channel_list(r: Reader) -> dict:
    fields: dict[str, Any] = {"request_id": r.u32(), "status": r.u8()}
    if fields["status"] == 1:
        fields["error"] = r.string()
        return fields
    if fields["status"] != 0:
        raise ProtocolError(f"unknown channel list status {fields['status']}")
    count = r.u32()
    if count > r.remaining // 17:
        raise ProtocolError(f"a channel list announces {count} channels in {r.remaining} bytes")
    channels = []
    for _ in range(count):
        c: dict[str, Any] = {"name": r.string(), "type_name": r.string(), "queued": r.count(), "unconsumed": r.count(), "closed": _flag(r.u8())}
        members = r.u32()
        if members > r.remaining // 3:
            raise ProtocolError(f"channel '{c['name']}' announces {members} members in {r.remaining} bytes")
        c["members"] = []
        for _ in range(members):
            process, mode = r.string(), r.u8()
            if mode > 2:
                raise ProtocolError(f"unknown receive mode {mode}")
            c["members"].append({"process_name": process, "mode": mode})
        channels.append(c)
    fields["channels"] = channels
    return fields


def _enc_store_request(f: dict) -> bytes:
    return (Writer().u32(f["request_id"]).u8(f["operation"]).string(f["key"]).string(f["type_name"]).i64(f["ttl_ms"]).i64(f["delta"])
            .u32(len(f["expected"])).raw(f["expected"]).raw(f["payload"]).bytes())


def _dec_store_request(r: Reader) -> dict:
    fields = {"request_id": r.u32(), "operation": r.u8(), "key": r.string(), "type_name": r.string(), "ttl_ms": r.i64(), "delta": r.i64()}
    fields["expected"] = r.take(r.u32())
    fields["payload"] = r.rest()
    return fields


def _enc_store_reply(f: dict) -> bytes:
    w = Writer().u32(f["request_id"]).u8(f["status"]).u8(1 if f["flag"] else 0).i64(f["number"]).text(f["text"]).u32(len(f["items"]))
    for item in f["items"]:
        w.string(item["key"]).string(item["type_name"]).u32(len(item["payload"])).raw(item["payload"])
    return w.raw(f["payload"]).bytes()


def _dec_store_reply(r: Reader) -> dict:
    fields: dict[str, Any] = {"request_id": r.u32(), "status": r.u8(), "flag": _flag(r.u8()), "number": r.i64(), "text": r.string()}
    count = r.u32()
    items = []
    for _ in range(count):
        key, type_name = r.string(), r.string()
        items.append({"key": key, "type_name": type_name, "payload": r.take(r.u32())})
    fields["items"] = items
    fields["payload"] = r.rest()
    return fields


def _enc_outcome(f: dict) -> bytes:
    w = Writer().u32(f["id"]).u8(f["status"])
    if f["status"] == RpcStatus.OK:
        return w.raw(f["result"]).bytes()
    e = f["error"]
    return w.text(e["process"]).text(e["type_name"]).text(e["message"]).text(e["stack"]).bytes()


def _dec_outcome(r: Reader) -> dict:
    fields: dict[str, Any] = {"id": r.u32(), "status": r.u8()}
    if fields["status"] > RpcStatus.RESULT_TOO_LARGE:
        raise ProtocolError(f"unknown call status {fields['status']}")
    if fields["status"] == RpcStatus.OK:
        fields["result"] = r.rest()
    else:
        fields["error"] = {"process": r.string(), "type_name": r.string(), "message": r.string(), "stack": r.string()}
    return fields


def _check_call(flags: int, credit: int) -> None:
    if flags & ~RPC_FLAG_STREAM:
        raise ProtocolError(f"unknown call flags {flags}")
    if credit > MAX_STREAM_CREDIT:
        raise ProtocolError(f"a call announced {credit} items of stream credit; at most {MAX_STREAM_CREDIT} are allowed")


def _dec_call(r: Reader) -> dict:
    fields: dict[str, Any] = {"call_id": r.u32(), "flags": r.u8(), "credit": r.u32(), "method": r.string()}
    _check_call(fields["flags"], fields["credit"])
    fields["arguments"] = decode_arguments(r)
    return fields


def _dec_invoke(r: Reader) -> dict:
    fields: dict[str, Any] = {"invocation_id": r.u32(), "flags": r.u8(), "credit": r.u32(), "method": r.string(), "caller": r.string()}
    _check_call(fields["flags"], fields["credit"])
    fields["arguments"] = decode_arguments(r)
    return fields


def _fixed(*spec: tuple[str, str]) -> tuple[Callable[[dict], bytes], Callable[[Reader], dict]]:
    """An encoder and decoder for a body of fixed fields; spec is (name, type) with type u8/u16/u32/i64/string/rest."""

    def encode(f: dict) -> bytes:
        w = Writer()
        for name, kind in spec:
            if kind == "rest":
                w.raw(f[name])
            else:
                getattr(w, kind)(f[name])
        return w.bytes()

    def decode(r: Reader) -> dict:
        return {name: (r.rest() if kind == "rest" else getattr(r, kind)()) for name, kind in spec}

    return encode, decode


def _call_encoder(id_name: str, with_caller: bool) -> Callable[[dict], bytes]:
    def encode(f: dict) -> bytes:
        w = Writer().u32(f[id_name]).u8(f["flags"]).u32(f["credit"]).string(f["method"])
        if with_caller:
            w.string(f["caller"])
        return w.raw(encode_arguments(f["arguments"])).bytes()

    return encode


_EMPTY = (lambda f: b"", lambda r: {})

CODECS: dict[int, tuple[Callable[[dict], bytes], Callable[[Reader], dict]]] = {
    FrameKind.HELLO: (_enc_hello, _dec_hello),
    FrameKind.WELCOME: (_enc_welcome, _dec_welcome),
    FrameKind.REJECT: _fixed(("reason", "string")),
    FrameKind.OPEN_CHANNEL: _fixed(("request_id", "u32"), ("name", "string"), ("type_name", "string"), ("flags", "u8")),
    FrameKind.CHANNEL_OPENED: (_enc_channel_opened, _dec_channel_opened),
    FrameKind.SEND: _fixed(("channel_id", "u32"), ("payload", "rest")),
    FrameKind.DELIVER: _fixed(("channel_id", "u32"), ("payload", "rest")),
    FrameKind.SEND_CREDIT: _fixed(("channel_id", "u32"), ("count", "u32")),
    FrameKind.ATTACH: _fixed(("channel_id", "u32"), ("window", "u32"), ("mode", "u8")),
    FrameKind.ACK: _fixed(("channel_id", "u32"), ("count", "u32")),
    FrameKind.CLOSE_CHANNEL: _fixed(("channel_id", "u32")),
    FrameKind.CHANNEL_CLOSED: _fixed(("channel_id", "u32")),
    FrameKind.LIST_CHANNELS: _fixed(("request_id", "u32")),
    FrameKind.CHANNEL_LIST: (_enc_channel_list, _dec_channel_list),
    FrameKind.SEND_BYTES: _fixed(("reserved", "u32"), ("bytes", "u32")),
    FrameKind.STOP: _EMPTY,
    FrameKind.CONTROL: _fixed(("request", "u8")),
    FrameKind.READY: _EMPTY,
    FrameKind.PING: _EMPTY,
    FrameKind.PONG: _EMPTY,
    FrameKind.STORE_REQUEST: (_enc_store_request, _dec_store_request),
    FrameKind.STORE_REPLY: (_enc_store_reply, _dec_store_reply),
    FrameKind.SUBSCRIBE: _fixed(("request_id", "u32"), ("topic", "string")),
    FrameKind.SUBSCRIBE_REPLY: _fixed(("request_id", "u32"), ("status", "u8"), ("error", "string")),
    FrameKind.UNSUBSCRIBE: _fixed(("topic", "string")),
    FrameKind.PUBLISH: _fixed(("topic", "string"), ("type_name", "string"), ("payload", "rest")),
    FrameKind.PUBLICATION: _fixed(("topic", "string"), ("type_name", "string"), ("payload", "rest")),
    FrameKind.RPC_REGISTER: _fixed(("request_id", "u32"), ("method", "string")),
    FrameKind.RPC_REGISTERED: _fixed(("request_id", "u32"), ("status", "u8"), ("error", "string")),
    FrameKind.RPC_UNREGISTER: _fixed(("method", "string")),
    FrameKind.RPC_CALL: (_call_encoder("call_id", False), _dec_call),
    FrameKind.RPC_INVOKE: (_call_encoder("invocation_id", True), _dec_invoke),
    FrameKind.RPC_CANCEL: _fixed(("call_id", "u32")),
    FrameKind.RPC_CANCEL_INVOCATION: _fixed(("invocation_id", "u32")),
    FrameKind.RPC_RESULT: (_enc_outcome, _dec_outcome),
    FrameKind.RPC_REPLY: (_enc_outcome, _dec_outcome),
    FrameKind.RPC_STREAM_ITEM: _fixed(("invocation_id", "u32"), ("payload", "rest")),
    FrameKind.RPC_CALL_ITEM: _fixed(("call_id", "u32"), ("payload", "rest")),
    FrameKind.RPC_STREAM_CREDIT: _fixed(("call_id", "u32"), ("count", "u32")),
    FrameKind.RPC_INVOCATION_CREDIT: _fixed(("invocation_id", "u32"), ("count", "u32")),
}

def encode_body(kind: int, fields: dict) -> bytes:
    return CODECS[kind][0](fields)


def decode_body(kind: int, body: bytes | memoryview, strict: bool = False) -> dict:
    """Decodes a body. Bytes after the last known field are ignored, as the C# reader ignores them (room for
    optional trailing fields); ``strict`` refuses them instead."""
    try:
        codec = CODECS[kind]
    except KeyError:
        raise ProtocolError(f"unknown frame kind {kind}") from None
    reader = Reader(body)
    fields = codec[1](reader)
    if strict and reader.remaining:
        raise ProtocolError(f"{reader.remaining} bytes follow the last field of a frame of kind {FrameKind(kind).name}")
    return fields


def encode_frame(kind: int, fields: dict) -> bytes:
    return frame(kind, encode_body(kind, fields))
