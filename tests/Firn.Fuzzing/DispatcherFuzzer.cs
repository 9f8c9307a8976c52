using System.Runtime.CompilerServices;
using Firn.Channels;
using Firn.Hosting;
using Firn.Rpc;
using Firn.Storage;
using Firn.Transport;
using MessagePack;

namespace Firn.Fuzzing;

/// <summary>
/// Seeded fuzzing of the main process's dispatcher over real connections. Each case connects one to three fake
/// children that send generated frames (well formed, then often broken by <see cref="FrameMutator"/>) in steps,
/// interleaved with reads by a well-behaved control child and by the main process's own code, then disconnects them.
/// After every case: no frame handler threw anything but a protocol violation, the control child was never
/// disconnected and is still served, no child (fuzzed or control) received a frame it did not ask for, the main
/// process's own reads failed only with their documented errors, and <see cref="MainInvariants"/> hold. Cases run in
/// rounds sharing one main process (state from earlier cases of the round matters), so a case replays by running its
/// round from the start.
/// </summary>
internal sealed class DispatcherFuzzer : IFuzzTarget
{
    public const string TargetName = "dispatcher";

    private readonly int _seed;
    private readonly int _casesPerRound;
    private readonly bool _killWhileHandling;
    private readonly List<WeakReference<ChildSession>> _endedSessions = [];
    private readonly List<IDisposable> _roundResources = [];
    private DispatcherHarness? _harness;
    private FakeChild? _control;
    private long _round = -1;
    private long _nextCase;
    private uint _controlIds;

    /// <param name="seed">Determines every case.</param>
    /// <param name="casesPerRound">Cases that share one main process.</param>
    /// <param name="killWhileHandling">
    /// Also close children's connections from another thread while their frames are handled. How many frames got
    /// handled first depends on timing, so later cases of the round may differ between runs of the same seed.
    /// </param>
    public DispatcherFuzzer(int seed, int casesPerRound = 40, bool killWhileHandling = false)
    {
        _seed = seed;
        _casesPerRound = casesPerRound;
        _killWhileHandling = killWhileHandling;
    }

    /// <summary>A hash of every byte the fuzzed children sent: equal for two runs that generated the same cases.</summary>
    public ulong Fingerprint { get; private set; } = 14_695_981_039_346_656_037;

    public string Name => TargetName;

    public int CasesPerRound => _casesPerRound;

    /// <summary>Frames sent so far, over every case.</summary>
    public long FramesSent { get; private set; }

    /// <summary>Fake children whose connection the main process closed for what they sent.</summary>
    public long ChildrenDisconnected { get; private set; }

