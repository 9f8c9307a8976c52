using Firn.Channels;
using Firn.Storage;
using Firn.TestChild;
using Firn.Tests.Support;

namespace Firn.Tests.Storage;

/// <summary>The shared store across real child processes, and its rules in the main process.</summary>
public sealed class SharedMemoryTests
{
    [Fact]
    public async Task A_child_reads_the_main_processes_keys_and_reads_its_own_writes()
    {
        var log = new TestLog();
        var app = TestApps.Create(log, ("kv", ["store-roundtrip"]));
        app.SharedMemory.Set("from-main", "hello");
        app.SharedMemory.Set("to-delete", 1);
        await using var started = await TestApps.StartAsync(app);

        var parts = (await app.NextReportAsync("kv")).Split('|');

        Assert.Equal("hello", parts[0]);
        Assert.Equal(new Point(3, 4).ToString(), parts[1]);
        Assert.Contains("System.String", parts[2], StringComparison.Ordinal);
        Assert.Contains("System.Int32", parts[2], StringComparison.Ordinal);
        Assert.Equal(["True", "False", "False"], parts[3..]);
        Assert.Equal(new Point(3, 4), app.SharedMemory.Get<Point>("from-child"));
    }

    [Fact]
    public async Task Children_and_threads_incrementing_one_key_lose_no_update()
    {
        const int children = 3, threads = 4, perThread = 300;
        var log = new TestLog();
        var args = new[] { "increment", "counter", threads.ToString(), perThread.ToString() };
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("i1", args), ("i2", args), ("i3", args)));
        var mainIncrements = Task.Run(() =>
        {
            for (var i = 0; i < perThread; i++)
            {
                app.SharedMemory.Increment("counter");
            }
        });

        foreach (var child in new[] { "i1", "i2", "i3" })
        {
            Assert.Equal("done", await app.NextReportAsync(child));
        }

        await mainIncrements.WaitAsync(TestApps.Timeout);
        Assert.Equal((children * threads * perThread) + perThread, app.SharedMemory.Get<long>("counter"));
    }

    [Fact]
    public async Task Concurrent_compare_and_set_loops_never_lose_an_update()
    {
        const int threads = 2, perThread = 200;
        var log = new TestLog();
        var args = new[] { "cas-increment", "cas", threads.ToString(), perThread.ToString() };
        var app = TestApps.Create(log, ("c1", args), ("c2", args));
        app.SharedMemory.Set("cas", 0L);
        await using var started = await TestApps.StartAsync(app);

        Assert.Equal("done", await app.NextReportAsync("c1"));
        Assert.Equal("done", await app.NextReportAsync("c2"));
        Assert.Equal(2L * threads * perThread, app.SharedMemory.Get<long>("cas"));
    }

    [Fact]
    public async Task Many_calls_from_one_child_are_in_flight_at_once_and_each_gets_its_own_answer()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("p", ["pipelined", "ticket", "2000"])));

        var results = (await app.NextReportAsync("p")).Split(',').Select(long.Parse);

        Assert.Equal(Enumerable.Range(1, 2000).Select(i => (long)i), results);
    }

    [Fact]
    public async Task A_child_killed_in_the_middle_of_its_writes_leaves_the_store_consistent()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("doomed", ["increment-forever", "doomed-counter"])));
        var acknowledged = long.Parse(await app.NextReportAsync("doomed"));
        acknowledged = Math.Max(acknowledged, long.Parse(await app.NextReportAsync("doomed")));

        System.Diagnostics.Process.GetProcessById(app.Supervisor!.GetProcess("doomed").ProcessId!.Value).Kill();
        await TestApps.UntilAsync(() => app.Supervisor!.GetProcess("doomed").State == ProcessState.Exited, "the kill is seen");

        var final = app.SharedMemory.Get<long>("doomed-counter");
        Assert.True(final >= acknowledged, $"acknowledged {acknowledged} increments but the store holds {final}");
        Assert.Equal(final + 1, app.SharedMemory.Increment("doomed-counter"));
    }

    [Fact]
    public void Typed_reads_atomic_operations_and_bad_input_in_the_main_process()
    {
        var app = new FirnApp(new FirnAppOptions { LoggerFactory = new TestLog().Factory });
        var memory = app.SharedMemory;

        memory.Set("name", "firn");
        Assert.Equal("firn", memory.Get<string>("name"));
        Assert.Equal("firn", memory.Get<object>("name"));
        Assert.Equal("fallback", memory.Get("missing", "fallback"));
        var mismatch = Assert.Throws<StoreTypeMismatchException>(() => memory.Get<int>("name"));
        Assert.Contains("System.String", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("System.Int32", mismatch.Message, StringComparison.Ordinal);

        Assert.True(memory.SetIfAbsent("once", 1));
        Assert.False(memory.SetIfAbsent("once", 2));
        Assert.False(memory.CompareAndSet("once", 5, 6));
        Assert.True(memory.CompareAndSet("once", 1, 7));
        Assert.Equal(7, memory.Get<int>("once"));
        Assert.False(memory.CompareAndSet("once", 7L, 8L));

        Assert.Throws<StoreTypeMismatchException>(() => memory.Increment("name"));
        Assert.Equal(10, memory.Increment("hits", 10));
        Assert.True(memory.Delete("hits"));
        Assert.False(memory.Delete("hits"));

        Assert.Throws<ArgumentException>(() => memory.Set("", 1));
        Assert.Throws<ArgumentException>(() => memory.Set(new string('k', StoreKeys.MaxLength + 1), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => memory.Set("ttl", 1, TimeSpan.Zero));
        Assert.Throws<MessageTooLargeException>(() => memory.Set("huge", new byte[17 * 1024 * 1024]));
        Assert.False(memory.TryGet<byte[]>("huge", out _));

        Assert.Equal(["name", "once"], memory.Keys.Order());
        Assert.Equal("firn", memory.GetAll()["name"]);
    }

    [Fact]
    public async Task A_key_with_a_time_to_live_disappears()
    {
        var app = new FirnApp(new FirnAppOptions { LoggerFactory = new TestLog().Factory });
        app.SharedMemory.Set("session", "token", TimeSpan.FromMilliseconds(50));
        app.SharedMemory.Set("forever", "value");

        await TestApps.UntilAsync(() => !app.SharedMemory.TryGet<string>("session", out _), "the key expired");

        Assert.Equal(["forever"], app.SharedMemory.Keys);
    }
}
