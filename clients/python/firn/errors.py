"""The exceptions of the Python client; the hierarchy mirrors the C# one (docs/failures.md)."""

from __future__ import annotations

import enum


class DisconnectReason(enum.Enum):
    """Why the connection to the main process closed (the C# ``DisconnectReason``)."""

    REMOTE_PARTY_TERMINATED = "RemotePartyTerminated"
    LOCALLY_CLOSED = "LocallyClosed"
    PROTOCOL_VIOLATION = "ProtocolViolation"
    FRAME_TOO_LARGE = "FrameTooLarge"
    LOCAL_HANDLER_FAULT = "LocalHandlerFault"
    AUTHENTICATION_FAILURE = "AuthenticationFailure"
    HANDSHAKE_TIMEOUT = "HandshakeTimeout"
    SOCKET_ERROR = "SocketError"
    OVERLOADED = "Overloaded"

    def describe(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    DisconnectReason.REMOTE_PARTY_TERMINATED: "the main process closed it or exited",
    DisconnectReason.LOCALLY_CLOSED: "this process closed it",
    DisconnectReason.PROTOCOL_VIOLATION: "the main process sent bytes that break the protocol",
    DisconnectReason.FRAME_TOO_LARGE: "the main process announced a frame larger than this process accepts",
    DisconnectReason.LOCAL_HANDLER_FAULT: "code in this process that handles the main process's frames failed",
    DisconnectReason.AUTHENTICATION_FAILURE: "the main process did not accept this child",
    DisconnectReason.HANDSHAKE_TIMEOUT: "the handshake did not complete in time",
    DisconnectReason.SOCKET_ERROR: "a socket error",
    DisconnectReason.OVERLOADED: "the main process stopped reading",
}


class FirnError(Exception):
    """Every failure the client reports derives from this (C# ``FirnException``)."""


class ProtocolError(FirnError):
    """Bytes from the main process break the wire protocol; the connection is closed with ``PROTOCOL_VIOLATION``."""


class FrameTooLargeError(ProtocolError):
    """The main process announced a frame body above this process's limit."""


class FirnDisconnectedError(FirnError):
    """The connection to the main process is closed; ``reason`` says why."""

    def __init__(self, what: str, reason: DisconnectReason) -> None:
        super().__init__(f"{what}: the connection to the main process is closed ({reason.describe()}).")
        self.reason = reason


class FirnConfigurationError(FirnError):
    """The child cannot work as started: the FIRN_* environment is missing, it cannot connect, or it was refused."""


class ChannelClosedError(FirnError):
    """The channel was closed by some process, and nothing is left to receive."""


class ChannelFullError(FirnError):
    """The sender's buffer on the channel is full (reserved: the Python client always waits)."""


class ChannelTypeMismatchError(FirnError):
    """A channel name was used with another message type than the one its first use fixed."""


class MessageTooLargeError(FirnError, ValueError):
    """A message, call, value or publication serialized to more than the connection's max message size."""


class StoreError(FirnError):
    """A store operation failed in the main process, a stored value could not be read, or a subscription was refused."""


class StoreTypeMismatchError(FirnError):
    """A stored value has another type than the one asked for."""


class RpcError(FirnError):
    """A call or registration failed: a name taken, bad arguments, a limit."""

    def __init__(self, message: str, *, status: int = 0, process: str = "", type_name: str = "", remote_stack: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.process = process
        self.type_name = type_name
        self.remote_stack = remote_stack


class RpcRemoteError(RpcError):
    """The handler threw; ``type_name``, ``process`` and ``remote_stack`` describe the remote exception."""


class RpcMethodNotFoundError(RpcError):
    """No process has registered the method."""


class RpcProcessExitedError(RpcError):
    """The handling process exited (or is stopping) before it answered."""
