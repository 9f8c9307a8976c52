using Firn.TestChild.Contracts;
using Firn.Tests.Support;

namespace Firn.Tests.Contracts;

/// <summary>Settings a contract test may change for a target of its own; everything else is the tests' usual setting.</summary>
internal sealed record ContractSettings(int MaxCallsInFlight = 65_536, int StoreMaxKeys = 1_000_000);

/// <summary>
/// What a contract test runs against: the process under test (<see cref="Subject"/>), and the main process
/// (<see cref="Main"/>, with <see cref="Peer"/> running operations in it) to talk with and to observe (its router,
/// store, call table and log). Three flavours: the main process alone (it is its own peer), a child hosted in the
/// test process over a real socket (<see cref="LoopbackChild"/>), and a real child process running Firn.TestChild's
/// "contract" scenario.
/// </summary>
internal sealed class ContractTarget : IAsyncDisposable
{
    /// <summary>The main process's <see cref="FirnAppOptions.ChannelSendWindow"/>.</summary>
    public const int SendWindow = 1024;

    private readonly Func<ValueTask> _dispose;

    private ContractTarget(string flavour, FirnApp main, TestLog log, ContractSide subject, Func<ValueTask> dispose)
    {
        Flavour = flavour;
        Main = main;
        Log = log;
        Subject = subject;
        Peer = new LocalSide(new ContractOperations(main));
        _dispose = dispose;
    }

    public string Flavour { get; }

    /// <summary>The main process (in the test process).</summary>
    public FirnApp Main { get; }

    /// <summary>Every log line of the test process: the main process's, a hosted child's, and what a real child wrote.</summary>
    public TestLog Log { get; }

    /// <summary>The process under test.</summary>
    public ContractSide Subject { get; }

    /// <summary>The main process, for the other end of what the subject does.</summary>
    public ContractSide Peer { get; }

    /// <summary>Whether the process under test is the main process (the main-alone flavour).</summary>
    public bool SubjectIsMain => Subject.ProcessName == Main.ProcessName;

    public static async Task<ContractTarget> MainAloneAsync(ContractSettings settings, Func<FirnAppOptions, FirnAppOptions>? backend = null)
    {
        var log = new TestLog();
        var main = await TestApps.StartAsync(CreateMain(log, settings, backend));
        return new ContractTarget("main alone", main, log, new LocalSide(new ContractOperations(main)), main.DisposeAsync);
    }

    public static async Task<ContractTarget> InProcessChildAsync(ContractSettings settings, Func<FirnAppOptions, FirnAppOptions>? backend = null)
    {
        var log = new TestLog();
        var main = await TestApps.StartAsync(CreateMain(log, settings, backend));
        LoopbackChild child;
        try
        {
            child = await LoopbackChild.StartAsync(main, "loopback", log);
        }
        catch
        {
            await main.DisposeAsync();
            throw;
        }

        return new ContractTarget("in-process child", main, log, new LocalSide(new ContractOperations(child.App)), async () =>
        {
            try
            {
                await child.DisposeAsync();
            }
            finally
            {
                await main.DisposeAsync();
            }
        });
    }

    public static async Task<ContractTarget> RealChildAsync(ContractSettings settings, Func<FirnAppOptions, FirnAppOptions>? backend = null)
    {
        const string name = "child";
        var log = new TestLog();
        var created = CreateMain(log, settings, backend);
        created.AddProcess(name, TestApps.Child(ContractScenarios.Name));
        var main = await TestApps.StartAsync(created);
        try
        {
            var subject = new RemoteSide(main, name);
            var ready = await main.NextReportAsync(name);
            return ready == "ready" ? new ContractTarget("real child", main, log, subject, main.DisposeAsync) : throw new InvalidOperationException($"The contract child reported '{ready}'.");
        }
        catch
        {
            await main.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _dispose();

    /// <summary>A main process set up as <see cref="TestApps.Create(TestLog, FirnAppOptions?, ValueTuple{string, string[]}[])"/> sets one up.</summary>
    /// <remarks><paramref name="backend"/> changes the options (Firn.Redis's UseRedis, say).</remarks>
    private static FirnApp CreateMain(TestLog log, ContractSettings settings, Func<FirnAppOptions, FirnAppOptions>? backend) => new(ApplyBackend(backend, new FirnAppOptions
    {
        LoggerFactory = log.Factory,
        ChannelSendWindow = SendWindow,
        ShutdownTimeout = TimeSpan.FromSeconds(10),
        MaxCallsInFlight = settings.MaxCallsInFlight,
        StoreMaxKeys = settings.StoreMaxKeys,
        StartTimeout = TestApps.Timeout,
        HandleSignals = false,
        SocketDirectory = "/tmp",
    }));

    private static FirnAppOptions ApplyBackend(Func<FirnAppOptions, FirnAppOptions>? backend, FirnAppOptions options) => backend?.Invoke(options) ?? options;
}
