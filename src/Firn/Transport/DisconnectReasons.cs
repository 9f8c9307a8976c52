namespace Firn.Transport;

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
}
