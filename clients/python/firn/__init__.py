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
