
namespace Firn;

/// <summary>
/// The channel was closed by some process: nothing more can be sent, and receivers end once its buffer is drained. A
/// channel that became unusable because the connection to the main process closed throws <see cref="FirnDisconnectedException"/> instead.
/// </summary>
public sealed class ChannelClosedException : FirnException
{
    /// <summary>Creates the exception.</summary>
    public ChannelClosedException()
        : base("The channel was closed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was closed and why.</param>
    public ChannelClosedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was closed and why.</param>
    /// <param name="innerException">The cause.</param>
    public ChannelClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A channel name was used with a message type other than the one its first use fixed.</summary>
public sealed class ChannelTypeMismatchException : FirnException
{
    /// <summary>Creates the exception.</summary>
    public ChannelTypeMismatchException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The channel and both type names.</param>
    public ChannelTypeMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The channel and both type names.</param>
    /// <param name="innerException">The cause.</param>
    public ChannelTypeMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The channel's buffer for this sender is full and <see cref="ChannelFullMode.Fail"/> is in force.</summary>
public sealed class ChannelFullException : FirnException
{
    /// <summary>Creates the exception.</summary>
    public ChannelFullException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The channel and its limit.</param>
    public ChannelFullException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The channel and its limit.</param>
    /// <param name="innerException">The cause.</param>
    public ChannelFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A serialized message is larger than <see cref="FirnAppOptions.MaxMessageSize"/>; nothing was sent.</summary>
public sealed class MessageTooLargeException : FirnException
{
    /// <summary>Creates the exception.</summary>
    public MessageTooLargeException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The size and the limit.</param>
    public MessageTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The size and the limit.</param>
    /// <param name="innerException">The cause.</param>
    public MessageTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
