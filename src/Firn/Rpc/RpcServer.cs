using System.Collections.Concurrent;
using Firn.Transport;

namespace Firn.Rpc;

/// <summary>
/// The main process's end of the RPC protocol: children's registrations, calls and answers go to the
/// <see cref="RpcTable"/>, checked as if the child were hostile; invocations and replies go back as frames.
/// </summary>
internal sealed class RpcServer
{
    private readonly RpcTable _table;
    private readonly ConcurrentDictionary<IPeerSession, SessionRpcPeer> _peers = new();

    public RpcServer(RpcTable table, ISessionServices services)
    {
        _table = table;
        services.Register(FrameKind.RpcRegister, OnRegister);
        services.Register(FrameKind.RpcUnregister, (session, body) => _table.Unregister(Peer(session), new BodyReader(body).ReadString()));
        services.Register(FrameKind.RpcCall, OnCall);
        services.Register(FrameKind.RpcCancel, (session, body) => _table.Cancel(Peer(session), new BodyReader(body).ReadUInt32()));
        services.Register(FrameKind.RpcStreamCredit, OnStreamCredit);
        services.Register(FrameKind.RpcResult, OnResult);
        services.Register(FrameKind.RpcStreamItem, OnStreamItem);
        services.SessionEnded += session =>
        {
            if (_peers.TryRemove(session, out var peer))
            {
                Forget(peer);
            }
        };
    }

    /// <summary>
    /// The session's peer. A frame may still be in hand on the read loop when another thread closes the connection and
    /// the session ends: a peer made after that is forgotten at once, so nothing stays registered to a dead process.
    /// </summary>
    private SessionRpcPeer Peer(IPeerSession session)
    {
        var peer = _peers.GetOrAdd(session, static s => new SessionRpcPeer(s));
        if (session.Connection.IsClosing)
        {
            _peers.TryRemove(new KeyValuePair<IPeerSession, SessionRpcPeer>(session, peer));
            Forget(peer);
        }

        return peer;
    }

    /// <summary>Calls made and served by each connected child (for operators' totals; a restarted child starts from 0).</summary>
    public IEnumerable<RpcPeer> Peers => _peers.Values;

    private void Forget(RpcPeer peer)
    {
        _table.RemoveOwner(peer);
        _table.RemoveCaller(peer);
    }

    private void OnRegister(IPeerSession session, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var requestId = reader.ReadUInt32();
        var name = reader.ReadString();
        Task<string?> registering;
        try
        {
            RpcNames.Validate(name);
            registering = _table.RegisterAsync(Peer(session), name);
        }
        catch (ArgumentException ex)
        {
            registering = Task.FromResult<string?>(ex.Message);
        }

        if (registering.IsCompletedSuccessfully)
        {
            Registered(session, requestId, registering.Result);
            return;
        }

        // Across hosts the name is claimed on the engine first: the answer is sent when it is, off the read loop.
        _ = RegisteredAsync(session, requestId, registering);
    }

    private static async Task RegisteredAsync(IPeerSession session, uint requestId, Task<string?> registering)
    {
        string? error;
        try
        {
            error = await registering.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever the engine threw is the registration's refusal, sent to the child.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = ex.Message;
        }

        Registered(session, requestId, error);
    }

    private static void Registered(IPeerSession session, uint requestId, string? error)
    {
        var reply = new BodyWriter().WriteUInt32(requestId).WriteByte(error is null ? (byte)0 : (byte)1).WriteText(error ?? string.Empty);
        session.Connection.Send(FrameKind.RpcRegistered, reply.Written);
    }

    private void OnCall(IPeerSession session, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var (callId, flags, credit, method) = RpcFrames.ReadCall(ref reader);
        var args = reader.Remaining;

        // Checked here, so a malformed block closes the caller's connection and never reaches the handler's process.
        RpcArguments.Validate(args[RpcTracing.CheckIncoming(flags, args, session.Connection.Capabilities)..]);
        _table.Call(Peer(session), callId, flags, credit, method, args);
    }

    private void OnStreamCredit(IPeerSession session, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var callId = reader.ReadUInt32();
        var count = reader.ReadUInt32();
        _table.GrantCredit(Peer(session), callId, count <= int.MaxValue ? (int)count : -1);
    }

    private void OnResult(IPeerSession session, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var (id, status) = RpcFrames.ReadOutcome(ref reader);
        var outcome = reader.Remaining;
        if (status == RpcStatus.Ok)
        {
            _table.Complete(Peer(session), id, status, outcome);
            return;
        }

        if (status == RpcStatus.LimitExceeded)
        {
            throw new ProtocolViolationException($"a handler may not answer with status {status}");
        }

        // The caller decodes errors on its read loop: a malformed one stops here, at the process that sent it. And the
        // error names the process that answered as the main process knows it, whatever the handler wrote.
        var error = RpcError.Decode(outcome) with { ProcessName = session.ProcessName };
        _table.Complete(Peer(session), id, status, error.Encode());
    }

    private void OnStreamItem(IPeerSession session, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var id = reader.ReadUInt32();
        _table.StreamItem(Peer(session), id, reader.Remaining);
    }

    /// <summary>A child in the table: what the table hands it becomes frames on its connection.</summary>
    private sealed class SessionRpcPeer(IPeerSession session) : RpcPeer(session.ProcessName)
    {
        private OutboundBuffer Outbound => session.Connection.Outbound;

        public override bool IsCongested => session.IsCongested;

        // Never past the room for flow frames: a caller is refused instead (a closing connection counts as sent; its sweep fails the call).
        public override bool Invoke(uint invocationId, RpcFlags flags, int credit, string method, string caller, ReadOnlySpan<byte> args)
        {
            // A handler without "trace-context" gets the call without the caller's context.
            args = RpcTracing.StripFor(ref flags, args, session.Connection.Capabilities);
            var appended = Outbound.TryAppendWithinRoom(FrameKind.RpcInvoke, RpcFrames.InvokeHeader(invocationId, flags, credit, method, caller), args);
            return appended != false;
        }

        public override void CancelInvocation(uint invocationId) => Outbound.AppendChannelFrame(FrameKind.RpcCancelInvocation, invocationId, default);

        public override void GrantInvocationCredit(uint invocationId, int count) => Outbound.AddCounter(FrameKind.RpcInvocationCredit, invocationId, (uint)count);

        // Relayed from another child's read loop, which must not wait: held in the main process until there is room.
        public override void Reply(uint callId, RpcStatus status, ReadOnlySpan<byte> body) =>
            Outbound.AppendOrHold(FrameKind.RpcReply, RpcFrames.OutcomeHeader(callId, status), body);

        public override void ReplyItem(uint callId, ReadOnlySpan<byte> payload)
        {
            Span<byte> header = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header, callId);
            Outbound.AppendOrHold(FrameKind.RpcCallItem, header, payload);
        }

        public override Task ReplyWhenRoomAsync(uint callId, RpcStatus status, ReadOnlySpan<byte> body) =>
            Settled(Outbound.AppendWhenRoomAsync(FrameKind.RpcReply, RpcFrames.OutcomeHeader(callId, status), body, CancellationToken.None));

        public override Task ReplyItemWhenRoomAsync(uint callId, ReadOnlySpan<byte> payload)
        {
            Span<byte> header = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header, callId);
            return Settled(Outbound.AppendWhenRoomAsync(FrameKind.RpcCallItem, header, payload, CancellationToken.None));
        }

        public override void Violate(string reason) => session.Violate(reason);

        private static Task Settled(ValueTask<bool> queued) => queued.IsCompletedSuccessfully ? Task.CompletedTask : queued.AsTask();
    }
}
