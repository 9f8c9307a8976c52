using System.Reflection;
using Firn.Channels;

namespace Firn.Rpc;

/// <summary>One method of a service interface: which parameters travel, which token cancels, and how the proxy returns the result.</summary>
internal sealed class ServiceMethod
{
    private readonly int _tokenIndex = -1;
    private readonly int[] _wireIndices;
    private readonly RpcArguments.ArgumentWriter[] _writers;
    private readonly ProxyCall _call;

    public ServiceMethod(MethodInfo info)
    {
        Info = info;
        Name = info.Name;
        if (info.IsGenericMethodDefinition)
        {
            throw new NotSupportedException($"{Name} is generic");
        }

        var wire = new List<int>();
        var parameters = info.GetParameters();
        for (var i = 0; i < parameters.Length; i++)
        {
            var type = parameters[i].ParameterType;
            if (type.IsByRef || type.IsPointer)
            {
                throw new NotSupportedException($"{Name} has a by-reference parameter '{parameters[i].Name}'");
            }

            if (type == typeof(CancellationToken))
            {
                _tokenIndex = _tokenIndex < 0 ? i : throw new NotSupportedException($"{Name} has more than one CancellationToken");
            }
            else if (type != typeof(RpcCallContext))
            {
                wire.Add(i);
            }
        }

        _wireIndices = [.. wire];
        _writers = [.. wire.Select(i => RpcArguments.WriterFor(parameters[i].ParameterType))];
        _call = ProxyCallFor(info.ReturnType, Name);
    }

    private delegate object ProxyCall(RpcEndpoint endpoint, string method, object?[] args, RpcArguments.ArgumentWriter[] writers, TimeSpan timeout, CancellationToken cancellationToken);

    public MethodInfo Info { get; }

    public string Name { get; }

    /// <summary>Makes the call for a proxy and returns what the interface method returns (a task or a stream).</summary>
    public object Call(RpcEndpoint endpoint, string method, object?[] args, TimeSpan timeout)
    {
        var wire = new object?[_wireIndices.Length];
        for (var i = 0; i < wire.Length; i++)
        {
            wire[i] = args[_wireIndices[i]];
        }

        var token = _tokenIndex >= 0 ? (CancellationToken)args[_tokenIndex]! : CancellationToken.None;
        return _call(endpoint, method, wire, _writers, timeout, token);
    }

    private static ProxyCall ProxyCallFor(Type returnType, string name)
    {
        if (returnType == typeof(Task))
        {
            return static (endpoint, method, args, writers, timeout, token) => endpoint.InvokeAsync(method, args, writers, timeout, token);
        }

        if (returnType == typeof(ValueTask))
        {
            return static (endpoint, method, args, writers, timeout, token) => new ValueTask(endpoint.InvokeAsync(method, args, writers, timeout, token));
        }

        var definition = returnType.IsGenericType ? returnType.GetGenericTypeDefinition() : null;
        var helper = definition == typeof(Task<>) ? nameof(CallTask)
            : definition == typeof(ValueTask<>) ? nameof(CallValueTask)
            : definition == typeof(IAsyncEnumerable<>) ? nameof(CallStream)
            : throw new NotSupportedException($"{name} returns {TypeNames.Of(returnType)}; service methods return Task, Task<T>, ValueTask, ValueTask<T> or IAsyncEnumerable<T>");
        return typeof(ServiceMethod).GetMethod(helper, BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(returnType.GetGenericArguments()[0]).CreateDelegate<ProxyCall>();
    }

    // These are bound to ProxyCall, which returns object (the proxy returns whatever the interface method declares).
#pragma warning disable CA1859
    private static object CallTask<T>(RpcEndpoint endpoint, string method, object?[] args, RpcArguments.ArgumentWriter[] writers, TimeSpan timeout, CancellationToken token) =>
        endpoint.CallTypedAsync<T>(method, args, writers, timeout, token);

    private static object CallValueTask<T>(RpcEndpoint endpoint, string method, object?[] args, RpcArguments.ArgumentWriter[] writers, TimeSpan timeout, CancellationToken token) =>
        new ValueTask<T>(endpoint.CallTypedAsync<T>(method, args, writers, timeout, token));

    private static object CallStream<T>(RpcEndpoint endpoint, string method, object?[] args, RpcArguments.ArgumentWriter[] writers, TimeSpan timeout, CancellationToken token) =>
        endpoint.ReadStreamAsync<T>(method, args, writers, token);
#pragma warning restore CA1859
}