    /// <summary>Runs case <paramref name="index"/>, first running the cases of its round before it if this fuzzer has not (a replay).</summary>
    /// <exception cref="FuzzFailure">The case found a problem.</exception>
    public async Task RunCaseAsync(long index)
    {
        var round = index / _casesPerRound;
        if (round != _round || index < _nextCase)
        {
            await StartRoundAsync(round).ConfigureAwait(false);
        }

        while (_nextCase < index)
        {
            await RunOneAsync(_nextCase).ConfigureAwait(false);
        }

        await RunOneAsync(index).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await EndRoundAsync(checkLeaks: false).ConfigureAwait(false);

    private async Task RunOneAsync(long index)
    {
        var trace = new List<string>();
        try
        {
            await RunCaseCoreAsync(index, trace).ConfigureAwait(false);
        }
        catch (FuzzFailure)
        {
            await AbandonRoundAsync().ConfigureAwait(false);
            throw;
        }
        catch (Exception ex)
        {
            await AbandonRoundAsync().ConfigureAwait(false);
            throw new FuzzFailure(TargetName, _seed, index, $"The case threw {ex.GetType().Name}: {ex.Message}", trace, ex);
        }
        finally
        {
            _nextCase = index + 1;
        }

        if ((index + 1) % _casesPerRound == 0)
        {
            var leaks = await EndRoundAsync(checkLeaks: true).ConfigureAwait(false);
            if (leaks > 0)
            {
                throw new FuzzFailure(TargetName, _seed, index, $"{leaks} ended sessions of this round are still reachable after a full collection (a session leak)", trace);
            }
        }
    }

    private async Task RunCaseCoreAsync(long index, List<string> trace)
    {
        var harness = _harness!;
        var control = _control!;
        var random = FuzzRandom.ForCase(_seed, index);
        var failuresBefore = harness.Log.HandlerFailures.Count;
        var sessions = new List<(FakeChild Child, SessionView View)>();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            var name = $"fuzz-{index}-{sessions.Count}";
            sessions.Add((harness.Connect(name), new SessionView(name)));
        }

        var mainCalls = new List<(string Method, Task Call)>();
        for (var step = random.Next(3, 12); step > 0; step--)
        {
            switch (random.Weighted([12, 3, 2, 1, _killWhileHandling ? 1 : 0]))
            {
                case 0:
                    var (child, view) = random.Pick(sessions);
                    await HostileStepAsync(random, harness, child, view, trace).ConfigureAwait(false);
                    break;
                case 1:
                    await ControlStepAsync(random, control, trace).ConfigureAwait(false);
                    break;
                case 2:
                    MainStep(random, harness.App, mainCalls, trace);
                    break;
                case 3:
                    var leaving = random.Pick(sessions).Child;
                    trace.Add($"{leaving.Name} disconnects");
                    await leaving.DisconnectAsync().ConfigureAwait(false);
                    break;
                default:
                    var (killed, killedView) = random.Pick(sessions);
                    await KilledStepAsync(random, killed, killedView, trace).ConfigureAwait(false);
                    break;
            }
        }

        var problems = new List<string>();
        foreach (var (child, _) in sessions)
        {
            if (child.Closed.IsCompleted && child.Closed.Result != ConnectionCloseReason.RemotePartyTerminated)
            {
                ChildrenDisconnected++;
            }

            // Whatever it sent, a child only ever hears answers to its own requests.
            problems.AddRange(child.Unsolicited.Select(frame => $"'{child.Name}' received a frame it never asked for: {frame}"));

            await harness.DropAsync(child).ConfigureAwait(false);
            _endedSessions.Add(new WeakReference<ChildSession>(child.Session));
        }

        foreach (var (method, call) in mainCalls)
        {
            var outcome = await Task.WhenAny(call, Task.Delay(harness.Timeout)).ConfigureAwait(false);
            if (outcome != call)
            {
                problems.Add($"the main process's call to '{method}' did not end within {harness.Timeout} after every child left");
            }
            else if (call.Exception?.InnerException is { } thrown && thrown is not RpcException)
            {
                problems.Add($"the main process's call to '{method}' failed with {thrown.GetType().Name}: {thrown.Message}");
            }
        }

        await ProbeControlAsync(control, problems).ConfigureAwait(false);
        problems.AddRange(control.Unsolicited.Select(frame => $"the control child received a frame it never asked for: {frame}"));
        await UntilCallsEndAsync(harness, problems).ConfigureAwait(false);
        problems.AddRange(MainInvariants.Check(harness, sessions.Select(s => s.Child.Name).ToHashSet(StringComparer.Ordinal)));
        foreach (var failure in harness.Log.HandlerFailures.Skip(failuresBefore))
        {
            problems.Add($"a frame handler threw: {failure}");
        }

        if (problems.Count > 0)
        {
            throw new FuzzFailure(TargetName, _seed, index, string.Join('\n', problems), trace);
        }
    }

