using Firn.Rpc;

namespace Firn;

/// <content>Remote procedure calls.</content>
internal static partial class FirnErrors
{
    /// <summary>The exception a caller sees for a call of <paramref name="method"/> that failed with <paramref name="status"/>.</summary>
    public static RpcException CallFailed(RpcStatus status, string method, RpcError error) => status switch
    {
        RpcStatus.RemoteError => new RpcRemoteException(method, error.ProcessName, error.TypeName, error.Message, error.StackTrace),
        RpcStatus.MethodNotFound => new RpcMethodNotFoundException(error.Message, method),
        RpcStatus.ProcessExited => new RpcProcessExitedException(error.Message, method, error.ProcessName),

        // InvalidArguments, LimitExceeded, ResultTooLarge: Firn refused something; the message says what and which limit.
        _ => new RpcException(error.Message, method, error.ProcessName),
    };

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
