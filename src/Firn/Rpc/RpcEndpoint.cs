using System.Diagnostics;
using Firn.Channels;
using Firn.Failures;
using Firn.Meters;
using Firn.Rpc;
using Firn.Serialization;
using Firn.Tracing;
using Firn.Transport;

namespace Firn;

/// <summary>
/// This process's remote procedure calls (<c>app.Rpc</c>): register handlers by name in any process, and call
/// any process's handlers from any process. Calls are pipelined: any number may be in flight at once, from any
/// thread, each matched to its reply by id.
/// </summary>
/// <remarks>
/// A method name belongs to one process at a time. A handler's exception comes back as <see cref="RpcRemoteException"/>;
/// a call to a process that exits or restarts before answering fails at once with <see cref="RpcProcessExitedException"/>;
/// an unknown name fails with <see cref="RpcMethodNotFoundException"/>. Cancelling or timing out a call cancels the
/// handler's token in the other process.
/// </remarks>
public sealed partial class RpcEndpoint
{
    /// <summary>Items a stream call lets its handler send ahead of consumption; credit is returned in halves.</summary>
    internal const int StreamWindow = 64;

    private readonly RpcDispatcher _dispatcher;
    private readonly PendingRequests<PendingCall> _pending;
    private readonly IFirnSerializer _serializer;
    private readonly MessageSizeLimit _maxMessageSize;
    private readonly FirnMetrics _metrics;
    private IRpcBackend? _backend;

    internal RpcEndpoint(RpcDispatcher dispatcher, PendingRequests<PendingCall> pending, IFirnSerializer serializer, MessageSizeLimit maxMessageSize, TimeSpan defaultTimeout, FirnMetrics? metrics = null)
    {
        _metrics = metrics ?? FirnMetrics.Disabled;
        _dispatcher = dispatcher;
        _pending = pending;

        // A call given up here (timed out, cancelled, a stream left early) is cancelled in the handling process too.
        _pending.Abandoned = (id, _) => _backend?.Cancel(id);
        _serializer = serializer;
        _maxMessageSize = maxMessageSize;
        DefaultTimeout = defaultTimeout;
    }

    /// <summary>How long a call waits for its reply when no timeout is given (<see cref="FirnAppOptions.CallTimeout"/>).</summary>
    public TimeSpan DefaultTimeout { get; }

    /// <summary>The name of this process.</summary>
    public string ProcessName => _dispatcher.ProcessName;

    /// <summary>Connects the endpoint to the main process's table (directly, or over the child's connection).</summary>
    internal void Bind(IRpcBackend backend) => _backend = backend;

    private IRpcBackend Backend => _backend ?? throw new InvalidOperationException(
        "RPC is not available yet: in a child, use it from its entry on (once it has connected to the main process).");

    /// <summary>
    /// Registers <paramref name="handler"/> as method <paramref name="name"/> for every process to call. Its parameters
    /// are read from the call's arguments in order, each as its declared type; a <see cref="CancellationToken"/> or
    /// <see cref="RpcCallContext"/> parameter is filled in instead. It may return nothing, a value, <see cref="Task"/>,
    /// <see cref="Task{TResult}"/>, <see cref="ValueTask"/>, <see cref="ValueTask{TResult}"/>, or
    /// <see cref="IAsyncEnumerable{T}"/> (a stream, called with <see cref="StreamAsync{T}(string, object?[])"/>).
    /// </summary>
    /// <param name="name">A method name, unique across the app.</param>
    /// <param name="handler">The handler, for example <c>(int a, int b) =&gt; a + b</c>.</param>
    /// <returns>The registration; dispose it to unregister.</returns>
    /// <exception cref="RpcException">Another process has registered <paramref name="name"/>.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process is closed.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid method name, or this process has registered it already.</exception>
    /// <exception cref="NotSupportedException">The handler's signature is not supported (by-reference parameters, generic methods).</exception>
    /// <exception cref="TimeoutException">In a child: the main process did not answer within <see cref="FirnAppOptions.CallTimeout"/>; the name was given back.</exception>
    public RpcRegistration Register(string name, Delegate handler) => RegisterAsync(name, handler).GetAwaiter().GetResult();

