using System.Collections.Concurrent;
using System.Globalization;
using Firn.TestChild.Contracts;
using Firn.Tests.Support;

namespace Firn.Tests.Contracts;

/// <summary>
/// One process's side of a contract test: it runs <see cref="ContractOperations"/> there and returns their result, or
/// throws what they threw. Arguments are written as text (numbers invariant, time spans in milliseconds, null empty).
/// </summary>
internal abstract class ContractSide
{
    protected ContractSide(string processName) => ProcessName = processName;

    /// <summary>The process the operations run in.</summary>
    public string ProcessName { get; }

    /// <summary>Runs <paramref name="op"/>; waits at most <see cref="TestApps.Timeout"/> for it.</summary>
    public abstract Task<string?> RunAsync(string op, params object?[] args);

    /// <summary>Runs <paramref name="op"/>, which returns text.</summary>
    public async Task<string> TextAsync(string op, params object?[] args) => await RunAsync(op, args) ?? throw new InvalidOperationException($"'{op}' returned nothing.");

    /// <summary>Runs <paramref name="op"/>, which returns lines (none for an empty result).</summary>
    public async Task<string[]> LinesAsync(string op, params object?[] args)
    {
        var text = await TextAsync(op, args);
        return text.Length == 0 ? [] : text.Split('\n');
    }

    protected static string[] Texts(object?[] args) => [.. args.Select(Text)];

    private static string Text(object? arg) => arg switch
    {
        null => string.Empty,
        string text => text,
        bool flag => flag ? "true" : "false",
        TimeSpan span => span == Timeout.InfiniteTimeSpan ? "-1" : ((long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        Enum value => value.ToString(),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"Cannot pass a {arg.GetType()} to a contract operation.", nameof(arg)),
    };

    protected static async Task<T> WithinTimeoutAsync<T>(Task<T> task, string op)
    {
        try
        {
            return await task.WaitAsync(TestApps.Timeout);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new TimeoutException($"Contract operation '{op}' did not finish within {TestApps.Timeout}.");
        }
    }
}

/// <summary>Runs operations on an app of the test process (the main process, or a child hosted there): exceptions are the originals.</summary>
internal sealed class LocalSide(ContractOperations operations) : ContractSide(operations.ProcessName)
{
    public override Task<string?> RunAsync(string op, params object?[] args)
    {
        var texts = Texts(args);

        // On the pool: an operation that blocks (a sync receive) must not hold the test's thread.
        return WithinTimeoutAsync(Task.Run(() => operations.ExecuteAsync(op, texts)), op);
    }
}

/// <summary>
/// Runs operations in a real child process running the "contract" scenario: commands go over a channel, replies come
/// back over another, and an exception is rebuilt as its own type with its message and properties (see <see cref="ContractErrors"/>).
/// </summary>
internal sealed class RemoteSide : ContractSide
{
    private readonly Channel<ContractCommand> _commands;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<ContractReply>> _pending = new();
    private long _nextId;

    public RemoteSide(FirnApp main, string processName)
        : base(processName)
    {
        _commands = main.GetChannel<ContractCommand>(ContractScenarios.CommandChannel(processName));
        main.GetChannel<ContractReply>(ContractScenarios.ReplyChannel(processName)).OnReceive(reply =>
        {
            if (_pending.TryRemove(reply.Id, out var waiting))
            {
                waiting.TrySetResult(reply);
            }
        });
    }

    public override async Task<string?> RunAsync(string op, params object?[] args)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<ContractReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        await _commands.SendAsync(new ContractCommand(id, op, Texts(args)));
        var outcome = await WithinTimeoutAsync(reply.Task, op);
        return outcome.Error is { } error ? throw ContractErrors.Rebuild(error) : outcome.Value;
    }
}
