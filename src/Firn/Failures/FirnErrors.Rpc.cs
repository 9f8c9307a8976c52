
namespace Firn.Failures;

/// <content>Remote procedure calls.</content>
internal static partial class FirnErrors
{
    /// <summary>The handler of <paramref name="method"/> in <paramref name="process"/> threw.</summary>
    public static RpcRemoteException RemoteError(string method, string process, string typeName, string message, string stackTrace) =>
        new(method, process, typeName, message, stackTrace);

    /// <summary>No process has registered <paramref name="method"/>; <paramref name="message"/> is the main process's.</summary>
    public static RpcMethodNotFoundException MethodNotFound(string message, string method) => new(message, method);

    /// <summary>The process that owned <paramref name="method"/> exited before answering.</summary>
    public static RpcProcessExitedException OwnerExited(string message, string method, string process) => new(message, method, process);

    /// <summary>Firn refused the call (bad arguments, a limit, a result too large); the message says what and which limit.</summary>
    public static RpcException CallRefused(string message, string method, string process) => new(message, method, process);

    public static TimeoutException CallTimedOut(string method, TimeSpan timeout) =>
        new($"The call to '{method}' was not answered within {timeout}; it was cancelled.");

    /// <summary>The main process refused a registration (another process has the name, or a limit); <paramref name="why"/> says which.</summary>
    public static RpcException RegistrationRefused(string name, string why) => new(why, name, null);

    public static TimeoutException RegistrationTimedOut(string name, TimeSpan timeout) =>
        new($"The main process did not answer the registration of RPC method '{name}' within {timeout} (FirnAppOptions.CallTimeout); the name was given back.");

    public static RpcException ResultUnreadable(string method, int length, string readAs, Exception cause) =>
        new($"The result of '{method}' ({length} bytes) could not be read as {readAs}: {(length == 0 ? "the handler returned no result" : cause.Message)}.", cause);

    public static RpcException ArgumentCountMismatch(string signature, string expected, int passed) =>
        new($"Method {signature} takes {expected}; the call passed {passed}.");

    public static RpcException ArgumentUnreadable(string method, string? parameter, int length, string readAs, Exception cause) =>
        new($"Method '{method}': argument '{parameter}' ({length} bytes) could not be read as {readAs}: {cause.Message}", cause);
}
