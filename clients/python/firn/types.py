""".NET type names as Firn writes them (TypeNames.Of in C#), and the MessagePack encoding the C# default serializer uses.

A channel, a stored value and a publication carry the *declared* .NET type name of their message; a Python process
names it explicitly (or lets the client infer one from a Python value, see :func:`type_name_of`). See docs/python.md.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import msgpack

OBJECT = "System.Object"
STRING = "System.String"
INT32 = "System.Int32"
INT64 = "System.Int64"
UINT64 = "System.UInt64"
DOUBLE = "System.Double"
BOOLEAN = "System.Boolean"
BYTES = "System.Byte[]"
EVENT = "Firn.Event"


def list_of(element: str) -> str:
    """``List<T>``: ``System.Collections.Generic.List<element>``."""
    return f"System.Collections.Generic.List<{element}>"


def dictionary_of(key: str, value: str) -> str:
    """``Dictionary<TKey, TValue>``: arguments separated by a comma and a space, as C# writes them."""
    return f"System.Collections.Generic.Dictionary<{key}, {value}>"


def array_of(element: str) -> str:
    """``T[]``."""
    return f"{element}[]"


def type_name_of(value: Any) -> str:
    """The type name a C# process would use for a Python value of this kind (records: name them explicitly)."""
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        # MessagePack writes 2**63 and more as uint64, which C# reads as ulong only
        return INT64 if value < 1 << 63 else UINT64
    if isinstance(value, float):
        return DOUBLE
    if isinstance(value, str):
        return STRING
    if isinstance(value, (bytes, bytearray, memoryview)):
        return BYTES
    return OBJECT


def pack(value: Any) -> bytes:
    """MessagePack as the C# default serializer writes it: str as str, bytes as bin, float as float64, records as maps.
    A string message with a lone surrogate is refused (ValueError); one inside another value is written as U+FFFD."""
    try:
        return msgpack.packb(value, use_bin_type=True, default=_default)
    except UnicodeEncodeError:
        if isinstance(value, str):
            index = next(i for i, c in enumerate(value) if "\ud800" <= c <= "\udfff")
            raise ValueError(f"A string message must be well-formed UTF-16; it contains a lone surrogate (U+{ord(value[index]):04X}) "
                             f"at index {index}.") from None
        return msgpack.packb(_replace_surrogates(value), use_bin_type=True, default=_default)


def _replace_surrogates(value: Any) -> Any:
    # Only on the rare path of a lone surrogate: what MessagePack-CSharp writes for one inside a record or a list.
    if isinstance(value, str):
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in value)
    if isinstance(value, dict):
        return {_replace_surrogates(k): _replace_surrogates(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_replace_surrogates(item) for item in value]
    if isinstance(value, (bytes, bytearray, memoryview, int, float)) or value is None:
        return value
    try:
        return _replace_surrogates(_default(value))
    except TypeError:
        return value


def unpack(data: bytes) -> Any:
    """MessagePack to Python values: maps to dicts (any key type), arrays to lists, bin to bytes."""
    if not data:
        return None
    return msgpack.unpackb(data, raw=False, strict_map_key=False)


def _default(value: Any) -> Any:
    # dataclasses and plain objects travel as maps keyed by field name: how the C# contractless resolver writes records
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # fields() only: a ClassVar or InitVar is in __dataclass_fields__ too, and an extra key breaks the C# record
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    if hasattr(value, "__dict__"):
        return dict(vars(value))
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot serialize {type(value).__name__} with MessagePack")
