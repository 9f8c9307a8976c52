
namespace Firn;

/// <summary>A stored value has another type than the one asked for.</summary>
public sealed class StoreTypeMismatchException : FirnException
{
    /// <summary>Creates the exception.</summary>
    public StoreTypeMismatchException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The key and both type names.</param>
    public StoreTypeMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The key and both type names.</param>
    /// <param name="innerException">The cause.</param>
    public StoreTypeMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A store operation failed in the main process (a limit was reached), or a stored value could not be read. In a child
/// whose connection to the main process closed, store and pub/sub operations fail with <see cref="FirnDisconnectedException"/>.
/// </summary>
public sealed class StoreException : FirnException
{
    /// <summary>Creates the exception.</summary>
    public StoreException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed and what to do.</param>
    public StoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public StoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
