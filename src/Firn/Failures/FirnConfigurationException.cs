namespace Firn;

/// <summary>The app's configuration cannot work (for example a socket path that is too long or a duplicate process name).</summary>
public sealed class FirnConfigurationException : FirnException
{
    /// <summary>Creates the exception.</summary>
    public FirnConfigurationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    public FirnConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="innerException">The cause.</param>
    public FirnConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
