namespace Firn.TestChild.Contracts;

/// <summary>What a handler of the process under test saw (messages, publications, events, handler calls), in order.</summary>
internal sealed class ContractCollector
{
    private readonly List<string> _items = [];
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private int _running;

    /// <summary>The most handlers of this collector that ran at once.</summary>
    public int MaxConcurrent { get; private set; }

    public int Count
    {
        get
        {
            lock (_items)
            {
                return _items.Count;
            }
        }
    }

    public void Add(string item)
    {
        lock (_items)
        {
            _items.Add(item);
            foreach (var waiter in _waiters.Where(w => _items.Count >= w.Count))
            {
                waiter.Reached.TrySetResult();
            }
        }
    }

    /// <summary>Marks a handler running; dispose the result when it returns.</summary>
    public IDisposable Enter()
    {
        lock (_items)
        {
            _running++;
            MaxConcurrent = Math.Max(MaxConcurrent, _running);
        }

        return new Exit(this);
    }

    /// <summary>Waits until <paramref name="count"/> items arrived; returns every item so far.</summary>
    public async Task<IReadOnlyList<string>> WaitAsync(int count, TimeSpan timeout)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_items)
        {
            if (_items.Count >= count)
            {
                return [.. _items];
            }

            _waiters.Add((count, reached));
        }

        try
        {
            await reached.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Only {Count} of {count} items arrived within {timeout}: {string.Join(" | ", Snapshot())}");
        }

        return Snapshot();
    }

    public IReadOnlyList<string> Snapshot()
    {
        lock (_items)
        {
            return [.. _items];
        }
    }

    private sealed class Exit(ContractCollector owner) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._items)
            {
                owner._running--;
            }
        }
    }
}

/// <summary>Holds the handlers of the process under test that wait on it until a test opens it.</summary>
internal sealed class ContractGate
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Counts the handlers that reached the gate.</summary>
    public ContractCollector Entered { get; } = new();

    public Task PassAsync(CancellationToken token)
    {
        Entered.Add("entered");
        return _open.Task.WaitAsync(token);
    }

    public void Open() => _open.TrySetResult();
}
