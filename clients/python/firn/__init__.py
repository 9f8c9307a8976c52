"""Firn children in Python: channels, the shared store, pub/sub, RPC and events, over Firn's wire protocol.

    import firn

    async def main(client: firn.Client) -> None:
        @client.passive_channel.on_receive(filter=lambda m: isinstance(m, str))
        async def on_text(message: str) -> None:
            print("Passive receive:", message)

        await client.shared_memory.incr("counter")
        await client.stopping.wait()

    firn.run(main)
"""

try:
    import msgpack as _msgpack  # noqa: F401  (the one dependency: checked first, so its absence is one clear line)
except ImportError as _error:
    import os as _os
    import sys as _sys

    _message = (f"Firn: the Python package 'msgpack' is missing for {_sys.executable} ({_error}); "
                "install it (Debian: apt-get install python3-msgpack; otherwise: pip install msgpack).")
    if _os.environ.get("FIRN_PROCESS_NAME"):
        # A Firn child: exit code 5 (docs/python.md) with the reason on standard error, which the main process logs.
        _sys.stderr.write(_message + "\n")
        raise SystemExit(5) from None
    raise ImportError(_message) from _error

from . import types, wire
from .channel import Channel
from .client import Client, connect, run
from .errors import (ChannelClosedError, ChannelFullError, ChannelTypeMismatchError, DisconnectReason,
                     FirnConfigurationError, FirnDisconnectedError, FirnError, FrameTooLargeError,
                     MessageTooLargeError, ProtocolError, RpcError, RpcMethodNotFoundError, RpcProcessExitedError,
                     RpcRemoteError, StoreError, StoreTypeMismatchError)
from .shared_memory import Event, EventBus, SharedMemory, Subscription

__all__ = [
    "Channel", "Client", "connect", "run", "types", "wire", "Event", "EventBus", "SharedMemory", "Subscription",
    "ChannelClosedError", "ChannelFullError", "ChannelTypeMismatchError", "DisconnectReason", "FirnConfigurationError",
    "FirnDisconnectedError", "FirnError", "FrameTooLargeError", "MessageTooLargeError", "ProtocolError", "RpcError",
    "RpcMethodNotFoundError", "RpcProcessExitedError", "RpcRemoteError", "StoreError", "StoreTypeMismatchError",
]
