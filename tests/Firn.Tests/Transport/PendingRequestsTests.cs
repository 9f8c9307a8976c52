using System.Reflection;
using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Transport;

/// <summary>The one request/reply correlator: ids, replies, deadlines, cancellation and the lost connection.</summary>
public sealed class PendingRequestsTests : IDisposable
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private readonly List<uint> _abandoned = [];
    private readonly PendingRequests<PendingReply<int>> _table = new(static entry => new TimeoutException($"no reply within {entry.Timeout}"));

    public PendingRequestsTests() => _table.Abandoned = (id, _) =>
    {
        lock (_abandoned)
        {
            _abandoned.Add(id);
        }
    };

    public void Dispose() => _table.Dispose();

    [Fact]
    public async Task A_reply_completes_its_request_once_and_a_late_reply_finds_nothing()
    {
        var request = new PendingReply<int>();
        var id = _table.Add(request, Long);

        Assert.True(_table.TryTake(id, out var taken));
        taken.TrySetResult(42);
        Assert.False(_table.TryTake(id, out _));

        Assert.Equal(42, await _table.WaitAsync(id, request, request.Task, CancellationToken.None));
        Assert.Equal(0, _table.Count);
        Assert.Empty(_abandoned);
    }

    [Fact]
    public void A_request_the_sweep_watches_is_waited_for_with_its_own_task_and_nothing_more()
    {
        var request = new PendingReply<int>();
        var id = _table.Add(request, Long);

        Assert.NotEqual(0, request.Deadline);
        Assert.Same(request.Task, _table.WaitAsync(id, request, request.Task, CancellationToken.None));
    }

    [Fact]
    public async Task A_request_past_its_deadline_fails_with_its_timeout_is_forgotten_and_reported_abandoned()
    {
        var request = new PendingReply<int>();
        var id = _table.Add(request, DeadlineSweep.MinimumTimeout);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => _table.WaitAsync(id, request, request.Task, CancellationToken.None).WaitAsync(TestApps.Timeout));

        Assert.Equal($"no reply within {DeadlineSweep.MinimumTimeout}", error.Message);
        Assert.False(_table.TryTake(id, out _));
        Assert.Equal([id], _abandoned);
    }

    [Fact]
    public async Task A_timeout_too_short_for_the_sweep_gets_a_timer_of_its_own()
    {
        var request = new PendingReply<int>();
        var id = _table.Add(request, TimeSpan.FromMilliseconds(20));

        Assert.Equal(0, request.Deadline);
        var error = await Assert.ThrowsAsync<TimeoutException>(() => _table.WaitAsync(id, request, request.Task, CancellationToken.None).WaitAsync(TestApps.Timeout));

        Assert.Equal("no reply within 00:00:00.0200000", error.Message);
        Assert.Equal(0, _table.Count);
        Assert.Equal([id], _abandoned);
    }

    [Fact]
    public async Task A_cancelled_wait_forgets_the_request_and_its_late_reply_finds_nothing()
    {
        using var cancellation = new CancellationTokenSource();
        var request = new PendingReply<int>();
        var id = _table.Add(request, Long);
        var waiting = _table.WaitAsync(id, request, request.Task, cancellation.Token);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TestApps.Timeout));
        Assert.False(_table.TryTake(id, out _));
        Assert.Equal([id], _abandoned);
    }

    [Fact]
    public async Task A_reply_that_came_before_the_wait_gave_up_counts()
    {
        var request = new PendingReply<int>();
        var id = _table.Add(request, TimeSpan.Zero);
        Assert.True(_table.TryTake(id, out _));

        // Taken (the reply is being handled) but not completed yet: a zero timeout has run out at once.
        var waiting = _table.WaitAsync(id, request, request.Task, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        request.TrySetResult(7);

        Assert.Equal(7, await waiting.WaitAsync(TestApps.Timeout));
        Assert.Empty(_abandoned);
    }

    [Fact]
    public async Task Failing_all_fails_every_waiting_request_and_every_later_one_without_reporting_them_abandoned()
    {
        var first = new PendingReply<int>();
        var second = new PendingReply<int>();
        _table.Add(first, Long);
        _table.Add(second, Timeout.InfiniteTimeSpan);

        _table.FailAll(entry => new FirnDisconnectedException($"gone after {entry.Timeout}", DisconnectReason.RemotePartyTerminated));

        Assert.Equal(DisconnectReason.RemotePartyTerminated, (await Assert.ThrowsAsync<FirnDisconnectedException>(() => first.Task)).Reason);
        Assert.Equal($"gone after {Timeout.InfiniteTimeSpan}", (await Assert.ThrowsAsync<FirnDisconnectedException>(() => second.Task)).Message);
        var later = Assert.Throws<FirnDisconnectedException>(() => _table.Add(new PendingReply<int>(), Long));
        Assert.Equal($"gone after {Long}", later.Message);
        Assert.Equal(0, _table.Count);
        Assert.Empty(_abandoned);
    }

    [Fact]
    public void The_first_failure_stays()
    {
        _table.FailAll(_ => new FirnDisconnectedException("first", DisconnectReason.RemotePartyTerminated));
        _table.FailAll(_ => new FirnDisconnectedException("second", DisconnectReason.LocallyClosed));

        Assert.Equal("first", Assert.Throws<FirnDisconnectedException>(() => _table.Add(new PendingReply<int>(), Long)).Message);
    }

    [Fact]
    public void Ids_wrap_and_never_name_a_request_that_still_waits()
    {
        SetLastId(uint.MaxValue - 1);
        var ids = Enumerable.Range(0, 3).Select(_ => _table.Add(new PendingReply<int>(), Long)).ToArray();
        Assert.Equal([uint.MaxValue, 0u, 1u], ids);

        // The counter comes round to an id still waiting (a very long request): it is skipped.
        SetLastId(uint.MaxValue - 1);
        Assert.Equal(2u, _table.Add(new PendingReply<int>(), Long));

        // Once its request is answered, the id is free again.
        Assert.True(_table.TryTake(0, out _));
        SetLastId(uint.MaxValue);
        Assert.Equal(0u, _table.Add(new PendingReply<int>(), Long));
    }

    [Fact]
    public void Withdrawn_requests_are_forgotten_and_handed_over()
    {
        var keep = new PendingReply<int>();
        var withdraw = new PendingReply<int>();
        var kept = _table.Add(keep, Long);
        var withdrawn = _table.Add(withdraw, Long);

        var handed = new List<PendingReply<int>>();
        _table.RemoveWhere(entry => ReferenceEquals(entry, withdraw), handed.Add);

        Assert.Equal([withdraw], handed);
        Assert.False(_table.TryGet(withdrawn, out _));
        Assert.True(_table.TryGet(kept, out var still));
        Assert.Same(keep, still);
        Assert.Empty(_abandoned);
    }

    private void SetLastId(uint id) =>
        typeof(PendingRequests<PendingReply<int>>).GetField("_nextId", BindingFlags.NonPublic | BindingFlags.Instance)!.SetValue(_table, id);
}
