using System.Collections.Concurrent;

namespace Firn.TestChild.Contracts;

/// <summary>
/// The operations a contract test runs in the process under test, through the public API of that process's
/// <see cref="FirnApp"/> only. The tests run them in the test process (a main process, or a child hosted there) and,
/// through <see cref="ContractScenarios"/>, in a real child process: the same code in every role. Arguments and results
/// are text; an operation that throws fails its command with that exception.
/// </summary>
/// <remarks>
/// Handlers and subscriptions an operation sets up record what they see in collectors, and those that must block wait
/// at gates; both are named by the test, which reads and opens them with further operations. Every wait is bounded.
/// </remarks>
public sealed partial class ContractOperations
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    private readonly FirnApp _app;
    private readonly ConcurrentDictionary<string, ContractCollector> _collectors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ContractGate> _gates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _cancellations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IDisposable> _handles = new(StringComparer.Ordinal);

    /// <summary>Runs operations against <paramref name="app"/>.</summary>
    /// <param name="app">The process under test's app.</param>
    public ContractOperations(FirnApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _app = app;
    }

    /// <summary>The name of the process the operations run in.</summary>
    public string ProcessName => _app.ProcessName;

    /// <summary>Runs <paramref name="command"/> and describes its outcome.</summary>
    /// <param name="command">The command.</param>
    /// <returns>Its result or its exception.</returns>
    public async Task<ContractReply> ReplyAsync(ContractCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        try
        {
            return new ContractReply(command.Id, await ExecuteAsync(command.Op, command.Args), null);
        }
#pragma warning disable CA1031 // Any exception is the operation's outcome, which the test asserts on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new ContractReply(command.Id, null, ContractError.From(ex));
        }
    }

    /// <summary>Runs one operation.</summary>
    /// <param name="op">Its name: "feature.operation" (see each feature's part of this class).</param>
    /// <param name="args">Its arguments.</param>
    /// <returns>Its result as text.</returns>
    public async Task<string?> ExecuteAsync(string op, string[] args)
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentNullException.ThrowIfNull(args);
        var feature = op[..Math.Max(0, op.IndexOf('.', StringComparison.Ordinal))];
        return feature switch
        {
            "channel" => await ChannelAsync(op, args),
            "store" => await StoreAsync(op, args),
            "pubsub" => await PubSubAsync(op, args),
            "events" => await EventsAsync(op, args),
            "rpc" => await RpcAsync(op, args),
            _ => await CommonAsync(op, args),
        };
    }

    private async Task<string?> CommonAsync(string op, string[] a)
    {
        switch (op)
        {
            case "op.cancel":
                // args: cancellation id. Cancels the operations that were given that id (now or later).
                await Cancellation(a[0]).CancelAsync();
                return "cancelled";

            case "op.dispose":
                // args: handle id (a subscription, a registration, a passive handler).
                return ContractValues.Format(_handles.TryRemove(a[0], out var handle) && Dispose(handle));

            case "gate.open":
                Gate(a[0]).Open();
                return "open";

            case "gate.entered":
                // args: gate, count. Waits until that many handlers reached the gate.
                await Gate(a[0]).Entered.WaitAsync(ContractValues.Int(a[1]), WaitLimit);
                return "entered";

            case "collector.wait":
                // args: collector, count. Waits until it has that many items; returns every item so far, one a line.
                return string.Join('\n', await Collector(a[0]).WaitAsync(ContractValues.Int(a[1]), WaitLimit));

            case "collector.items":
                return string.Join('\n', Collector(a[0]).Snapshot());

            default:
                throw new ArgumentException($"Unknown contract operation '{op}'.", nameof(op));
        }
    }

    private static bool Dispose(IDisposable handle)
    {
        handle.Dispose();
        return true;
    }

    private static ContractKind Kind(string name) => ContractKind.Of(name);

    private ContractCollector Collector(string id) => _collectors.GetOrAdd(id, _ => new ContractCollector());

    private ContractGate Gate(string id) => _gates.GetOrAdd(id, _ => new ContractGate());

    private CancellationTokenSource Cancellation(string id) => _cancellations.GetOrAdd(id, _ => new CancellationTokenSource());

    /// <summary>The token of a cancellation id; none for an empty id.</summary>
    private CancellationToken Token(string id) => id.Length == 0 ? CancellationToken.None : Cancellation(id).Token;

    private void Keep(string id, IDisposable handle)
    {
        if (!_handles.TryAdd(id, handle))
        {
            handle.Dispose();
            throw new ArgumentException($"Handle '{id}' is already in use.", nameof(id));
        }
    }

    private static string? Optional(string[] args, int index) => args.Length > index && args[index].Length > 0 ? args[index] : null;
}