    /// <summary>Async form of <see cref="Register"/>: completes once the main process has the registration.</summary>
    /// <param name="name">A method name, unique across the app.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="cancellationToken">Abandons the wait for the main process (the name is given back).</param>
    /// <returns>The registration; dispose it to unregister.</returns>
    /// <exception cref="RpcException">Another process has registered <paramref name="name"/>.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process is closed.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid method name, or this process has registered it already.</exception>
    /// <exception cref="NotSupportedException">The handler's signature is not supported (by-reference parameters, generic methods).</exception>
    /// <exception cref="TimeoutException">In a child: the main process did not answer within <see cref="FirnAppOptions.CallTimeout"/>; the name was given back.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    public Task<RpcRegistration> RegisterAsync(string name, Delegate handler, CancellationToken cancellationToken = default)
    {
        RpcNames.Validate(name);
        return RegisterAsync([RpcMethod.FromDelegate(name, handler)], nameof(name), cancellationToken);
    }

    /// <summary>Calls <paramref name="method"/> with <paramref name="args"/> and returns its result, waiting at most <see cref="DefaultTimeout"/>.</summary>
    /// <typeparam name="TResult">The result type (read from the handler's serialized result).</typeparam>
    /// <param name="method">The method name.</param>
    /// <param name="args">The arguments, in the handler's parameter order.</param>
    /// <returns>The handler's result.</returns>
    /// <exception cref="RpcRemoteException">The handler threw.</exception>
    /// <exception cref="RpcMethodNotFoundException">No process has registered <paramref name="method"/>.</exception>
    /// <exception cref="RpcProcessExitedException">The handling process exited or restarted before it answered.</exception>
    /// <exception cref="RpcException">A limit refused the call (calls in flight, a congested handler), the result was over the handling process's <see cref="FirnAppOptions.MaxMessageSize"/>, or it could not be read as the result type.</exception>
    /// <exception cref="MessageTooLargeException">The arguments serialized to more than <see cref="FirnAppOptions.MaxMessageSize"/>; nothing was sent.</exception>
    /// <exception cref="TimeoutException">No answer within the timeout; the call was cancelled.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process is closed, or closed before the answer came.</exception>
    public Task<TResult> CallAsync<TResult>(string method, params object?[]? args) => CallAsync<TResult>(method, args, DefaultTimeout, CancellationToken.None);

    /// <summary>Calls <paramref name="method"/>, waiting at most <see cref="DefaultTimeout"/> or until <paramref name="cancellationToken"/> fires.</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="method">The method name.</param>
    /// <param name="args">The arguments.</param>
    /// <param name="cancellationToken">Cancels the call, here and in the handler.</param>
    /// <returns>The handler's result.</returns>
    /// <exception cref="RpcRemoteException">The handler threw.</exception>
    /// <exception cref="RpcMethodNotFoundException">No process has registered <paramref name="method"/>.</exception>
    /// <exception cref="RpcProcessExitedException">The handling process exited or restarted before it answered.</exception>
    /// <exception cref="RpcException">A limit refused the call (calls in flight, a congested handler), the result was over the handling process's <see cref="FirnAppOptions.MaxMessageSize"/>, or it could not be read as the result type.</exception>
    /// <exception cref="MessageTooLargeException">The arguments serialized to more than <see cref="FirnAppOptions.MaxMessageSize"/>; nothing was sent.</exception>
    /// <exception cref="TimeoutException">No answer within the timeout; the call was cancelled.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process is closed, or closed before the answer came.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first; the call was cancelled.</exception>
    public Task<TResult> CallAsync<TResult>(string method, object?[]? args, CancellationToken cancellationToken) =>
        CallAsync<TResult>(method, args, DefaultTimeout, cancellationToken);

    /// <summary>Calls <paramref name="method"/>, waiting at most <paramref name="timeout"/> or until <paramref name="cancellationToken"/> fires.</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="method">The method name.</param>
    /// <param name="args">The arguments.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits for ever.</param>
    /// <param name="cancellationToken">Cancels the call, here and in the handler.</param>
    /// <returns>The handler's result.</returns>
    /// <exception cref="RpcRemoteException">The handler threw.</exception>
    /// <exception cref="RpcMethodNotFoundException">No process has registered <paramref name="method"/>.</exception>
    /// <exception cref="RpcProcessExitedException">The handling process exited or restarted before it answered.</exception>
    /// <exception cref="RpcException">A limit refused the call (calls in flight, a congested handler), the result was over the handling process's <see cref="FirnAppOptions.MaxMessageSize"/>, or it could not be read as the result type.</exception>
    /// <exception cref="MessageTooLargeException">The arguments serialized to more than <see cref="FirnAppOptions.MaxMessageSize"/>; nothing was sent.</exception>
    /// <exception cref="TimeoutException">No answer within the timeout; the call was cancelled.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process is closed, or closed before the answer came.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first; the call was cancelled.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than <see cref="Timeout.InfiniteTimeSpan"/>) or too long.</exception>
    public async Task<TResult> CallAsync<TResult>(string method, object?[]? args, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var result = await InvokeAsync(method, args, null, timeout, cancellationToken).ConfigureAwait(false);
        return ReadResult<TResult>(method, result);
    }

