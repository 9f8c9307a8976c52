namespace Firn.Transport;

/// <summary>Why a connection between two Firn processes closed.</summary>
internal enum ConnectionCloseReason
{
    /// <summary>This side closed it on purpose (stop, dispose).</summary>
    LocallyClosed,

    /// <summary>The other process closed the socket or exited.</summary>
    RemotePartyTerminated,

    /// <summary>The other process sent bytes that break the protocol (garbage, bad field, unexpected frame).</summary>
    ProtocolViolation,

    /// <summary>A frame handler of this process threw something other than <see cref="ProtocolViolationException"/>: a bug on this side, not the peer's fault.</summary>
    LocalHandlerFault,

    /// <summary>The other process announced a frame larger than the configured limit.</summary>
    FrameTooLarge,

    /// <summary>The handshake failed: wrong version, unknown process, bad secret or wrong peer credentials.</summary>
    AuthenticationFailure,

    /// <summary>The handshake did not complete in time.</summary>
    HandshakeTimeout,

    /// <summary>A socket error other than an orderly close.</summary>
    SocketError,

    /// <summary>The other process stopped reading: more than the connection's buffer limit waited to be written to it.</summary>
    Overloaded,
}
