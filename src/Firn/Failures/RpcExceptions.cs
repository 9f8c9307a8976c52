
namespace Firn;

/// <summary>A remote call or registration failed: no such method, the handling process exited, bad arguments, a name taken, or a limit.</summary>
/// <remarks>
/// A handler's own exception arrives as the derived <see cref="RpcRemoteException"/>. A timeout is a
/// <see cref="TimeoutException"/> and a cancelled call an <see cref="OperationCanceledException"/>. In a child whose connection to
/// the main process closed, calls and registrations fail with <see cref="FirnDisconnectedException"/>.
/// </remarks>
public class RpcException : FirnException
{
    /// <summary>Creates the exception.</summary>
    public RpcException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public RpcException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public RpcException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a call to <paramref name="method"/>.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="method">The method called.</param>
    /// <param name="processName">The process that handled (or was to handle) the call, if known.</param>
    public RpcException(string message, string method, string? processName)
        : base(message)
    {
        Method = method;
        ProcessName = processName;
    }

    /// <summary>The method that was called.</summary>
    public string? Method { get; }

    /// <summary>The process that handled (or was to handle) the call, if known.</summary>
    public string? ProcessName { get; }
}

/// <summary>
/// The handler threw. Carries the remote exception's type name, message and stack text; the exception
/// object itself never crosses processes (nothing from the wire chooses a .NET type).
/// </summary>
public sealed class RpcRemoteException : RpcException
{
    /// <summary>Creates the exception.</summary>
    public RpcRemoteException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public RpcRemoteException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public RpcRemoteException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from what the handling process reported.</summary>
    /// <param name="method">The method called.</param>
    /// <param name="processName">The process whose handler threw.</param>
    /// <param name="remoteTypeName">The full name of the exception's type in that process.</param>
    /// <param name="remoteMessage">The exception's message.</param>
    /// <param name="remoteStackTrace">The exception's stack text in that process.</param>
    public RpcRemoteException(string method, string processName, string remoteTypeName, string remoteMessage, string remoteStackTrace)
        : base($"The handler of '{method}' in process '{processName}' threw {remoteTypeName}: {remoteMessage}", method, processName)
    {
        RemoteTypeName = remoteTypeName;
        RemoteMessage = remoteMessage;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>The full name of the remote exception's type (for example <c>System.ArgumentException</c>).</summary>
    public string RemoteTypeName { get; } = string.Empty;

    /// <summary>The remote exception's message.</summary>
    public string RemoteMessage { get; } = string.Empty;

    /// <summary>The remote exception's stack text, as the handling process printed it.</summary>
    public string RemoteStackTrace { get; } = string.Empty;
}

/// <summary>No process has registered the method called.</summary>
public sealed class RpcMethodNotFoundException : RpcException
{
    /// <summary>Creates the exception.</summary>
    public RpcMethodNotFoundException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public RpcMethodNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public RpcMethodNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="method"/>.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="method">The method called.</param>
    public RpcMethodNotFoundException(string message, string method)
        : base(message, method, null)
    {
    }
}

/// <summary>The process handling the call exited, restarted or lost its connection before it answered.</summary>
public sealed class RpcProcessExitedException : RpcException
{
    /// <summary>Creates the exception.</summary>
    public RpcProcessExitedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public RpcProcessExitedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public RpcProcessExitedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a call to <paramref name="method"/> handled by <paramref name="processName"/>.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="method">The method called.</param>
    /// <param name="processName">The process that exited.</param>
    public RpcProcessExitedException(string message, string method, string processName)
        : base(message, method, processName)
    {
    }
}
