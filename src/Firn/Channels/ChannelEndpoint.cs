using System.Diagnostics;
using Firn.Failures;
using Firn.Meters;

namespace Firn.Channels;

/// <summary>
/// This process's untyped end of one channel: send credits granted by the router, the inbound buffer of
/// delivered payloads, the receive mode, and acknowledgements. <see cref="Channel{T}"/> is its typed face.
/// </summary>
internal sealed class ChannelEndpoint
{
    /// <summary>The longest an acknowledgement waits for its batch.</summary>
    internal static readonly TimeSpan AckDelay = TimeSpan.FromMilliseconds(100);

    private readonly IRouterLink _link;
    private readonly SendCredits _credits;
    private readonly CancellationTokenSource _closed = new();
    private readonly CancellationTokenSource _draining = new();
    private readonly List<Task> _consumerLoops = [];
    private readonly Inbox _inbound = new();
    private readonly Lock _modeLock = new();
    private readonly int _ackBatch;
    private int _pendingAcks;
    private Timer? _ackTimer;
    private string? _closeReason;
    private volatile bool _sendClosed;

    /// <summary>0, or 1 + the <see cref="DisconnectReason"/> when the lost connection closed this channel (not a process's Close).</summary>
    private int _disconnected;

    private readonly SendBudget _budget;

    public ChannelEndpoint(string name, Type messageType, ChannelBinding binding, ChannelOptions options, IRouterLink link, SendBudget budget, FirnMetrics? metrics = null)
    {
        Metrics = metrics ?? FirnMetrics.Disabled;
        _budget = budget;
        Name = name;
        MessageType = messageType;
        Id = binding.ChannelId;
        SendWindow = binding.SendWindow;
        Options = options;
        _link = link;
        _credits = new SendCredits(binding.SendWindow);
        _ackBatch = Math.Max(1, options.ReceiveBufferSize / 4);
    }

    public string Name { get; }

    /// <summary>This process's instruments.</summary>
    public FirnMetrics Metrics { get; }

    public Type MessageType { get; }

    public uint Id { get; }

    public int SendWindow { get; }

    public ChannelOptions Options { get; }

    public ReceiveMode Mode { get; private set; }

    /// <summary>Whether the channel was closed, by the router or by this process (sends are refused at once).</summary>
    public bool IsClosed => _sendClosed || _closed.IsCancellationRequested;

    /// <summary>Whether this process is shutting down: consumers stop taking messages and acknowledge at once.</summary>
    public bool IsDraining => _draining.IsCancellationRequested;

    /// <summary>Fires when this process starts shutting down.</summary>
    public CancellationToken DrainToken => _draining.Token;

    public string ProcessName => _link.ProcessName;

    /// <summary>Delivered messages not yet consumed in this process.</summary>
    public int BufferedCount => _inbound.Count;

    /// <summary>Send credits left before this process must wait.</summary>
    public int AvailableCredits => _credits.Available;

    public Inbox Inbound => _inbound;

    /// <summary>Fixes the receive mode on first use and attaches to the router; throws if the other mode is in use.</summary>
    public void EnsureMode(ReceiveMode wanted)
    {
        Debug.Assert(wanted != ReceiveMode.None, "A receive call always wants a concrete mode.");
        lock (_modeLock)
        {
            if (Mode == wanted)
            {
                return;
            }

            if (Mode != ReceiveMode.None)
            {
                throw new InvalidOperationException(
                    $"Channel '{Name}' is in {Mode.ToString().ToLowerInvariant()} mode in process '{ProcessName}'; it cannot also be used in {wanted.ToString().ToLowerInvariant()} mode. " +
                    (Mode == ReceiveMode.Passive
                        ? "Handlers were registered with OnReceive, so Receive/ReceiveAsync/TryReceive/ReadAllAsync are not allowed here. Use a second channel for pulling messages."
                        : "Messages are pulled with Receive/ReceiveAsync/TryReceive/ReadAllAsync, so OnReceive is not allowed here. Use a second channel for handlers."));
            }

            if (!IsClosed)
            {
                _link.Attach(Id, Options.ReceiveBufferSize, wanted);
            }

            Mode = wanted;
        }
    }

    /// <summary>Takes one send credit and room for <paramref name="size"/> bytes in the process's budget, without waiting.</summary>
    public bool TryTakeCredit(int size)
    {
        ThrowIfClosed();
        if (!_credits.TryTake())
        {
            return false;
        }

        if (_budget.TryTake(size))
        {
            return true;
        }

        _credits.Add(1);
        return false;
    }