    private async Task HostileStepAsync(Random random, DispatcherHarness harness, FakeChild child, SessionView view, List<string> trace)
    {
        if (!await child.SyncAsync().ConfigureAwait(false))
        {
            return;
        }

        view.Update(child.Received);
        var frames = Enumerable.Range(0, random.Next(1, 7)).Select(_ => FrameGenerator.Next(random, view)).ToList();
        var notes = new List<string>();
        for (var i = 0; i < frames.Count; i++)
        {
            if (random.Chance(0.2))
            {
                var (mutated, mutation) = FrameMutator.Mutate(random, frames[i], random.Pick(frames), harness.MaxBodyLength);
                frames[i] = mutated;
                notes.Add($"#{i} {mutation}");
            }
        }

        byte[] bytes = [.. frames.SelectMany(f => f)];
        FramesSent += frames.Count;
        foreach (var b in bytes)
        {
            Fingerprint = (Fingerprint ^ b) * 1_099_511_628_211;
        }

        trace.Add($"{child.Name} sends {frames.Count} frames{(notes.Count > 0 ? $" ({string.Join(", ", notes)})" : string.Empty)}: {Hex(bytes)}");
        if (random.Chance(0.2))
        {
            await child.SendInPiecesAsync(bytes, Enumerable.Range(0, random.Next(1, 4)).Select(_ => random.Next(bytes.Length + 1)).Order()).ConfigureAwait(false);
        }
        else
        {
            await child.SendAsync(bytes).ConfigureAwait(false);
        }

        await child.SyncAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Well-formed frames, and while the main process handles them, its connection is closed from another thread, as
    /// the supervisor does when the child's process exits: the session must end cleanly whatever frame was in hand.
    /// </summary>
    private static async Task KilledStepAsync(Random random, FakeChild child, SessionView view, List<string> trace)
    {
        if (!await child.SyncAsync().ConfigureAwait(false))
        {
            return;
        }

        view.Update(child.Received);
        byte[] bytes = [.. Enumerable.Range(0, random.Next(5, 40)).SelectMany(_ => FrameGenerator.NextWellFormed(random, view))];
        trace.Add($"{child.Name} sends {bytes.Length} bytes of well-formed frames and its process is killed meanwhile: {Hex(bytes)}");
        var sending = child.SendAsync(bytes);
        for (var spins = random.Next(0, 200); spins > 0; spins--)
        {
            Thread.SpinWait(20);
        }

        child.Connection.Close(ConnectionCloseReason.RemotePartyTerminated, "the process exited");
        await sending.ConfigureAwait(false);
        await child.Ended.WaitAsync(child.Timeout).ConfigureAwait(false);
    }

    /// <summary>The control child reads what the fuzzed children wrote; it must always get an answer.</summary>
    private async Task ControlStepAsync(Random random, FakeChild control, List<string> trace)
    {
        var id = ++_controlIds;
        var key = random.Pick(FrameGenerator.Keys);
        var (name, kind, frame) = random.Next(10) switch
        {
            0 => ($"get '{key}'", FrameKind.StoreReply, ChildFrames.StoreRequest(id, StoreOperation.Get, key)),
            1 => ("get all", FrameKind.StoreReply, ChildFrames.StoreRequest(id, StoreOperation.GetAll, "*")),
            2 => ("keys", FrameKind.StoreReply, ChildFrames.StoreRequest(id, StoreOperation.Keys, "*")),
            3 => ($"increment '{key}'", FrameKind.StoreReply, ChildFrames.StoreRequest(id, StoreOperation.Increment, key, delta: 1)),
            4 => ("list channels", FrameKind.ChannelList, ChildFrames.ListChannels(id)),
            5 => ("open a channel", FrameKind.ChannelOpened, ChildFrames.OpenChannel(id, random.Pick(FrameGenerator.ChannelNames), "System.String")),
            6 => ("subscribe", FrameKind.SubscribeReply, ChildFrames.Subscribe(id, random.Pick(FrameGenerator.Topics))),
            7 => ("call main.echo", FrameKind.RpcReply, ChildFrames.RpcCall(id, "main.echo", ChildFrames.ArgumentBlock([0xA2, (byte)'h', (byte)'i']))),
            8 => ("call a child's method", (FrameKind)0, ChildFrames.RpcCall(id, random.Pick(["m0", "m1"]), ChildFrames.ArgumentBlock([0x01]))),
            _ => ("publish", (FrameKind)0, ChildFrames.Publish("t0", "System.String", [0xA1, (byte)'c'])),
        };
        trace.Add($"control: {name}");
        byte[]? reply = null;
        if (kind == 0)
        {
            await control.SendAsync(frame).ConfigureAwait(false);
        }
        else
        {
            reply = await control.RequestAsync(kind, id, frame).ConfigureAwait(false);
        }

        if (control.Closed.IsCompleted || (kind != 0 && reply is null))
        {
            throw new FuzzFailure($"The control child was disconnected ({(control.Closed.IsCompleted ? control.Closed.Result : "no reply")}) after: control {name}");
        }

        // Replies must be well formed: the control child decodes them as a real child would.
        switch (kind)
        {
            case FrameKind.StoreReply:
                _ = StoreCodec.DecodeReply(reply);
                break;
            case FrameKind.ChannelList:
                _ = ChannelListCodec.DecodeReply(reply);
                break;
            case FrameKind.RpcReply when reply![4] != (byte)RpcStatus.Ok || !reply.AsSpan(5).SequenceEqual(new byte[] { 0xA2, (byte)'h', (byte)'i' }):
                throw new FuzzFailure($"main.echo answered the control child with status {reply[4]}: {Convert.ToHexString(reply)}");
        }
    }

    /// <summary>The main process's own code reads what children wrote: only documented errors may come out.</summary>
    private static void MainStep(Random random, FirnApp app, List<(string Method, Task Call)> calls, List<string> trace)
    {
        var key = random.Pick(FrameGenerator.Keys);
        var channel = random.Pick(["c0", "c2", "shared"]);
        var method = random.Pick(["m0", "m1", "main.echo"]);
        var action = random.Next(7);
        trace.Add(action switch
        {
            0 => "main: get all",
            1 => $"main: get '{key}'",
            2 => "main: keys and increment 'n'",
            3 => "main: list channels",
            4 => $"main: receive on '{channel}'",
            5 => "main: publish",
            _ => $"main: call '{method}'",
        });
        try
        {
            switch (action)
            {
                case 0:
                    _ = app.SharedMemory.GetAll();
                    break;
                case 1:
                    _ = app.SharedMemory.Get<object?>(key);
                    break;
                case 2:
                    _ = app.SharedMemory.Keys;
                    _ = app.SharedMemory.Increment("n");
                    break;
                case 3:
                    _ = app.Supervisor!.GetChannels();
                    break;
                case 4:
                    var receiver = app.GetChannel<object?>(channel);
                    for (var i = 0; i < 16; i++)
                    {
                        try
                        {
                            if (!receiver.TryReceive(out _))
                            {
                                break;
                            }
                        }
                        catch (MessagePackSerializationException)
                        {
                            // A message that does not read as object: that receive fails, the next goes on.
                        }
                    }

                    break;
                case 5:
                    app.SharedMemory.Publish("t0", "from main");
                    break;
                default:
                    var call = app.Rpc.CallAsync<object?>(method, [1], TimeSpan.FromMinutes(5));

                    // Observed even if the case fails before it awaits the call.
                    _ = call.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                    calls.Add((method, call));
                    break;
            }
        }
        catch (Exception ex) when (ex is StoreException or StoreTypeMismatchException or ChannelTypeMismatchException or ChannelClosedException)
        {
            // Documented: another process stored another type, or bytes that do not read; or the channel was typed or closed by a child.
        }
    }

    private async Task ProbeControlAsync(FakeChild control, List<string> problems)
    {
        var id = ++_controlIds;
        var value = new byte[] { 0xCD, (byte)(id >> 8), (byte)id };
        var set = await control.RequestAsync(FrameKind.StoreReply, id, ChildFrames.StoreRequest(id, StoreOperation.Set, "control.probe", "System.Int32", payload: value)).ConfigureAwait(false);
        id = ++_controlIds;
        var get = await control.RequestAsync(FrameKind.StoreReply, id, ChildFrames.StoreRequest(id, StoreOperation.Get, "control.probe")).ConfigureAwait(false);
        if (set is null || get is null || !StoreCodec.DecodeReply(get).Reply.Payload.AsSpan().SequenceEqual(value))
        {
            problems.Add($"the control child's store round trip failed (connection {(control.Closed.IsCompleted ? control.Closed.Result : "open")})");
        }
    }

    private static async Task UntilCallsEndAsync(DispatcherHarness harness, List<string> problems)
    {
        var deadline = DateTime.UtcNow + harness.Timeout;
        while (harness.App.RpcTable.Count > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                problems.Add($"{harness.App.RpcTable.Count} calls are still in the table after every fuzzed child left");
                return;
            }

            await Task.Delay(1).ConfigureAwait(false);
        }
    }

