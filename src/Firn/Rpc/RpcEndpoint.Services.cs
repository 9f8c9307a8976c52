using Firn.Channels;
using Firn.Rpc;

namespace Firn;

/// <content>Typed services: an interface implemented in one process, called through a proxy in another.</content>
public sealed partial class RpcEndpoint
{
    /// <summary>
    /// Exposes <paramref name="implementation"/> to every process: each method of <typeparamref name="TService"/> becomes
    /// the method <c>{name}.{MethodName}</c>. Service methods return <see cref="Task"/>, <see cref="Task{TResult}"/>,
    /// <see cref="ValueTask"/>, <see cref="ValueTask{TResult}"/> or <see cref="IAsyncEnumerable{T}"/>; a
    /// <see cref="CancellationToken"/> parameter receives the call's cancellation. Not supported: synchronous methods,
    /// generic methods, overloads, <c>ref</c>/<c>out</c> parameters, properties, events, static abstract members and
    /// default interface implementations (every one found is reported at once, before anything is registered). Static
    /// methods with a body are helpers, not part of the service, and are ignored.
    /// </summary>
    /// <typeparam name="TService">The service interface.</typeparam>
    /// <param name="implementation">The object that serves the calls.</param>
    /// <param name="name">The service name; default: the interface's full name.</param>
    /// <returns>The registration; dispose it to withdraw the service.</returns>
    /// <exception cref="NotSupportedException"><typeparamref name="TService"/> is not an interface, or has members a service cannot have; the message lists each.</exception>
    /// <exception cref="RpcException">Another process has registered one of the service's method names.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process is closed.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid name, or this process has exposed the service under it already.</exception>
    /// <exception cref="TimeoutException">In a child: the main process did not answer within <see cref="FirnAppOptions.CallTimeout"/>; the names were given back.</exception>
    public RpcRegistration AddService<TService>(TService implementation, string? name = null)
        where TService : class => AddServiceAsync(implementation, name).GetAwaiter().GetResult();

    /// <summary>Async form of <see cref="AddService{TService}(TService, string?)"/>.</summary>
    /// <typeparam name="TService">The service interface.</typeparam>
    /// <param name="implementation">The object that serves the calls.</param>
    /// <param name="name">The service name; default: the interface's full name.</param>
    /// <param name="cancellationToken">Abandons the wait for the main process (the names are given back).</param>
    /// <returns>The registration.</returns>
    /// <exception cref="NotSupportedException"><typeparamref name="TService"/> is not an interface, or has members a service cannot have (thrown at once, not through the task).</exception>
    /// <exception cref="RpcException">Another process has registered one of the service's method names.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process is closed.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid name, or this process has exposed the service under it already.</exception>
    /// <exception cref="TimeoutException">In a child: the main process did not answer within <see cref="FirnAppOptions.CallTimeout"/>; the names were given back.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    public Task<RpcRegistration> AddServiceAsync<TService>(TService implementation, string? name = null, CancellationToken cancellationToken = default)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(implementation);
        var contract = ServiceContract.For(typeof(TService));
        var serviceName = ServiceName<TService>(name);
        var methods = contract.Methods.Select(m => RpcMethod.FromMethod(serviceName + "." + m.Name, m.Info, implementation)).ToArray();
        foreach (var method in methods)
        {
            RpcNames.Validate(method.Name);
        }

        return RegisterAsync(methods, nameof(name), cancellationToken);
    }

    /// <summary>
    /// Returns a proxy of <typeparamref name="TService"/> whose methods call the service exposed (in any process) with
    /// <see cref="AddService{TService}(TService, string?)"/>. Errors are those of <see cref="CallAsync{TResult}(string, object?[])"/>.
    /// </summary>
    /// <typeparam name="TService">The service interface.</typeparam>
    /// <param name="name">The service name; default: the interface's full name.</param>
    /// <param name="timeout">How long each call waits; default <see cref="DefaultTimeout"/>. Streams are bounded by their token only.</param>
    /// <returns>The proxy; it is cheap, thread safe and needs no disposal.</returns>
    /// <exception cref="NotSupportedException"><typeparamref name="TService"/> is not an interface, or has members a service cannot have; the message lists each.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or longer than about 24.8 days (and not <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    public TService GetService<TService>(string? name = null, TimeSpan? timeout = null)
        where TService : class
    {
        if (timeout is { } given)
        {
            ValidateTimeout(given);
        }

        var contract = ServiceContract.For(typeof(TService));
        var proxy = System.Reflection.DispatchProxy.Create<TService, ServiceProxy>();
        ((ServiceProxy)(object)proxy).Initialize(this, contract, ServiceName<TService>(name), timeout ?? DefaultTimeout);
        return proxy;
    }

    internal async Task<T> CallTypedAsync<T>(string method, object?[] args, RpcArguments.ArgumentWriter[] writers, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await InvokeAsync(method, args, writers, timeout, cancellationToken).ConfigureAwait(false);
        return ReadResult<T>(method, result);
    }

    private static string ServiceName<TService>(string? name)
    {
        var serviceName = name ?? TypeNames.Of(typeof(TService));
        RpcNames.Validate(serviceName);
        return serviceName;
    }
}
