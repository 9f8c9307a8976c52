using System.Collections.Concurrent;
using Firn.Failures;
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
    private readonly PendingRequests<PendingCall> _pending;
    private readonly TimeSpan _registrationTimeout;
    private readonly PendingRequests<PendingRegistration> _registrations = new(static r => FirnErrors.RegistrationTimedOut(r.Name, r.Timeout));

    /// <param name="host">The connection to the main process.</param>
    /// <param name="dispatcher">Runs this process's handlers.</param>
    /// <param name="pending">This process's calls awaiting replies.</param>
    /// <param name="registrationTimeout">How long a registration waits for the main process (<see cref="FirnAppOptions.CallTimeout"/>).</param>
    public RemoteRpcBackend(IMainConnection host, RpcDispatcher dispatcher, PendingRequests<PendingCall> pending, TimeSpan registrationTimeout)
    {
        _host = host;
        _dispatcher = dispatcher;
        _pending = pending;
        _registrationTimeout = registrationTimeout;

        // A registration given up (timed out or cancelled) may still be made by the main process: give the name back, so
        // it is not held by nobody.
        _registrations.Abandoned = (_, registration) => Unregister(registration.Name);
        host.Register(FrameKind.RpcRegistered, OnRegistered);
        host.Register(FrameKind.RpcInvoke, OnInvoke);
        host.Register(FrameKind.RpcCancelInvocation, (_, body) => _dispatcher.Cancel(new BodyReader(body).ReadUInt32()));
        host.Register(FrameKind.RpcInvocationCredit, OnInvocationCredit);
        host.Register(FrameKind.RpcReply, OnReply);
        host.Register(FrameKind.RpcCallItem, OnCallItem);
    }

    public Task RegisterAsync(string name, CancellationToken cancellationToken)
    {
        var registration = new PendingRegistration(name);
        var id = _registrations.Add(registration, _registrationTimeout);
        if (!_host.Send(FrameKind.RpcRegister, new BodyWriter().WriteUInt32(id).WriteString(name).Written))
        {
            _registrations.Remove(id);
            throw _host.DisconnectedError($"RPC method '{name}' cannot be registered");
        }

        return _registrations.WaitAsync(id, registration, registration.Task, cancellationToken);
    }

    public bool CarriesTraceContext => (_host.Connection?.Capabilities & Capabilities.TraceContext) != 0;

    public void Unregister(string name) => _host.Send(FrameKind.RpcUnregister, new BodyWriter().WriteString(name).Written);

    public ValueTask CallAsync(uint callId, RpcFlags flags, int credit, string method, ReadOnlySpan<byte> args, CancellationToken cancellationToken)
    {
        var sent = _host.SendWhenRoomAsync(FrameKind.RpcCall, RpcFrames.CallHeader(callId, flags, credit, method), args, cancellationToken);
        if (sent.IsCompletedSuccessfully)
        {
            return sent.Result ? ValueTask.CompletedTask : throw CannotCall(method);
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

    /// <summary>The connection to the main process is gone: every call and registration in flight fails, and so does every later one.</summary>
    public void OnDisconnected(DisconnectReason reason)
    {
        _pending.FailAll(call => FirnErrors.Disconnected(reason, $"The call to '{call.Method}' failed"));
        _registrations.FailAll(registration => FirnErrors.Disconnected(reason, $"RPC method '{registration.Name}' cannot be registered"));
    }

    private static Task Settled(ValueTask<bool> sent) => sent.IsCompletedSuccessfully ? Task.CompletedTask : sent.AsTask();

    private async ValueTask SentAsync(ValueTask<bool> sent, string method)
    {
        if (!await sent.ConfigureAwait(false))
        {
            throw CannotCall(method);
        }
    }

    private FirnDisconnectedException CannotCall(string method) => _host.DisconnectedError($"The call to '{method}' failed");

    private void OnRegistered(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var id = reader.ReadUInt32();
        var status = reader.ReadByte();
        var error = reader.ReadString();
        if (_registrations.TryTake(id, out var registration))
        {
            if (status == 0)
            {
                registration.TrySetResult(true);
            }
            else
            {
                registration.TrySetException(FirnErrors.RegistrationRefused(registration.Name, error));
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
        _dispatcher.AddCredit(id, reader.ReadCount());
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

/// <summary>A registration waiting for the main process to confirm it.</summary>
internal sealed class PendingRegistration(string name) : PendingReply<bool>
{
    public string Name { get; } = name;
}