    private async Task StartRoundAsync(long round)
    {
        await EndRoundAsync(checkLeaks: false).ConfigureAwait(false);
        var harness = await DispatcherHarness.StartAsync().ConfigureAwait(false);
        var app = harness.App;
        _roundResources.Add(app.Rpc.Register("main.echo", (object? value) => value));
        _roundResources.Add(app.Rpc.Register("main.stream", (int count) => Count(Math.Clamp(count, 0, 200))));
        _roundResources.Add(app.Rpc.Register("main.slow", (CancellationToken token) => Task.Delay(Timeout.Infinite, token)));
        _roundResources.Add(app.SharedMemory.Subscribe<string>("t0", _ => { }));
        _roundResources.Add(app.SharedMemory.Subscribe<object?>("t.*", _ => { }));
        app.GetChannel<object?>("c1").OnReceive(_ => { });
        // The control child also handles calls, honestly: whatever fuzzed callers do, it must keep its connection.
        var control = harness.Connect("control", keepFrames: false);
        _ = new HonestHandler(control);
        foreach (var (method, id) in new[] { ("control.m", 0xC0DE_FFF0u), ("control.stream", 0xC0DE_FFF1u) })
        {
            if (await control.RequestAsync(FrameKind.RpcRegistered, id, ChildFrames.RpcRegister(id, method)).ConfigureAwait(false) is not [_, _, _, _, 0, ..])
            {
                throw new InvalidOperationException($"The control child could not register '{method}'.");
            }
        }

        _control = control;
        _harness = harness;
        _round = round;
        _nextCase = round * _casesPerRound;
    }

