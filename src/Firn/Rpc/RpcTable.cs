using System.Collections.Concurrent;

namespace Firn.Rpc;

/// <summary>
/// The main process's switchboard for calls: which process owns each method name, and every call in flight
/// from its caller to the owner and back. A call gets an invocation id of the table's own, so processes never
/// see each other's ids; the caller is known by its connection, and only the owner of an invocation may answer it.
/// </summary>
/// <remarks>No lock is held across any send: peers only enqueue frames.</remarks>
internal sealed class RpcTable
{
    private readonly ConcurrentDictionary<string, RpcPeer> _owners = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<uint, RoutedCall> _calls = new();
    private readonly ConcurrentDictionary<(RpcPeer Caller, uint CallId), uint> _byCaller = new();
    private readonly string _mainProcessName;
    private uint _nextInvocationId;

    public RpcTable(string mainProcessName, int maxCallsInFlight)
    {
        _mainProcessName = mainProcessName;
        MaxCallsInFlight = maxCallsInFlight;
    }

    /// <summary>The most calls one process may have in flight.</summary>
    public int MaxCallsInFlight { get; }

    /// <summary>Calls in flight across the app, for diagnostics and tests.</summary>
    public int Count => _calls.Count;

    /// <summary>Makes <paramref name="owner"/> the handler of <paramref name="name"/>; returns an error message if another process has it.</summary>
    public string? Register(RpcPeer owner, string name)
    {
        if (owner.IsGone)
        {
            return $"Process '{owner.ProcessName}' is disconnected.";
        }

        if (_owners.TryAdd(name, owner))
        {
            return null;
        }

        var holder = _owners.TryGetValue(name, out var existing) ? existing.ProcessName : "another process";
        return $"Method '{name}' is already registered by process '{holder}'; a method name belongs to one process at a time.";
    }

    public void Unregister(RpcPeer owner, string name) => _owners.TryRemove(new KeyValuePair<string, RpcPeer>(name, owner));

    /// <summary>Names and owners of every registered method, for diagnostics.</summary>
    public IReadOnlyDictionary<string, string> Methods => _owners.ToDictionary(p => p.Key, p => p.Value.ProcessName, StringComparer.Ordinal);

    public void Call(RpcPeer caller, uint callId, RpcFlags flags, int credit, string method, ReadOnlySpan<byte> args)
    {
        if (!_owners.TryGetValue(method, out var owner))
        {
            Fail(caller, callId, RpcStatus.MethodNotFound, $"No process has registered method '{method}'.");
            return;
        }

        if (caller.BeginCall() > MaxCallsInFlight)
        {
            caller.EndCall();
            Fail(caller, callId, RpcStatus.LimitExceeded,
                $"Process '{caller.ProcessName}' has {MaxCallsInFlight} calls in flight, the limit (FirnAppOptions.MaxCallsInFlight); call '{method}' was not made. Await some calls before making more.");
            return;
        }

        var id = Interlocked.Increment(ref _nextInvocationId);
        if (!_byCaller.TryAdd((caller, callId), id))
        {
            caller.EndCall();
            caller.Violate($"it reused call id {callId} while that call was in flight");
            return;
        }

        var call = new RoutedCall(caller, callId, owner, method, (flags & RpcFlags.Stream) != 0, credit);
        _calls[id] = call;

        // The owner or the caller may have gone while this call was being added; then nobody else will end it.
        if (owner.IsGone || caller.IsGone)
        {
            if (TryTake(id, out _))
            {
                Fail(caller, callId, RpcStatus.ProcessExited, Exited(owner, method), owner.ProcessName);
            }

            return;
        }

        owner.Invoke(id, flags, credit, method, caller.ProcessName, args);
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
            caller.Violate($"it granted {count} items of credit to call {callId}, which is not a stream or would exceed {RoutedCall.MaxCredit}");
            return;
        }

        call.Owner.GrantInvocationCredit(id, count);
    }

    public void Complete(RpcPeer owner, uint id, RpcStatus status, ReadOnlySpan<byte> body)
    {
        if (!_calls.TryGetValue(id, out var call))
        {
            // Cancelled or abandoned meanwhile: the caller no longer waits.
            return;
        }

        if (!ReferenceEquals(call.Owner, owner))
        {
            owner.Violate($"it answered invocation {id}, which was not sent to it");
            return;
        }

        if (TryTake(id, out _))
        {
            call.Caller.Reply(call.CallId, status, body);
        }
    }

    public void StreamItem(RpcPeer owner, uint id, ReadOnlySpan<byte> payload)
    {
        if (!_calls.TryGetValue(id, out var call))
        {
            return;
        }

        if (!ReferenceEquals(call.Owner, owner) || !call.IsStream)
        {
            owner.Violate($"it sent a stream item for invocation {id}, which is not a stream sent to it");
            return;
        }

        if (!call.TakeCredit())
        {
            owner.Violate($"it sent more items on stream '{call.Method}' than the caller allowed");
            return;
        }

        call.Caller.ReplyItem(call.CallId, payload);
    }

    /// <summary>A process is gone: its methods are unregistered and every call it was handling fails now.</summary>
    public void RemoveOwner(RpcPeer owner)
    {
        owner.IsGone = true;
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
        caller.IsGone = true;
        foreach (var (id, call) in _calls)
        {
            if (ReferenceEquals(call.Caller, caller) && TryTake(id, out _))
            {
                call.Owner.CancelInvocation(id);
            }
        }
    }

    private static string Exited(RpcPeer owner, string method) =>
        $"Process '{owner.ProcessName}' exited, restarted or lost its connection before it answered the call to '{method}'.";

    private bool TryTake(uint id, out RoutedCall call)
    {
        if (!_calls.TryRemove(id, out call!))
        {
            return false;
        }

        _byCaller.TryRemove((call.Caller, call.CallId), out _);
        call.Caller.EndCall();
        return true;
    }

    private void Fail(RpcPeer caller, uint callId, RpcStatus status, string message, string? processName = null) =>
        caller.Reply(callId, status, RpcError.Plain(processName ?? _mainProcessName, message).Encode());

    /// <summary>One call in flight: who made it, who runs it, and for a stream how many items the caller still allows.</summary>
    private sealed class RoutedCall(RpcPeer caller, uint callId, RpcPeer owner, string method, bool isStream, int credit)
    {
        /// <summary>The most items a caller may allow ahead of consumption.</summary>
        public const int MaxCredit = 1 << 20;

        private int _credit = credit;

        public RpcPeer Caller { get; } = caller;

        public uint CallId { get; } = callId;

        public RpcPeer Owner { get; } = owner;

        public string Method { get; } = method;

        public bool IsStream { get; } = isStream;

        // The count is checked first: added to a credit near the limit, a count near int.MaxValue would wrap to a negative
        // credit that passes the check and then fails the handler's next item, closing the wrong connection.
        public bool AddCredit(int count) => count <= MaxCredit && Interlocked.Add(ref _credit, count) <= MaxCredit;

        public bool TakeCredit() => Interlocked.Decrement(ref _credit) >= 0;
    }
}
