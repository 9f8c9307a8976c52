using System.Collections.Concurrent;

namespace Firn.Rpc;

/// <summary>
/// The main process's switchboard for calls: which process owns each method name, and every call in flight
/// from its caller to the owner and back. A call gets an invocation id of the table's own, so processes never
/// see each other's ids; the caller is known by its connection, and only the owner of an invocation may answer it.
/// </summary>
/// <remarks>
/// No lock is held across any send: peers only enqueue frames. A peer that disconnects is marked gone (a full fence)
/// before the table sweeps its entries; every path that adds an entry re-checks the mark after adding (behind a full
/// fence too), so an entry added concurrently with the sweep is seen by one side or the other and never left behind.
/// </remarks>
internal sealed class RpcTable
{
    /// <summary>The most methods one process may register.</summary>
    public const int MaxMethodsPerProcess = 10_000;

    private readonly ConcurrentDictionary<string, RpcPeer> _owners = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<uint, RoutedCall> _calls = new();
    private readonly ConcurrentDictionary<(RpcPeer Caller, uint CallId), uint> _byCaller = new();
    private readonly string _mainProcessName;

    // With an engine, registrations and unregistrations change the table and reach the engine under this lock, so the
    // engine sees claims and releases in the order of the table's changes (never a release overtaking a later claim).
    private readonly object _claims = new();
    private IRpcEngine? _engine;
    private uint _nextInvocationId;

    public RpcTable(string mainProcessName, int maxCallsInFlight, long maxArgumentBytesInFlight)
    {
        _mainProcessName = mainProcessName;
        MaxCallsInFlight = maxCallsInFlight;
        MaxArgumentBytesInFlight = maxArgumentBytesInFlight;
    }

    /// <summary>The most calls one process may have in flight.</summary>
    public int MaxCallsInFlight { get; }

    /// <summary>The most bytes of arguments one process's calls in flight may hold (the main process keeps them until the handler has them).</summary>
    public long MaxArgumentBytesInFlight { get; }

    /// <summary>Calls in flight across the app, for diagnostics and tests.</summary>
    public int Count => _calls.Count;

    /// <summary>Names and owners of every registered method, for diagnostics.</summary>
    public IReadOnlyDictionary<string, string> Methods => _owners.ToDictionary(p => p.Key, p => p.Value.ProcessName, StringComparer.Ordinal);

    /// <summary>Connects the table to other hosts: calls to methods no local process has go to <paramref name="engine"/>. Call once, before any call.</summary>
    public void UseEngine(IRpcEngine engine)
    {
        _engine = engine;
        engine.Attach(this);
    }

    /// <summary>
    /// Makes <paramref name="owner"/> the handler of <paramref name="name"/>, across hosts with an engine; completes with
    /// an error message if it cannot be. Without an engine it completes at once (see <see cref="Register"/>).
    /// </summary>
    public Task<string?> RegisterAsync(RpcPeer owner, string name)
    {
        if (_engine is not { } engine)
        {
            return Task.FromResult(Register(owner, name));
        }

        Task<string?> claim;
        lock (_claims)
        {
            if (Register(owner, name) is { } error)
            {
                return Task.FromResult<string?>(error);
            }

            claim = engine.ClaimAsync(name);
        }

        return ClaimedAsync(owner, name, claim);
    }

    private async Task<string?> ClaimedAsync(RpcPeer owner, string name, Task<string?> claim)
    {
        var error = await claim.ConfigureAwait(false);
        if (error is not null)
        {
            // Another host has it (or the engine cannot be reached): the local registration is undone, with nothing to
            // give back to the engine.
            lock (_claims)
            {
                if (_owners.TryRemove(new KeyValuePair<string, RpcPeer>(name, owner)))
                {
                    owner.RemoveMethod();
                }
            }
        }

        return error;
    }

    /// <summary>
    /// Makes <paramref name="owner"/> the handler of <paramref name="name"/> in this main process only; returns an error
    /// message if it cannot be. With an engine, use <see cref="RegisterAsync"/>, which also claims the name across hosts.
    /// </summary>
    public string? Register(RpcPeer owner, string name)
    {
        if (!owner.TryAddMethod(MaxMethodsPerProcess))
        {
            return $"Process '{owner.ProcessName}' has registered {MaxMethodsPerProcess} methods, the limit per process.";
        }

        if (!_owners.TryAdd(name, owner))
        {
            owner.RemoveMethod();
            var holder = _owners.TryGetValue(name, out var existing) ? existing.ProcessName : "another process";
            return $"Method '{name}' is already registered by process '{holder}'; a method name belongs to one process at a time.";
        }

        Interlocked.MemoryBarrier();
        if (owner.IsGone)
        {
            Unregister(owner, name);
            return $"Process '{owner.ProcessName}' is disconnected.";
        }

        return null;
    }