    /// <summary>Calls <paramref name="method"/> and waits for it to finish (any result is ignored).</summary>
    /// <param name="method">The method name.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>Completes when the handler has returned.</returns>
    /// <exception cref="RpcRemoteException">The handler threw.</exception>
    /// <exception cref="RpcMethodNotFoundException">No process has registered <paramref name="method"/>.</exception>
    /// <exception cref="RpcProcessExitedException">The handling process exited or restarted before it answered.</exception>
    /// <exception cref="RpcException">A limit refused the call (calls in flight, a congested handler), the result was over the handling process's <see cref="FirnAppOptions.MaxMessageSize"/>.</exception>
    /// <exception cref="MessageTooLargeException">The arguments serialized to more than <see cref="FirnAppOptions.MaxMessageSize"/>; nothing was sent.</exception>
    /// <exception cref="TimeoutException">No answer within the timeout; the call was cancelled.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process is closed, or closed before the answer came.</exception>
    public Task CallAsync(string method, params object?[]? args) => CallAsync(method, args, DefaultTimeout, CancellationToken.None);

    /// <summary>Calls <paramref name="method"/> and waits for it to finish, at most <see cref="DefaultTimeout"/> or until <paramref name="cancellationToken"/> fires.</summary>
    /// <param name="method">The method name.</param>
    /// <param name="args">The arguments.</param>
    /// <param name="cancellationToken">Cancels the call, here and in the handler.</param>
    /// <returns>Completes when the handler has returned.</returns>
    /// <exception cref="RpcRemoteException">The handler threw.</exception>
    /// <exception cref="RpcMethodNotFoundException">No process has registered <paramref name="method"/>.</exception>
    /// <exception cref="RpcProcessExitedException">The handling process exited or restarted before it answered.</exception>
    /// <exception cref="RpcException">A limit refused the call (calls in flight, a congested handler), the result was over the handling process's <see cref="FirnAppOptions.MaxMessageSize"/>.</exception>
    /// <exception cref="MessageTooLargeException">The arguments serialized to more than <see cref="FirnAppOptions.MaxMessageSize"/>; nothing was sent.</exception>
    /// <exception cref="TimeoutException">No answer within the timeout; the call was cancelled.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process is closed, or closed before the answer came.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first; the call was cancelled.</exception>
    public Task CallAsync(string method, object?[]? args, CancellationToken cancellationToken) =>
        CallAsync(method, args, DefaultTimeout, cancellationToken);