    /// <summary>Waits for one send credit and room for <paramref name="size"/> bytes, or throws if the channel closes or <paramref name="cancellationToken"/> fires.</summary>
    public void TakeCredit(int size, CancellationToken cancellationToken)
    {
        if (TryTakeCredit(size))
        {
            return;
        }

        ThrowIfFull();
        var waitStart = Metrics.StartCreditWait();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        try
        {
            _credits.Take(linked.Token);
            try
            {
                _budget.Take(size, linked.Token);
                Metrics.WaitedForCredit(waitStart, Name);
            }
            catch
            {
                _credits.Add(1);
                throw;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw ClosedException();
        }
    }

    /// <summary>Async form of <see cref="TakeCredit"/>.</summary>
    public async ValueTask TakeCreditAsync(int size, CancellationToken cancellationToken)
    {
        if (TryTakeCredit(size))
        {
            return;
        }

        ThrowIfFull();
        var waitStart = Metrics.StartCreditWait();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        try
        {
            await _credits.TakeAsync(linked.Token).ConfigureAwait(false);
            try
            {
                await _budget.TakeAsync(size, linked.Token).ConfigureAwait(false);
                Metrics.WaitedForCredit(waitStart, Name);
            }
            catch
            {
                _credits.Add(1);
                throw;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw ClosedException();
        }
    }

    /// <summary>Gives back a credit taken for a message that was not sent after all.</summary>
    public void ReturnCredit() => _credits.Add(1);

    public void Send(ReadOnlySpan<byte> payload) => _link.Send(Id, payload);

    /// <summary>Whether a message sent here may carry trace context.</summary>
    public bool CarriesTraceContext => _link.CarriesTraceContext;

    /// <summary>
    /// Counts one consumed message; acknowledgements go to the router in batches of a quarter of the window, so the
    /// router always has room to deliver more. A consumer flushes the rest before it waits for more; with
    /// <paramref name="flushWhenEmpty"/> (an active receiver, who may not come back soon) it is flushed when the buffer runs dry.
    /// Whatever none of these flushes goes out within <see cref="AckDelay"/>: a receiver that takes one message and works
    /// on it long while others wait in its buffer must not leave it unacknowledged, to be delivered again after a crash.
    /// </summary>
    public void Consumed(bool flushWhenEmpty = false)
    {
        var pending = Interlocked.Increment(ref _pendingAcks);
        if (pending >= _ackBatch || IsDraining || (flushWhenEmpty && _inbound.IsEmpty))
        {
            FlushAcks();
        }
        else if (pending == 1)
        {
            // The first of a batch arms the timer (a later one finds it armed; a flush before it fires leaves it nothing).
            AckTimer().Change(AckDelay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The timer that flushes a batch no consumer flushed, made once (a channel whose batches always flush never needs it).</summary>
    private Timer AckTimer()
    {
        if (Volatile.Read(ref _ackTimer) is { } timer)
        {
            return timer;
        }

        var made = new Timer(static state => ((ChannelEndpoint)state!).FlushAcksLate(), this, Timeout.Infinite, Timeout.Infinite);
        var won = Interlocked.CompareExchange(ref _ackTimer, made, null);
        if (won is not null)
        {
            made.Dispose();
            return won;
        }

        return made;
    }

    /// <summary>The timer's flush: on a pool thread, where a connection or app that is gone must not throw.</summary>
    private void FlushAcksLate()
    {
        try
        {
            FlushAcks();
        }
        catch (Exception ex) when (ex is FirnException or ObjectDisposedException)
        {
            // Gone meanwhile: what was not acknowledged is delivered again, as after any loss of the connection.
        }
    }

    public void FlushAcks()
    {
        var count = Interlocked.Exchange(ref _pendingAcks, 0);
        if (count > 0 && !IsClosed)
        {
            _link.Ack(Id, count);
        }
    }

    /// <summary>
    /// Closes the channel: sends from this process are refused at once; receivers here end when the
    /// router's notice arrives, after whatever it still delivers first.
    /// </summary>
    public void Close()
    {
        _sendClosed = true;
        _closeReason ??= $"closed by process '{ProcessName}'";
        _link.Close(Id);
    }

    /// <summary>Registers a loop that consumes messages, so shutdown can wait for it.</summary>
    public void AddConsumerLoop(Task loop)
    {
        lock (_consumerLoops)
        {
            _consumerLoops.Add(loop);
        }
    }

    /// <summary>Stops consumers from taking more messages; completes when they have finished the one in hand.</summary>
    public Task DrainAsync()
    {
        _draining.Cancel();
        _inbound.Interrupt();
        lock (_consumerLoops)
        {
            return Task.WhenAll(_consumerLoops);
        }
    }

    // Called by the process's router link when frames arrive.
    public void OnDelivered(ReadOnlyMemory<byte> payload) => _inbound.Write(payload);

    public void OnDelivered(ReadOnlySpan<ReadOnlyMemory<byte>> payloads) => _inbound.WriteMany(payloads);

    public void OnCredit(int count) => _credits.Add(count);

    public void OnClosed(string reason)
    {
        _closeReason ??= reason;
        _closed.Cancel();
        _inbound.Complete();
    }

    /// <summary>The connection to the main process is lost: unless a process closed the channel before, it now fails with the disconnect.</summary>
    public void OnDisconnected(DisconnectReason reason)
    {
        if (!IsClosed)
        {
            Volatile.Write(ref _disconnected, (int)reason + 1);
        }

        OnClosed("the connection to the main process was lost");
    }

    /// <summary>Why this channel can no longer be used: it was closed (<see cref="ChannelClosedException"/>), or the connection to the main process was lost (<see cref="FirnDisconnectedException"/>).</summary>
    public FirnException ClosedException() => Volatile.Read(ref _disconnected) is var disconnected and not 0
        ? FirnErrors.Disconnected((DisconnectReason)(disconnected - 1), $"Channel '{Name}' cannot be used")
        : FirnErrors.ChannelClosed(Name, _closeReason);

    public void ThrowIfClosed()
    {
        if (IsClosed)
        {
            throw ClosedException();
        }
    }

    private void ThrowIfFull()
    {
        if (Options.FullMode == ChannelFullMode.Fail)
        {
            throw FirnErrors.ChannelFull(Name, ProcessName, SendWindow, _budget.Outstanding);
        }
    }
}