    public void Unregister(RpcPeer owner, string name)
    {
        if (_engine is not { } engine)
        {
            if (_owners.TryRemove(new KeyValuePair<string, RpcPeer>(name, owner)))
            {
                owner.RemoveMethod();
            }

            return;
        }

        lock (_claims)
        {
            if (_owners.TryRemove(new KeyValuePair<string, RpcPeer>(name, owner)))
            {
                owner.RemoveMethod();
                engine.Release(name);
            }
        }
    }

    public void Call(RpcPeer caller, uint callId, RpcFlags flags, int credit, string method, ReadOnlySpan<byte> args)
    {
        if (!_owners.TryGetValue(method, out var owner))
        {
            // Not a local method: another host's, if there are other hosts (a call from another host is not sent on again).
            if (_engine is null || caller.IsOtherHost)
            {
                Fail(caller, callId, RpcStatus.MethodNotFound, $"No process has registered method '{method}'.");
                return;
            }

            owner = _engine.OtherHosts;
        }

        if (owner.IsCongested)
        {
            Fail(caller, callId, RpcStatus.LimitExceeded, NotReading(owner, method), owner.ProcessName);
            return;
        }

        if (!caller.TryBeginCall(args.Length, MaxCallsInFlight, MaxArgumentBytesInFlight))
        {
            Fail(caller, callId, RpcStatus.LimitExceeded,
                $"Process '{caller.ProcessName}' has {caller.CallsInFlight} calls with {caller.ArgumentBytesInFlight} bytes of arguments in flight; the limits are {MaxCallsInFlight} calls (FirnAppOptions.MaxCallsInFlight) and {MaxArgumentBytesInFlight} bytes (FirnAppOptions.ConnectionBufferLimit). Call '{method}' was not made; await some calls before making more.");
            return;
        }

        if (_byCaller.ContainsKey((caller, callId)))
        {
            caller.EndCall(args.Length);
            caller.Violate($"it reused call id {callId} while that call was in flight");
            return;
        }

        var call = new RoutedCall(caller, callId, owner, method, (flags & RpcFlags.Stream) != 0, credit, args.Length);
        var id = Add(call);
        _byCaller[(caller, callId)] = id;

        // The owner or the caller may have gone while this call was being added; then the sweep may have missed it.
        Interlocked.MemoryBarrier();
        if (owner.IsGone || caller.IsGone)
        {
            if (TryTake(id, out _))
            {
                Fail(caller, callId, RpcStatus.ProcessExited, Exited(owner, method), owner.ProcessName);
            }

            return;
        }

        if (!owner.Invoke(id, flags, credit, method, caller.ProcessName, args))
        {
            // Its buffer has no room for these arguments (others were queued since the check above): as congested.
            if (TryTake(id, out _))
            {
                Fail(caller, callId, RpcStatus.LimitExceeded, NotReading(owner, method), owner.ProcessName);
            }

            return;
        }

        owner.CountServed();

        // The caller may have gone between the check and the invoke: its sweep sent a cancellation the owner could not
        // match yet. Send it again now that the owner knows the invocation (a second cancellation is harmless).
        Interlocked.MemoryBarrier();
        if (caller.IsGone && !_calls.ContainsKey(id))
        {
            owner.CancelInvocation(id);
        }
    }

    public void Cancel(RpcPeer caller, uint callId)
    {
        if (_byCaller.TryGetValue((caller, callId), out var id) && TryTake(id, out var call))
        {
            call.Owner.CancelInvocation(id);
        }
    }

    public void GrantCredit(RpcPeer caller, uint callId, int count)
    {
        if (!_byCaller.TryGetValue((caller, callId), out var id) || !_calls.TryGetValue(id, out var call))
        {
            return;
        }

        if (!call.IsStream || count < 1 || !call.AddCredit(count))
        {
            caller.Violate($"it granted {count} items of credit to call {callId}, which is not a stream or would exceed the window of {RpcEndpoint.StreamWindow}");
            return;
        }

        call.Owner.GrantInvocationCredit(id, count);
    }

    /// <summary>A child's answer, relayed from its read loop: a caller with no room now gets it once it has (see <see cref="RpcPeer.Reply"/>).</summary>
    public void Complete(RpcPeer owner, uint id, RpcStatus status, ReadOnlySpan<byte> body)
    {
        if (TryTakeAnswer(owner, id, out var call))
        {
            call.Caller.Reply(call.CallId, status, body);
        }
    }

    /// <summary>An answer of the main process's own handler, which waits for room in the caller's buffer.</summary>
    public Task CompleteWhenRoomAsync(RpcPeer owner, uint id, RpcStatus status, ReadOnlySpan<byte> body) =>
        TryTakeAnswer(owner, id, out var call) ? call.Caller.ReplyWhenRoomAsync(call.CallId, status, body) : Task.CompletedTask;

    /// <summary>A child's stream item, relayed from its read loop (see <see cref="Complete"/>).</summary>
    public void StreamItem(RpcPeer owner, uint id, ReadOnlySpan<byte> payload)
    {
        if (TryTakeItem(owner, id, out var call))
        {
            call.Caller.ReplyItem(call.CallId, payload);
        }
    }

