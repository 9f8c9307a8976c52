using Firn.TestChild.Contracts;

namespace Firn.Tests.Contracts;

/// <summary>
/// Rebuilds, in the test process, an exception a contract operation threw in a child process: the same type (Firn's
/// and the runtime's), with the same message and the properties tests read, so one test body asserts the same way on
/// every target. An unknown type becomes a <see cref="ContractRemoteException"/> naming it.
/// </summary>
internal static class ContractErrors
{
    public static Exception Rebuild(ContractError error) => error.Type switch
    {
        "System.ArgumentException" => new ArgumentException(WithoutParameter(error), error.ParamName),
        "System.ArgumentOutOfRangeException" => new ArgumentOutOfRangeException(error.ParamName, WithoutParameter(error)),
        "System.ArgumentNullException" => new ArgumentNullException(error.ParamName, WithoutParameter(error)),
        "Firn.RpcRemoteException" => new RpcRemoteException(error.Method!, error.ProcessName!, error.RemoteTypeName!, error.RemoteMessage!, error.RemoteStackTrace!),
        "Firn.RpcMethodNotFoundException" => error.Method is null ? new RpcMethodNotFoundException(error.Message) : new RpcMethodNotFoundException(error.Message, error.Method),
        "Firn.RpcProcessExitedException" => error.Method is null ? new RpcProcessExitedException(error.Message) : new RpcProcessExitedException(error.Message, error.Method, error.ProcessName!),
        "Firn.RpcException" => error.Method is null ? new RpcException(error.Message) : new RpcException(error.Message, error.Method, error.ProcessName),
        _ => ByName(error),
    };

    private static Exception ByName(ContractError error)
    {
        var type = typeof(FirnApp).Assembly.GetType(error.Type) ?? typeof(object).Assembly.GetType(error.Type);
        if (type is not null && typeof(Exception).IsAssignableFrom(type) && type.GetConstructor([typeof(string)]) is { } constructor)
        {
            return (Exception)constructor.Invoke([error.Message]);
        }

        return new ContractRemoteException(error);
    }

    /// <summary>An argument exception's message without the " (Parameter 'name')" its Message property adds.</summary>
    private static string WithoutParameter(ContractError error)
    {
        var suffix = $" (Parameter '{error.ParamName}')";
        return error.ParamName is not null && error.Message.EndsWith(suffix, StringComparison.Ordinal) ? error.Message[..^suffix.Length] : error.Message;
    }
}

/// <summary>An exception of a type the test process cannot rebuild.</summary>
internal sealed class ContractRemoteException(ContractError error) : Exception($"{error.Type}: {error.Message}")
{
    public string TypeName { get; } = error.Type;
}
