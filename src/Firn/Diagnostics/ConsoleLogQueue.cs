namespace Firn.Diagnostics;

/// <summary>
/// The lines of a <see cref="FirnConsoleLoggerProvider"/>, written to standard output by one dedicated thread, so that a
/// caller never waits for the console: a supervisor logging a state change must not stall when nobody reads its output.
/// When <see cref="Capacity"/> lines wait, further lines are dropped and counted; the writer reports the count after the
/// lines it took, once the queue has room again.
/// </summary>
internal sealed class ConsoleLogQueue : IDisposable
{
    /// <summary>How many lines may wait for the console; a line beyond them is dropped.</summary>
    public const int DefaultCapacity = 1024;

    /// <summary>The longest a dispose or the end of the process waits for the queued lines to be written.</summary>
    public static readonly TimeSpan FlushBound = TimeSpan.FromSeconds(2);

    private readonly object _gate = new();
    private readonly Queue<string> _lines = new();
    private readonly TextWriter? _writer;
    private readonly Func<int, string> _dropNotice;
    private readonly Thread _thread;
    private long _enqueued;
    private long _written;
    private int _dropped;
    private bool _writerIdle;
    private bool _disposed;

    /// <param name="writer">Where lines go; null for <see cref="Console.Out"/> as it is at each write.</param>
    /// <param name="capacity">How many lines may wait.</param>
    /// <param name="dropNotice">The line that reports how many lines were dropped.</param>
    public ConsoleLogQueue(TextWriter? writer, int capacity, Func<int, string> dropNotice)
    {
        _writer = writer;
        Capacity = capacity;
        _dropNotice = dropNotice;
        _thread = new Thread(WriteLoop) { IsBackground = true, Name = "Firn console log" };
        _thread.Start();
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;

        // An unhandled exception ends the process without ProcessExit: the lines that led to it must still reach the output.
        AppDomain.CurrentDomain.UnhandledException += OnProcessExit;
    }

    public int Capacity { get; }

    /// <summary>Queues a line, or counts it as dropped when the queue is full. After dispose, writes it at once.</summary>
    public void Enqueue(string line)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                if (_lines.Count >= Capacity)
                {
                    _dropped++;
                    return;
                }

                _lines.Enqueue(line);
                _enqueued++;
                if (_writerIdle)
                {
                    Monitor.PulseAll(_gate);
                }

                return;
            }
        }

        // Late lines of a disposed provider (a background task ending after its app) still reach the console.
        Write([line], 0);
    }

    /// <summary>Waits until every line queued before the call has been written, at most <paramref name="timeout"/>.</summary>
    public bool Flush(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_gate)
        {
            var target = _enqueued;
            while (_written < target)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left))
                {
                    return _written >= target;
                }
            }

            return true;
        }
    }

    /// <summary>Writes what is queued (bounded by <see cref="FlushBound"/>); later lines are written by their caller.</summary>
    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        AppDomain.CurrentDomain.UnhandledException -= OnProcessExit;
        Flush(FlushBound);
        lock (_gate)
        {
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Flush(FlushBound);

    private void WriteLoop()
    {
        while (true)
        {
            string[] batch;
            int dropped;
            lock (_gate)
            {
                while (_lines.Count == 0 && _dropped == 0)
                {
                    if (_disposed)
                    {
                        return;
                    }

                    _writerIdle = true;
                    Monitor.Wait(_gate);
                    _writerIdle = false;
                }

                batch = [.. _lines];
                _lines.Clear();
                dropped = _dropped;
                _dropped = 0;
            }

            Write(batch, dropped);
            lock (_gate)
            {
                _written += batch.Length;
                Monitor.PulseAll(_gate);
            }
        }
    }

    private void Write(string[] batch, int dropped)
    {
        var writer = _writer ?? Console.Out;
        try
        {
            foreach (var line in batch)
            {
                writer.WriteLine(line);
            }

            if (dropped > 0)
            {
                writer.WriteLine(_dropNotice(dropped));
            }

            writer.Flush();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The console is gone (a closed pipe): the lines have nowhere to go.
        }
    }
}
