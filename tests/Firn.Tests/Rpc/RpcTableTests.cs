using Firn.Rpc;

namespace Firn.Tests.Rpc;

/// <summary>The main process's call table with fake peers: identity checks and id reuse.</summary>
public sealed class RpcTableTests
{
    [Fact]
    public void Invocation_ids_that_wrap_skip_an_id_still_in_use()
    {
        var table = new RpcTable("main", 100, 1 << 20);
        var owner = new FakePeer("owner");
        var first = new FakePeer("first");
        var second = new FakePeer("second");
        Assert.Null(table.Register(owner, "m"));
        table.Call(first, 1, RpcFlags.None, 0, "m", Args());
        var inUse = owner.Invocations.Single();

        // The next id would be the one in use: the counter wrapped all the way round.
        typeof(RpcTable).GetField("_nextInvocationId", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.SetValue(table, inUse - 1);
        table.Call(second, 1, RpcFlags.None, 0, "m", Args());

        var next = owner.Invocations[1];
        Assert.NotEqual(inUse, next);
        table.Complete(owner, inUse, RpcStatus.Ok, [1]);
        table.Complete(owner, next, RpcStatus.Ok, [2]);
        Assert.Equal([(1u, RpcStatus.Ok, (byte)1)], first.Replies);
        Assert.Equal([(1u, RpcStatus.Ok, (byte)2)], second.Replies);
        Assert.Empty(owner.Violations);
    }

    [Fact]
    public void Only_the_owner_of_an_invocation_may_answer_it_and_a_reused_call_id_is_a_violation()
    {
        var table = new RpcTable("main", 100, 1 << 20);
        var owner = new FakePeer("owner");
        var intruder = new FakePeer("intruder");
        var caller = new FakePeer("caller");
        Assert.Null(table.Register(owner, "m"));
        table.Call(caller, 7, RpcFlags.None, 0, "m", Args());
        var id = owner.Invocations.Single();

        table.Complete(intruder, id, RpcStatus.Ok, [9]);
        table.Call(caller, 7, RpcFlags.None, 0, "m", Args());

        Assert.Single(intruder.Violations);
        Assert.Contains("reused call id 7", caller.Violations.Single(), StringComparison.Ordinal);
        Assert.Empty(caller.Replies);
        table.Complete(owner, id, RpcStatus.Ok, [3]);
        Assert.Equal([(7u, RpcStatus.Ok, (byte)3)], caller.Replies);
    }

    [Fact]
    public void A_stream_item_beyond_the_callers_credit_is_a_violation_of_the_owner()
    {
        var table = new RpcTable("main", 100, 1 << 20);
        var owner = new FakePeer("owner");
        var caller = new FakePeer("caller");
        Assert.Null(table.Register(owner, "s"));
        table.Call(caller, 1, RpcFlags.Stream, 2, "s", Args());
        var id = owner.Invocations.Single();

        table.StreamItem(owner, id, [1]);
        table.StreamItem(owner, id, [2]);
        table.StreamItem(owner, id, [3]);

        Assert.Equal(2, caller.Items.Count);
        Assert.Contains("more items", owner.Violations.Single(), StringComparison.Ordinal);

        // A caller may allow at most the window ahead: with 2 granted, 62 more is the window, 63 is too many.
        table.Call(caller, 2, RpcFlags.Stream, 2, "s", Args());
        table.GrantCredit(caller, 2, RpcEndpoint.StreamWindow - 2);
        Assert.Empty(caller.Violations);
        table.GrantCredit(caller, 2, 1);
        Assert.Contains("would exceed the window", caller.Violations.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_registration_by_a_peer_that_is_gone_is_undone()
    {
        var table = new RpcTable("main", 100, 1 << 20);
        var gone = new FakePeer("gone");
        table.RemoveOwner(gone);

        Assert.NotNull(table.Register(gone, "m"));
        Assert.Empty(table.Methods);
        Assert.Equal(0, gone.MethodCount);
    }

    [Fact]
    public void Argument_bytes_in_flight_may_reach_the_limit_exactly_and_a_call_one_byte_over_is_refused()
    {
        var table = new RpcTable("main", 100, maxArgumentBytesInFlight: 100);
        var owner = new FakePeer("owner");
        var caller = new FakePeer("caller");
        Assert.Null(table.Register(owner, "m"));

        table.Call(caller, 1, RpcFlags.None, 0, "m", new byte[60]);
        table.Call(caller, 2, RpcFlags.None, 0, "m", new byte[40]);
        Assert.Equal(2, owner.Invocations.Count);
        Assert.Equal(100, caller.ArgumentBytesInFlight);

        table.Call(caller, 3, RpcFlags.None, 0, "m", new byte[1]);

        Assert.Equal(2, owner.Invocations.Count);
        var (callId, status, _) = Assert.Single(caller.Replies);
        Assert.Equal((3u, RpcStatus.LimitExceeded), (callId, status));
        var error = RpcError.Decode(caller.ReplyBodies.Single());
        Assert.Equal("main", error.ProcessName);
        Assert.Contains("has 2 calls with 100 bytes of arguments in flight", error.Message, StringComparison.Ordinal);
        Assert.Contains("100 bytes (FirnAppOptions.ConnectionBufferLimit)", error.Message, StringComparison.Ordinal);
        Assert.Equal((2, 100L), (caller.CallsInFlight, caller.ArgumentBytesInFlight));
        Assert.Empty(caller.Violations);

        // An answer releases its call's bytes: 60 are free again, so 61 are refused and 60 fit.
        table.Complete(owner, owner.Invocations[0], RpcStatus.Ok, [1]);
        Assert.Equal(40, caller.ArgumentBytesInFlight);
        table.Call(caller, 4, RpcFlags.None, 0, "m", new byte[61]);
        table.Call(caller, 5, RpcFlags.None, 0, "m", new byte[60]);
        Assert.Equal([(3u, RpcStatus.LimitExceeded), (1u, RpcStatus.Ok), (4u, RpcStatus.LimitExceeded)], caller.Replies.Select(r => (r.CallId, r.Status)));
        Assert.Equal(3, owner.Invocations.Count);
        Assert.Equal(100, caller.ArgumentBytesInFlight);
    }

    [Fact]
    public void A_call_whose_arguments_alone_pass_the_byte_limit_is_made_when_nothing_else_is_in_flight()
    {
        // Otherwise a call within the message size could never be made at all; the limit is about calls piling up.
        var table = new RpcTable("main", 100, maxArgumentBytesInFlight: 100);
        var owner = new FakePeer("owner");
        var caller = new FakePeer("caller");
        Assert.Null(table.Register(owner, "m"));

        table.Call(caller, 1, RpcFlags.None, 0, "m", new byte[150]);
        table.Call(caller, 2, RpcFlags.None, 0, "m", new byte[1]);

        Assert.Single(owner.Invocations);
        Assert.Equal((2u, RpcStatus.LimitExceeded), (caller.Replies.Single().CallId, caller.Replies.Single().Status));
        table.Complete(owner, owner.Invocations[0], RpcStatus.Ok, [1]);
        Assert.Equal((0, 0L), (caller.CallsInFlight, caller.ArgumentBytesInFlight));
    }

    private static byte[] Args() => [0, 0];

    private sealed class FakePeer(string name) : RpcPeer(name)
    {
        public List<uint> Invocations { get; } = [];

        public List<(uint CallId, RpcStatus Status, byte First)> Replies { get; } = [];

        public List<byte[]> ReplyBodies { get; } = [];

        public List<byte[]> Items { get; } = [];

        public List<string> Violations { get; } = [];

        public override bool Invoke(uint invocationId, RpcFlags flags, int credit, string method, string caller, ReadOnlySpan<byte> args)
        {
            Invocations.Add(invocationId);
            return true;
        }

        public override void CancelInvocation(uint invocationId)
        {
        }

        public override void GrantInvocationCredit(uint invocationId, int count)
        {
        }

        public override void Reply(uint callId, RpcStatus status, ReadOnlySpan<byte> body)
        {
            Replies.Add((callId, status, body.IsEmpty ? (byte)0 : body[0]));
            ReplyBodies.Add(body.ToArray());
        }

        public override void ReplyItem(uint callId, ReadOnlySpan<byte> payload) => Items.Add(payload.ToArray());

        public override void Violate(string reason) => Violations.Add(reason);
    }
}
