using Firn.Hosting;
using Firn.TestChild;
using Firn.Tests.Support;

namespace Firn.Tests.Hardening;

/// <summary>
/// A name with a lone surrogate has no UTF-8 encoding; sent as U+FFFD it would alias another name in the main process.
/// Every kind of name refuses it at the API with an <see cref="ArgumentException"/> that says where it is.
/// </summary>
public sealed class IllFormedNameTests : IAsyncLifetime
{
    private readonly TestLog _log = new();
    private FirnApp _app = null!;

    /// <summary>
    /// The boundary: a lone high, a lone low (in the middle and at the end), and a reversed pair; index 1 each time.
    /// Theories get an index, not the string: xUnit would carry a lone surrogate through UTF-8 and hand over U+FFFD.
    /// </summary>
    private static readonly (string Text, string Unit)[] Cases =
    [
        ("a\uD800b", "U+D800"),
        ("a\uDC00b", "U+DC00"),
        ("a\uD800", "U+D800"),
        ("a\uDC00\uD800b", "U+DC00"),
    ];

    public static TheoryData<int> IllFormed => [.. Enumerable.Range(0, Cases.Length)];

    /// <summary>A valid surrogate pair (an emoji) is well-formed and accepted.</summary>
    private static string WellFormed(string prefix) => prefix + "\uD83D\uDE00";

