namespace Firn;

/// <summary>
/// The base of every exception Firn defines: catch it to handle any Firn failure in one place. Each failure has its own
/// type below it (<see cref="FirnDisconnectedException"/>, <see cref="ChannelClosedException"/>, <see cref="StoreException"/>,
/// <see cref="RpcException"/>, ...); docs/failures.md lists them.
/// </summary>
public abstract class FirnException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected FirnException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed and what to do.</param>
    protected FirnException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="innerException">The cause.</param>
    protected FirnException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
