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

    private static byte[] Args() => [0, 0];

    private sealed class FakePeer(string name) : RpcPeer(name)
    {
        public List<uint> Invocations { get; } = [];

        public List<(uint CallId, RpcStatus Status, byte First)> Replies { get; } = [];

        public List<byte[]> Items { get; } = [];

        public List<string> Violations { get; } = [];

        public override void Invoke(uint invocationId, RpcFlags flags, int credit, string method, string caller, ReadOnlySpan<byte> args) => Invocations.Add(invocationId);

        public override void CancelInvocation(uint invocationId)
        {
        }

        public override void GrantInvocationCredit(uint invocationId, int count)
        {
        }

        public override void Reply(uint callId, RpcStatus status, ReadOnlySpan<byte> body) => Replies.Add((callId, status, body.IsEmpty ? (byte)0 : body[0]));

        public override void ReplyItem(uint callId, ReadOnlySpan<byte> payload) => Items.Add(payload.ToArray());

        public override void Violate(string reason) => Violations.Add(reason);
    }
}
