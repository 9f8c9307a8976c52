namespace Firn.Transport;

/// <summary>A peer sent bytes that break the Firn protocol; its connection is closed.</summary>
internal sealed class ProtocolViolationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ProtocolViolationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public ProtocolViolationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ProtocolViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