    /// <summary>A stream item of the main process's own handler, which waits for room in the caller's buffer.</summary>
    public Task StreamItemWhenRoomAsync(RpcPeer owner, uint id, ReadOnlySpan<byte> payload) =>
        TryTakeItem(owner, id, out var call) ? call.Caller.ReplyItemWhenRoomAsync(call.CallId, payload) : Task.CompletedTask;

    private bool TryTakeAnswer(RpcPeer owner, uint id, out RoutedCall call)
    {
        if (!_calls.TryGetValue(id, out call!))
        {
            // Cancelled or abandoned meanwhile: the caller no longer waits.
            return false;
        }

        if (!ReferenceEquals(call.Owner, owner))
        {
            owner.Violate($"it answered invocation {id}, which was not sent to it");
            return false;
        }

        return TryTake(id, out _);
    }

    private bool TryTakeItem(RpcPeer owner, uint id, out RoutedCall call)
    {
        if (!_calls.TryGetValue(id, out call!))
        {
            return false;
        }

        if (!ReferenceEquals(call.Owner, owner) || !call.IsStream)
        {
            owner.Violate($"it sent a stream item for invocation {id}, which is not a stream sent to it");
            return false;
        }

        if (!call.TakeCredit())
        {
            owner.Violate($"it sent more items on stream '{call.Method}' than the caller allowed");
            return false;
        }

        return true;
    }

    /// <summary>A process is gone: its methods are unregistered and every call it was handling fails now.</summary>
    public void RemoveOwner(RpcPeer owner)
    {
        owner.MarkGone();
        foreach (var (name, holder) in _owners)
        {
            if (ReferenceEquals(holder, owner))
            {
                Unregister(owner, name);
            }
        }

        foreach (var (id, call) in _calls)
        {
            if (ReferenceEquals(call.Owner, owner) && TryTake(id, out _))
            {
                Fail(call.Caller, call.CallId, RpcStatus.ProcessExited, Exited(owner, call.Method), owner.ProcessName);
            }
        }
    }

    /// <summary>A caller is gone: the calls it made are cancelled in the processes running them.</summary>
    public void RemoveCaller(RpcPeer caller)
    {
        caller.MarkGone();
        foreach (var (id, call) in _calls)
        {
            if (ReferenceEquals(call.Caller, caller) && TryTake(id, out _))
            {
                call.Owner.CancelInvocation(id);
            }
        }
    }

    private static string NotReading(RpcPeer owner, string method) =>
        $"Process '{owner.ProcessName}' is not reading its connection fast enough (its buffer is over the congestion limit); call '{method}' was not made. Retry later.";

    private static string Exited(RpcPeer owner, string method) =>
        $"Process '{owner.ProcessName}' exited, restarted or lost its connection before it answered the call to '{method}'.";

    /// <summary>Adds a call under a fresh invocation id; ids wrap after 2^32 calls, and one still in use is skipped.</summary>
    private uint Add(RoutedCall call)
    {
        while (true)
        {
            var id = Interlocked.Increment(ref _nextInvocationId);
            if (_calls.TryAdd(id, call))
            {
                return id;
            }
        }
    }

    private bool TryTake(uint id, out RoutedCall call)
    {
        if (!_calls.TryRemove(id, out call!))
        {
            return false;
        }

        _byCaller.TryRemove(new KeyValuePair<(RpcPeer, uint), uint>((call.Caller, call.CallId), id));
        call.Caller.EndCall(call.ArgumentBytes);
        return true;
    }

    private void Fail(RpcPeer caller, uint callId, RpcStatus status, string message, string? processName = null) =>
        caller.Reply(callId, status, RpcError.Plain(processName ?? _mainProcessName, message).Encode());

    /// <summary>One call in flight: who made it, who runs it, and for a stream how many items the caller still allows.</summary>
    private sealed class RoutedCall(RpcPeer caller, uint callId, RpcPeer owner, string method, bool isStream, int credit, int argumentBytes)
    {
        private int _credit = credit;

        public RpcPeer Caller { get; } = caller;

        public uint CallId { get; } = callId;

        public RpcPeer Owner { get; } = owner;

        public string Method { get; } = method;

        public bool IsStream { get; } = isStream;

        public int ArgumentBytes { get; } = argumentBytes;

        /// <summary>
        /// The caller grants credit as it consumes, so what it allows ahead is never more than the window. The count is
        /// checked first: added to a credit near the limit, a count near int.MaxValue would wrap to a negative credit that
        /// passes the check and then fails the handler's next item, closing the wrong connection.
        /// </summary>
        public bool AddCredit(int count) => count <= RpcEndpoint.StreamWindow && Interlocked.Add(ref _credit, count) <= RpcEndpoint.StreamWindow;

        public bool TakeCredit() => Interlocked.Decrement(ref _credit) >= 0;
    }
}
