using Firn.Transport;

namespace Firn;

/// <summary>Why the connection to the main process closed (see <see cref="FirnDisconnectedException.Reason"/>).</summary>
public enum DisconnectReason
{
    /// <summary>The main process closed the connection or exited (it stopped this child, crashed or was killed).</summary>
    RemotePartyTerminated,

    /// <summary>This process closed the connection: it is stopping.</summary>
    LocallyClosed,

    /// <summary>The main process sent bytes that break the protocol (for example a different Firn version); this process's log has the details.</summary>
    ProtocolViolation,

    /// <summary>The main process announced a frame larger than this process accepts.</summary>
    FrameTooLarge,

    /// <summary>
    /// Code in this process that handles what the main process sent threw (a bug in it, or in a serializer or handler it
    /// called); the main process did nothing wrong. This process's log has the exception.
    /// </summary>
    LocalHandlerFault,

    /// <summary>The handshake failed: the main process did not accept this child.</summary>
    AuthenticationFailure,

    /// <summary>The handshake did not complete in time.</summary>
    HandshakeTimeout,

    /// <summary>A socket error other than an orderly close.</summary>
    SocketError,

    /// <summary>The main process stopped reading: more than <see cref="FirnAppOptions.ConnectionBufferLimit"/> waited to be written to it.</summary>
    Overloaded,
}

/// <summary>The public reading of the transport's close reasons.</summary>
internal static class DisconnectReasons
{
    public static DisconnectReason From(ConnectionCloseReason reason) => reason switch
    {
        ConnectionCloseReason.LocallyClosed => DisconnectReason.LocallyClosed,
        ConnectionCloseReason.RemotePartyTerminated => DisconnectReason.RemotePartyTerminated,
        ConnectionCloseReason.ProtocolViolation => DisconnectReason.ProtocolViolation,
        ConnectionCloseReason.FrameTooLarge => DisconnectReason.FrameTooLarge,
        ConnectionCloseReason.LocalHandlerFault => DisconnectReason.LocalHandlerFault,
        ConnectionCloseReason.AuthenticationFailure => DisconnectReason.AuthenticationFailure,
        ConnectionCloseReason.HandshakeTimeout => DisconnectReason.HandshakeTimeout,
        ConnectionCloseReason.SocketError => DisconnectReason.SocketError,
        ConnectionCloseReason.Overloaded => DisconnectReason.Overloaded,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Unknown close reason."),
    };

    /// <summary>The reason in words, for a message: "the connection to the main process is closed (…)".</summary>
    public static string Describe(DisconnectReason reason) => reason switch
    {
        DisconnectReason.RemotePartyTerminated => "the main process closed it or exited",
        DisconnectReason.LocallyClosed => "this process closed it: it is stopping",
        DisconnectReason.ProtocolViolation => "the main process broke the protocol; see this process's log",
        DisconnectReason.FrameTooLarge => "the main process sent a frame over this process's size limit",
        DisconnectReason.LocalHandlerFault => "code in this process that handles what the main process sends threw; see this process's log",
        DisconnectReason.AuthenticationFailure => "the main process did not accept this child",
        DisconnectReason.HandshakeTimeout => "the handshake did not complete in time",
        DisconnectReason.SocketError => "a socket error; see this process's log",
        DisconnectReason.Overloaded => "the main process stopped reading what this process sends (FirnAppOptions.ConnectionBufferLimit)",
        _ => reason.ToString(),
    };
}