    public async Task InitializeAsync() => _app = await TestApps.StartAsync(TestApps.Create(_log));

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [MemberData(nameof(IllFormed))]
    public void Channel_names_refuse_a_lone_surrogate(int index)
    {
        var (name, unit) = Cases[index];
        AssertRefused(() => _app.GetChannel<string>(name), "name", unit);
        AssertRefused(() => _app.GetChannel<string>(name), "name", unit);
        AssertRefused(() => _app.TryGetChannel<string>(name, out _), "name", unit);
        Assert.DoesNotContain(_app.Supervisor!.GetChannels(), c => c.Name.Contains('\uFFFD', StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_channel_name_with_a_surrogate_pair_is_accepted()
    {
        var channel = _app.GetChannel<string>(WellFormed("pair-"));
        channel.Send("a");

        Assert.Same(channel, _app.GetChannel<string>(WellFormed("pair-")));
        await TestApps.UntilAsync(() => _app.Router.GetStats(WellFormed("pair-"))?.Pending == 1, "the message waits on the channel");
    }

    [Theory]
    [MemberData(nameof(IllFormed))]
    public async Task Store_keys_refuse_a_lone_surrogate(int index)
    {
        var (key, unit) = Cases[index];
        var memory = _app.SharedMemory;
        AssertRefused(() => memory.Set(key, "v"), "key", unit);
        AssertRefused(() => memory.Get(key, "none"), "key", unit);
        AssertRefused(() => memory.TryGet<string>(key, out _), "key", unit);
        AssertRefused(() => memory.Delete(key), "key", unit);
        AssertRefused(() => memory.Increment(key), "key", unit);
        AssertRefused(() => memory.CompareAndSet(key, "a", "b"), "key", unit);
        AssertRefused(() => memory.SetIfAbsent(key, "v"), "key", unit);
        await AssertRefusedAsync(() => memory.SetAsync(key, "v").AsTask(), "key", unit);
        Assert.Empty(memory.Keys);
    }

    [Fact]
    public void A_store_key_with_a_surrogate_pair_is_accepted()
    {
        _app.SharedMemory.Set(WellFormed("k"), "v");

        Assert.Equal("v", _app.SharedMemory.Get<string>(WellFormed("k")));
        Assert.Equal([WellFormed("k")], _app.SharedMemory.Keys);
    }

    [Theory]
    [MemberData(nameof(IllFormed))]
    public void Topics_and_patterns_refuse_a_lone_surrogate(int index)
    {
        var (topic, unit) = Cases[index];
        AssertRefused(() => _app.SharedMemory.Publish(topic, 1), "topic", unit);
        AssertRefused(() => _app.SharedMemory.Subscribe<int>(topic, _ => { }), "topic", unit);
        AssertRefused(() => _app.SharedMemory.Subscribe<int>(topic + "*", _ => { }), "topic", unit);
    }

    [Fact]
    public async Task A_topic_with_a_surrogate_pair_is_accepted()
    {
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = _app.SharedMemory.Subscribe<int>(WellFormed("t.") + "*", (string topic, int _) => received.TrySetResult(topic));

        _app.SharedMemory.Publish(WellFormed("t.") + "x", 1);

        Assert.Equal(WellFormed("t.") + "x", await received.Task.WaitAsync(TestApps.Timeout));
    }

    [Theory]
    [MemberData(nameof(IllFormed))]
    public async Task Method_and_service_names_refuse_a_lone_surrogate(int index)
    {
        var (method, unit) = Cases[index];
        AssertRefused(() => _app.Rpc.Register(method, () => 1), "name", unit);
        await AssertRefusedAsync(() => _app.Rpc.CallAsync<int>(method), "name", unit);
        AssertRefused(() => _app.Rpc.GetService<ICalculator>(method), "name", unit);
    }

    [Fact]
    public async Task A_method_name_with_a_surrogate_pair_is_accepted()
    {
        using var registration = _app.Rpc.Register(WellFormed("m"), () => 7);

        Assert.Equal(7, await _app.Rpc.CallAsync<int>(WellFormed("m")));
    }

    [Theory]
    [MemberData(nameof(IllFormed))]
    public void Event_names_refuse_a_lone_surrogate(int index)
    {
        var (name, unit) = Cases[index];
        AssertRefused(() => new Event(name), "name", unit);
        AssertRefused(() => _app.Events.Publish(name), "name", unit);
        AssertRefused(() => _app.Events.Subscribe(name, _ => { }), "name", unit);
    }

    [Fact]
    public async Task An_event_name_with_a_surrogate_pair_is_accepted()
    {
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = _app.Events.Subscribe(WellFormed("e"), e => received.TrySetResult(e.Name));

        _app.Events.Publish(WellFormed("e"));

        Assert.Equal(WellFormed("e"), await received.Task.WaitAsync(TestApps.Timeout));
    }

    [Theory]
    [MemberData(nameof(IllFormed))]
    public async Task Process_names_refuse_a_lone_surrogate(int index)
    {
        var (name, _) = Cases[index];
        await using var app = new FirnApp(new FirnAppOptions { HandleSignals = false });

        // Process names are ASCII: a surrogate pair is refused too, by that rule.
        Assert.Throws<ArgumentException>(nameof(name), () => app.AddProcess(name, _ => { }));
        Assert.Throws<ArgumentException>(nameof(name), () => app.AddCommand(name, new ProcessOptions { Executable = "true" }));
        Assert.Throws<ArgumentException>(nameof(name), () => app.AddProcess(WellFormed("p"), _ => { }));
    }

    [Theory]
    [MemberData(nameof(IllFormed))]
    public void The_main_process_name_refuses_a_lone_surrogate(int index)
    {
        var (name, unit) = Cases[index];
        AssertRefused(() => new FirnAppOptions { MainProcessName = name }, "value", unit);
        Assert.Equal(WellFormed("main"), new FirnAppOptions { MainProcessName = WellFormed("main") }.MainProcessName);
    }

    [Fact]
    public async Task A_childs_lone_surrogate_channel_name_key_and_string_are_refused_in_the_child_and_nothing_aliases_in_main()
    {
        await using var app = await TestApps.StartAsync(TestApps.Create(_log, ("names", ["ill-formed-names"])));

        var report = (await app.NextReportAsync("names")).Split('\n');

        Assert.Equal(3, report.Length);
        Assert.StartsWith("ArgumentException: A channel name must be well-formed UTF-16; it contains a lone surrogate (U+D800) at index 1.", report[0], StringComparison.Ordinal);
        Assert.StartsWith("ArgumentException: A key or topic must be well-formed UTF-16; it contains a lone surrogate (U+D800) at index 1.", report[1], StringComparison.Ordinal);
        Assert.StartsWith("ArgumentException: A string message must be well-formed UTF-16; it contains a lone surrogate (U+DC00) at index 8.", report[2], StringComparison.Ordinal);
        Assert.False(app.TryGetChannel<string>("x\uFFFDy", out _));
        Assert.False(app.SharedMemory.TryGet<string>("k\uFFFD", out _));
        Assert.Equal("ok", app.SharedMemory.Get<string>("k-after"));
        Assert.Equal(ProcessState.Running, app.Supervisor!.GetProcess("names").State);
    }

    private static void AssertRefused(Func<object?> action, string parameter, string unit) =>
        AssertMessage(Assert.Throws<ArgumentException>(parameter, () => action()), unit);

    private static void AssertRefused(Action action, string parameter, string unit) =>
        AssertMessage(Assert.Throws<ArgumentException>(parameter, action), unit);

    private static async Task AssertRefusedAsync(Func<Task> action, string parameter, string unit) =>
        AssertMessage(await Assert.ThrowsAsync<ArgumentException>(parameter, action), unit);

    private static void AssertMessage(ArgumentException error, string unit) =>
        Assert.Contains($"lone surrogate ({unit}) at index 1", error.Message, StringComparison.Ordinal);
}