    /// <summary>Disposes the round's main process; first, optionally, counts ended sessions that stay reachable.</summary>
    private async Task<int> EndRoundAsync(bool checkLeaks)
    {
        var leaks = 0;
        if (_harness is not null && checkLeaks)
        {
            leaks = await CountLeakedSessionsAsync(_harness).ConfigureAwait(false);
        }

        foreach (var resource in _roundResources)
        {
            resource.Dispose();
        }

        _roundResources.Clear();
        _endedSessions.Clear();
        if (_harness is not null)
        {
            await _harness.DisposeAsync().ConfigureAwait(false);
        }

        _harness = null;
        _control = null;
        _round = -1;
        return leaks;
    }

    /// <summary>After a failure the round's state is suspect: the next case starts a new one.</summary>
    private async Task AbandonRoundAsync()
    {
        try
        {
            await EndRoundAsync(checkLeaks: false).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The failure being reported matters more than a failure to clean up after it.
        catch
#pragma warning restore CA1031
        {
            _harness = null;
            _round = -1;
        }
    }

    /// <summary>
    /// Ended sessions still reachable after full collections, other than the senders of messages the router still holds
    /// (kept on purpose until those messages are consumed). Threads that just ran a session may hold it for a moment,
    /// so it polls before it counts a session as leaked.
    /// </summary>
    private async Task<int> CountLeakedSessionsAsync(DispatcherHarness harness)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var leaked = CountReachable(harness.App.Router.SendersOfHeldMessages());
            if (leaked == 0 || DateTime.UtcNow > deadline)
            {
                return leaked;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int CountReachable(IReadOnlySet<Routing.RouterPeer> held)
    {
        var heldSessions = held.OfType<Routing.SessionRouterPeer>().Select(peer => peer.Session).ToHashSet();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return _endedSessions.Count(w => w.TryGetTarget(out var session) && !heldSessions.Contains(session));
    }

    private static async IAsyncEnumerable<int> Count(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }

    private static string Hex(byte[] bytes) => bytes.Length <= 96 ? Convert.ToHexString(bytes) : $"{Convert.ToHexString(bytes.AsSpan(0, 96))}... ({bytes.Length} bytes)";
}
