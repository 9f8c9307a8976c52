namespace Firn;

/// <summary>
/// A process reached the number of channels it may create (<see cref="FirnAppOptions.MaxChannelsPerProcess"/>, counted
/// across a child's restarts); nothing was opened. Thrown by <c>GetChannel</c> in the process that asked.
/// </summary>
public sealed class ChannelLimitException : FirnException
{
    /// <summary>Creates the exception.</summary>
    public ChannelLimitException()
        : base("The process reached the number of channels it may create.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">Which process reached which limit, and the channel it asked for.</param>
    public ChannelLimitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">Which process reached which limit, and the channel it asked for.</param>
    /// <param name="innerException">The cause.</param>
    public ChannelLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
