namespace Firn;

/// <summary>
/// The connection to the main process is closed, so the operation cannot reach it: every feature of a child (opening,
/// sending and receiving on channels, listing them, the store, publish and subscribe, RPC, <see cref="FirnApp.FlushAsync"/>)
/// throws this, with <see cref="Reason"/> saying why the connection closed. Requests in flight when it closed fail with it too.
/// </summary>
/// <remarks>A child does not reconnect: once this is thrown, it is stopping (<see cref="FirnApp.Stopping"/> has fired).</remarks>
public sealed class FirnDisconnectedException : FirnException
{
    /// <summary>Creates the exception.</summary>
    public FirnDisconnectedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What could not be done.</param>
    public FirnDisconnectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What could not be done.</param>
    /// <param name="innerException">The cause.</param>
    public FirnDisconnectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a message and the reason the connection closed.</summary>
    /// <param name="message">What could not be done, and why.</param>
    /// <param name="reason">Why the connection closed.</param>
    /// <param name="innerException">The cause, if any.</param>
    public FirnDisconnectedException(string message, DisconnectReason reason, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>Why the connection to the main process closed.</summary>
    public DisconnectReason Reason { get; }
}