    /// <summary>Calls <paramref name="method"/> and waits for it to finish, at most <paramref name="timeout"/>.</summary>
    /// <param name="method">The method name.</param>
    /// <param name="args">The arguments.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the call, here and in the handler.</param>
    /// <returns>Completes when the handler has returned.</returns>
    /// <exception cref="RpcRemoteException">The handler threw.</exception>
    /// <exception cref="RpcMethodNotFoundException">No process has registered <paramref name="method"/>.</exception>
    /// <exception cref="RpcProcessExitedException">The handling process exited or restarted before it answered.</exception>
    /// <exception cref="RpcException">A limit refused the call (calls in flight, a congested handler), the result was over the handling process's <see cref="FirnAppOptions.MaxMessageSize"/>.</exception>
    /// <exception cref="MessageTooLargeException">The arguments serialized to more than <see cref="FirnAppOptions.MaxMessageSize"/>; nothing was sent.</exception>
    /// <exception cref="TimeoutException">No answer within the timeout; the call was cancelled.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process is closed, or closed before the answer came.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first; the call was cancelled.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than <see cref="Timeout.InfiniteTimeSpan"/>) or too long.</exception>
    public Task CallAsync(string method, object?[]? args, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        InvokeAsync(method, args, null, timeout, cancellationToken);

    /// <summary>Calls a stream method (one whose handler returns <see cref="IAsyncEnumerable{T}"/>) and yields its items as they come.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="method">The method name.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The items; stop enumerating (or cancel) to cancel the handler.</returns>
    /// <exception cref="RpcRemoteException">While enumerating: the handler threw (after the items it produced).</exception>
    /// <exception cref="RpcMethodNotFoundException">While enumerating: no process has registered <paramref name="method"/>.</exception>
    /// <exception cref="RpcProcessExitedException">While enumerating: the handling process exited or restarted before the stream ended.</exception>
    /// <exception cref="FirnDisconnectedException">While enumerating, in a child: the connection to the main process closed before the stream ended.</exception>
    /// <exception cref="RpcException">While enumerating: <paramref name="method"/> is not a stream, a limit refused the call, an item was over the handling process's <see cref="FirnAppOptions.MaxMessageSize"/>, or an item could not be read as <typeparamref name="T"/>.</exception>
    /// <exception cref="MessageTooLargeException">While enumerating: the arguments serialized to more than <see cref="FirnAppOptions.MaxMessageSize"/>; nothing was sent.</exception>
    public IAsyncEnumerable<T> StreamAsync<T>(string method, params object?[]? args) => StreamAsync<T>(method, args, CancellationToken.None);

    /// <summary>Calls a stream method; <paramref name="cancellationToken"/> cancels it, here and in the handler.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="method">The method name.</param>
    /// <param name="args">The arguments.</param>
    /// <param name="cancellationToken">Cancels the stream.</param>
    /// <returns>The items, in the order the handler produced them.</returns>
    /// <exception cref="RpcRemoteException">While enumerating: the handler threw (after the items it produced).</exception>
    /// <exception cref="RpcMethodNotFoundException">While enumerating: no process has registered <paramref name="method"/>.</exception>
    /// <exception cref="RpcProcessExitedException">While enumerating: the handling process exited or restarted before the stream ended.</exception>
    /// <exception cref="FirnDisconnectedException">While enumerating, in a child: the connection to the main process closed before the stream ended.</exception>
    /// <exception cref="RpcException">While enumerating: <paramref name="method"/> is not a stream, a limit refused the call, an item was over the handling process's <see cref="FirnAppOptions.MaxMessageSize"/>, or an item could not be read as <typeparamref name="T"/>.</exception>
    /// <exception cref="MessageTooLargeException">While enumerating: the arguments serialized to more than <see cref="FirnAppOptions.MaxMessageSize"/>; nothing was sent.</exception>
    /// <exception cref="OperationCanceledException">While enumerating: <paramref name="cancellationToken"/> fired; the handler was cancelled.</exception>
    public IAsyncEnumerable<T> StreamAsync<T>(string method, object?[]? args, CancellationToken cancellationToken) =>
        ReadStreamAsync<T>(method, args, null, cancellationToken);

    /// <summary>Registers <paramref name="methods"/> together; <paramref name="nameParameter"/> is the caller's parameter that named them, for errors.</summary>
    internal async Task<RpcRegistration> RegisterAsync(RpcMethod[] methods, string nameParameter, CancellationToken cancellationToken)
    {
        var backend = Backend;
        var added = new List<RpcMethod>();
        try
        {
            foreach (var method in methods)
            {
                if (!_dispatcher.TryAdd(method))
                {
                    throw new ArgumentException($"Method '{method.Name}' is already registered in process '{ProcessName}'.", nameParameter);
                }

                added.Add(method);
                await backend.RegisterAsync(method.Name, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            Unregister(added);
            throw;
        }

        return new RpcRegistration(this, methods);
    }

    internal void Unregister(IEnumerable<RpcMethod> methods)
    {
        foreach (var method in methods)
        {
            _backend?.Unregister(method.Name);
            _dispatcher.Remove(method);
        }
    }

    /// <summary>Makes a call and returns the result's bytes.</summary>
    internal async Task<ReadOnlyMemory<byte>> InvokeAsync(string method, object?[]? args, RpcArguments.ArgumentWriter[]? writers, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ValidateTimeout(timeout);
        cancellationToken.ThrowIfCancellationRequested();
        var start = _metrics.StartClientCall();
        var call = new UnaryCall(method);
        using var span = RpcSpans.StartClient(method);
        try
        {
            var id = Start(call, RpcFlags.None, 0, timeout, args, writers, span, cancellationToken, out var sent);
            await SentAsync(id, sent).ConfigureAwait(false);

            // A timeout of a second or more is the pending calls' sweep's to enforce: then this costs nothing more than the call.
            var result = await _pending.WaitAsync(id, call, call.Result, cancellationToken).ConfigureAwait(false);
            _metrics.Called(start, method, errorType: null);
            return result;
        }
        catch (Exception ex) when (_metrics.CallFailed(start, method, ex) | RpcSpans.Fail(span, ex))
        {
            // Never reached: the filters record the failure and let the exception pass (both run: '|', not '||').
            throw;
        }
    }

    internal async IAsyncEnumerable<T> ReadStreamAsync<T>(string method, object?[]? args, RpcArguments.ArgumentWriter[]? writers, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var call = new StreamCall(method);
        using var span = RpcSpans.StartClient(method);
        var id = Start(call, RpcFlags.Stream, StreamWindow, Timeout.InfiniteTimeSpan, args, writers, span, cancellationToken, out var sent);
        await SentAsync(id, sent).ConfigureAwait(false);
        var finished = false;
        var consumed = 0;
        try
        {
            while (await call.Items.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (call.Items.TryRead(out var item))
                {
                    yield return ReadResult<T>(method, item);
                    if (++consumed == StreamWindow / 2)
                    {
                        Backend.GrantCredit(id, consumed);
                        consumed = 0;
                    }
                }
            }

            finished = true;
        }
        finally
        {
            if (!finished)
            {
                _pending.Abandon(id);
            }
        }
    }

    /// <summary>A timeout a call can wait: zero up to <see cref="TimeoutRange.Max"/>, or <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    internal static void ValidateTimeout(TimeSpan timeout) => TimeoutRange.ValidateWait(timeout, "A call's timeout");

    /// <summary>
    /// Starts a call: <paramref name="sent"/> completes once it is queued (a child may wait for room in its own buffer).
    /// </summary>
    private uint Start(PendingCall call, RpcFlags flags, int credit, TimeSpan timeout, object?[]? args, RpcArguments.ArgumentWriter[]? writers, Activity? span, CancellationToken cancellationToken, out ValueTask sent)
    {
        RpcNames.Validate(call.Method);

        // CallAsync(name, null) means one null argument, as it reads; a typed array (string[]) reached params as the
        // whole argument list, which is almost never what was meant.
        args ??= [null];
        if (args.GetType() != typeof(object[]))
        {
            throw new ArgumentException(
                $"An array of {TypeNames.Of(args.GetType().GetElementType()!)} was passed as the argument list of '{call.Method}'. To pass it as one argument, write CallAsync(method, [array]); to pass its elements as arguments, copy them into an object?[].",
                nameof(args));
        }

        var backend = Backend;
        var buffer = SerializationBuffer.Rent();
        if (RpcSpans.Carry(span, buffer, backend.CarriesTraceContext))
        {
            flags |= RpcFlags.TraceContext;
        }

        var envelope = buffer.WrittenCount;
        RpcArguments.Write(buffer, _serializer, args, writers);
        if (buffer.WrittenCount - envelope > _maxMessageSize.Bytes)
        {
            throw FirnErrors.MessageTooLarge(buffer.WrittenCount - envelope, _maxMessageSize.Bytes, $"The arguments of a call to '{call.Method}'", "Nothing was sent.");
        }

        var id = _pending.Add(call, timeout);
        try
        {
            sent = backend.CallAsync(id, flags, credit, call.Method, buffer.WrittenSpan, cancellationToken);
        }
        catch
        {
            _pending.Remove(id);
            throw;
        }

        return id;
    }

    /// <summary>Waits until a call is queued; if it cannot be, it is no longer pending.</summary>
    private async ValueTask SentAsync(uint id, ValueTask sent)
    {
        if (sent.IsCompletedSuccessfully)
        {
            return;
        }

        try
        {
            await sent.ConfigureAwait(false);
        }
        catch
        {
            _pending.Remove(id);
            throw;
        }
    }

    private T ReadResult<T>(string method, ReadOnlyMemory<byte> bytes)
    {
        // A result read by a serializer that may refer to its bytes is never let go.
        var reusable = ICopiesOnRead.Promises(_serializer);
        try
        {
            return _serializer.Deserialize<T>(bytes);
        }
#pragma warning disable CA1031 // Any failure to read the result is reported with the method and type.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            throw FirnErrors.ResultUnreadable(method, bytes.Length, TypeNames.Of(typeof(T)), ex);
        }
        finally
        {
            if (reusable)
            {
                ReceivedBody.Release(bytes);
            }
        }
    }
}

/// <summary>Methods registered together (one handler, or a service's methods); dispose it to unregister them.</summary>
public sealed class RpcRegistration : IDisposable
{
    private readonly RpcEndpoint _endpoint;
    private readonly RpcMethod[] _methods;
    private int _disposed;

    internal RpcRegistration(RpcEndpoint endpoint, RpcMethod[] methods)
    {
        _endpoint = endpoint;
        _methods = methods;
    }

    /// <summary>The method names registered.</summary>
    public IReadOnlyList<string> Methods => [.. _methods.Select(m => m.Name)];

    /// <summary>Unregisters the methods: new calls fail as unknown; calls already running finish.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _endpoint.Unregister(_methods);
        }
    }
}
