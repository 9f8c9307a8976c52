using System.Collections.Concurrent;
using Firn.Transport;

namespace Firn.Rpc;

/// <summary>
/// A child's RPC: its calls and registrations become frames to the main process, and the main process's
/// invocations, replies and stream items arrive as frames. Handlers never run on the read loop (see
/// <see cref="RpcDispatcher"/>), and replies only complete pending calls, so the read loop never blocks.
/// </summary>
internal sealed class RemoteRpcBackend : IRpcBackend, IRpcResponder
{
    private readonly IMainConnection _host;
    private readonly RpcDispatcher _dispatcher;
    private readonly PendingCalls _pending;
    private readonly TimeSpan _registrationTimeout;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource> _registrations = new();
    private uint _nextRegistration;
    private volatile bool _disconnected;

    /// <param name="host">The connection to the main process.</param>
    /// <param name="dispatcher">Runs this process's handlers.</param>
    /// <param name="pending">This process's calls awaiting replies.</param>
    /// <param name="registrationTimeout">How long a registration waits for the main process (<see cref="FirnAppOptions.CallTimeout"/>).</param>
    public RemoteRpcBackend(IMainConnection host, RpcDispatcher dispatcher, PendingCalls pending, TimeSpan registrationTimeout)
    {
        _host = host;
        _dispatcher = dispatcher;
        _pending = pending;
        _registrationTimeout = registrationTimeout;
        host.Register(FrameKind.RpcRegistered, OnRegistered);
        host.Register(FrameKind.RpcInvoke, OnInvoke);
        host.Register(FrameKind.RpcCancelInvocation, (_, body) => _dispatcher.Cancel(new BodyReader(body).ReadUInt32()));
        host.Register(FrameKind.RpcInvocationCredit, OnInvocationCredit);
        host.Register(FrameKind.RpcReply, OnReply);
        host.Register(FrameKind.RpcCallItem, OnCallItem);
    }

    public async Task RegisterAsync(string name, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextRegistration);
        var reply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _registrations[id] = reply;
        if (_disconnected || !_host.Send(FrameKind.RpcRegister, new BodyWriter().WriteUInt32(id).WriteString(name).Written))
        {
            _registrations.TryRemove(id, out _);
            throw Unavailable(name);
        }

        try
        {
            await reply.Task.WaitAsync(_registrationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!reply.Task.IsCompleted)
        {
            // As for a cancellation: the main process may still register the name, so give it back.
            _registrations.TryRemove(id, out _);
            Unregister(name);
            throw new TimeoutException(
                $"The main process did not answer the registration of RPC method '{name}' within {_registrationTimeout} (FirnAppOptions.CallTimeout); the name was given back.");
        }
        catch (OperationCanceledException)
        {
            // The main process may still register the name; give it back, so it is not held by nobody.
            _registrations.TryRemove(id, out _);
            Unregister(name);
            throw;
        }
    }

    public void Unregister(string name) => _host.Send(FrameKind.RpcUnregister, new BodyWriter().WriteString(name).Written);

    public ValueTask CallAsync(uint callId, RpcFlags flags, int credit, string method, ReadOnlySpan<byte> args, CancellationToken cancellationToken)
    {
        if (_disconnected)
        {
            throw Unavailable(method);
        }

        var sent = _host.SendWhenRoomAsync(FrameKind.RpcCall, RpcFrames.CallHeader(callId, flags, credit, method), args, cancellationToken);
        if (sent.IsCompletedSuccessfully)
        {
            return sent.Result ? ValueTask.CompletedTask : throw Unavailable(method);
        }

        return SentAsync(sent, method);
    }

    public void Cancel(uint callId)
    {
        Span<byte> body = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(body, callId);
        _host.Send(FrameKind.RpcCancel, body);
    }

    public void GrantCredit(uint callId, int count) => _host.AddCounter(FrameKind.RpcStreamCredit, callId, (uint)count);

    // An outcome that finds the connection closed has no one to go to: the main process has failed the call already.
    Task IRpcResponder.CompleteAsync(uint invocationId, RpcStatus status, ReadOnlySpan<byte> body) =>
        Settled(_host.SendWhenRoomAsync(FrameKind.RpcResult, RpcFrames.OutcomeHeader(invocationId, status), body, CancellationToken.None));

    Task IRpcResponder.StreamItemAsync(uint invocationId, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header, invocationId);
        return Settled(_host.SendWhenRoomAsync(FrameKind.RpcStreamItem, header, payload, CancellationToken.None));
    }

    /// <summary>The connection to the main process is gone: every call and registration in flight fails.</summary>
    public void OnDisconnected()
    {
        _disconnected = true;
        _pending.FailAll("the connection to the main process was lost");
        foreach (var id in _registrations.Keys)
        {
            if (_registrations.TryRemove(id, out var pending))
            {
                pending.TrySetException(Unavailable("a registration"));
            }
        }
    }

    private static Task Settled(ValueTask<bool> sent) => sent.IsCompletedSuccessfully ? Task.CompletedTask : sent.AsTask();

    private static async ValueTask SentAsync(ValueTask<bool> sent, string method)
    {
        if (!await sent.ConfigureAwait(false))
        {
            throw Unavailable(method);
        }
    }

    private static RpcException Unavailable(string what) =>
        new($"RPC is unavailable ({what}): the connection to the main process is closed.");

    private void OnRegistered(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var id = reader.ReadUInt32();
        var status = reader.ReadByte();
        var error = reader.ReadString();
        if (_registrations.TryRemove(id, out var pending))
        {
            if (status == 0)
            {
                pending.TrySetResult();
            }
            else
            {
                pending.TrySetException(new RpcException(error));
            }
        }
    }

    private void OnInvoke(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var (id, flags, credit, method, caller) = RpcFrames.ReadInvoke(ref reader);
        _dispatcher.Invoke(id, flags, credit, method, caller, reader.Remaining, this);
    }

    private void OnInvocationCredit(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var id = reader.ReadUInt32();
        _dispatcher.AddCredit(id, checked((int)reader.ReadUInt32()));
    }

    private void OnReply(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var (id, status) = RpcFrames.ReadOutcome(ref reader);
        _pending.Complete(id, status, reader.Remaining);
    }

    private void OnCallItem(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var id = reader.ReadUInt32();
        _pending.Item(id, reader.Remaining);
    }
}
