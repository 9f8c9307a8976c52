
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
