namespace Firn.TestChild.Contracts;

/// <summary>One contract operation for the process under test: its name and its arguments, as text.</summary>
/// <param name="Id">Matches the reply to the command.</param>
/// <param name="Op">The operation (see <see cref="ContractOperations"/>).</param>
/// <param name="Args">Its arguments.</param>
public sealed record ContractCommand(long Id, string Op, string[] Args);

/// <summary>What an operation returned, or the exception it threw.</summary>
/// <param name="Id">The command's id.</param>
/// <param name="Value">The result, as text.</param>
/// <param name="Error">The exception, when the operation threw.</param>
public sealed record ContractReply(long Id, string? Value, ContractError? Error);

/// <summary>An exception an operation threw: its type, message and the properties the tests read.</summary>
/// <param name="Type">The exception's full type name.</param>
/// <param name="Message">Its message.</param>
/// <param name="ParamName">An <see cref="ArgumentException"/>'s parameter.</param>
/// <param name="Method">An <see cref="RpcException"/>'s method.</param>
/// <param name="ProcessName">An <see cref="RpcException"/>'s process.</param>
/// <param name="RemoteTypeName">An <see cref="RpcRemoteException"/>'s remote type.</param>
/// <param name="RemoteMessage">An <see cref="RpcRemoteException"/>'s remote message.</param>
/// <param name="RemoteStackTrace">An <see cref="RpcRemoteException"/>'s remote stack text.</param>
public sealed record ContractError(
    string Type,
    string Message,
    string? ParamName,
    string? Method,
    string? ProcessName,
    string? RemoteTypeName,
    string? RemoteMessage,
    string? RemoteStackTrace)
{
    /// <summary>Describes <paramref name="exception"/>.</summary>
    /// <param name="exception">What an operation threw.</param>
    /// <returns>Its description.</returns>
    public static ContractError From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var rpc = exception as RpcException;
        var remote = exception as RpcRemoteException;
        return new ContractError(
            exception.GetType().FullName!,
            exception.Message,
            (exception as ArgumentException)?.ParamName,
            rpc?.Method,
            rpc?.ProcessName,
            remote?.RemoteTypeName,
            remote?.RemoteMessage,
            remote?.RemoteStackTrace);
    }
}
