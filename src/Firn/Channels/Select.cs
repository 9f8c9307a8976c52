using Firn.Channels;

namespace Firn;

/// <summary>
/// Waits on several channels at once and handles the first message that arrives on any of them, like Go's
/// <c>select</c> (and LiteyukiStudio's <c>magicoca.select</c>). Build it with <see cref="Case{T}(Channel{T}, Action{T})"/>,
/// then call <see cref="ReceiveAsync(CancellationToken)"/> in a loop, or <see cref="RunAsync"/>.
/// </summary>
/// <remarks>
/// Every case's channel is received on in active mode in this process from the moment the case is added (so
/// <c>OnReceive</c> on the same channel is refused). A handler runs inline on the calling thread, after its
/// message was consumed; its exception propagates to the caller. When several channels have messages, each call
/// starts scanning just after the case that won the previous call, so a busy channel cannot starve another.
/// A <see cref="Select"/> serves one caller at a time.
/// </remarks>
public sealed class Select
{
    private readonly List<SelectCase> _cases = [];
    private int _next;

    /// <summary>Adds a case: a message on <paramref name="channel"/> runs <paramref name="handler"/>.</summary>
    /// <typeparam name="T">The channel's message type.</typeparam>
    /// <param name="channel">The channel; this process receives on it in active mode from now on.</param>
    /// <param name="handler">Runs with the message.</param>
    /// <returns>This select, for chaining.</returns>
    /// <exception cref="InvalidOperationException">The channel is in passive mode in this process.</exception>
    public Select Case<T>(Channel<T> channel, Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(channel, message =>
        {
            handler(message);
            return Task.CompletedTask;
        });
    }

    /// <summary>Adds a case with an async handler: a message on <paramref name="channel"/> runs <paramref name="handler"/>, which is awaited.</summary>
    /// <typeparam name="T">The channel's message type.</typeparam>
    /// <param name="channel">The channel; this process receives on it in active mode from now on.</param>
    /// <param name="handler">Awaited with the message.</param>
    /// <returns>This select, for chaining.</returns>
    /// <exception cref="InvalidOperationException">The channel is in passive mode in this process.</exception>
    public Select Case<T>(Channel<T> channel, Func<T, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(channel, handler);
    }

    /// <summary>Waits for a message on any case's channel and runs that case.</summary>
    /// <param name="cancellationToken">Stops waiting (not a handler that is running).</param>
    /// <returns><see langword="true"/> once a case ran; <see langword="false"/> when every channel is closed and drained.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while waiting.</exception>
    public async ValueTask<bool> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        RequireCases();
        while (true)
        {
            if (TryTake(out var selectCase, out var payload))
            {
                await selectCase.RunAsync(payload).ConfigureAwait(false);
                return true;
            }

            if (AllCompleted())
            {
                return false;
            }

            await WaitAnyAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for a message on any case's channel and runs that case.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> once a case ran; <see langword="false"/> when every channel is closed and drained.</returns>
    /// <exception cref="TimeoutException">No message arrived in time.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than <see cref="Timeout.InfiniteTimeSpan"/>) or longer than <c>int.MaxValue</c> ms (about 24.8 days).</exception>
    public async ValueTask<bool> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Deadline.Validate(timeout);
        RequireCases();
        using var deadline = Deadline.Start(timeout, cancellationToken);
        try
        {
            return await ReceiveAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.HasExpired(cancellationToken))
        {
            throw new TimeoutException($"No message arrived on any of the channels {Names()} within {timeout}.");
        }
    }

    /// <summary>Runs one case whose channel has a message now, without waiting (Go's <c>default</c>). An async handler is waited for.</summary>
    /// <returns>Whether a case ran.</returns>
    public bool TryReceive()
    {
        RequireCases();
        if (TryTake(out var selectCase, out var payload))
        {
            selectCase.RunAsync(payload).GetAwaiter().GetResult();
            return true;
        }

        FlushAcks();
        return false;
    }

    /// <summary>Runs cases as messages arrive until every channel is closed and drained.</summary>
    /// <param name="cancellationToken">Stops the loop while it waits.</param>
    /// <returns>Completes when every channel is closed and drained; faults with the first handler exception.</returns>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        while (await ReceiveAsync(cancellationToken).ConfigureAwait(false))
        {
        }
    }

    private Select Add<T>(Channel<T> channel, Func<T, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(channel);
        channel.Endpoint.EnsureMode(ReceiveMode.Active);
        _cases.Add(new SelectCase<T>(channel, handler));
        return this;
    }

    private void RequireCases()
    {
        if (_cases.Count == 0)
        {
            throw new InvalidOperationException("A Select needs at least one case: add channels with Case before receiving.");
        }
    }

    /// <summary>Takes one delivered payload, scanning from just after the last winner.</summary>
    private bool TryTake(out SelectCase selectCase, out ReadOnlyMemory<byte> payload)
    {
        var count = _cases.Count;
        for (var i = 0; i < count; i++)
        {
            var index = (_next + i) % count;
            if (_cases[index].Endpoint.Inbound.TryRead(out payload!))
            {
                // Advance before the message is read and handled, so a case that throws does not stay first in line.
                _next = (index + 1) % count;
                selectCase = _cases[index];
                return true;
            }
        }

        selectCase = null!;
        payload = null!;
        return false;
    }

    private bool AllCompleted()
    {
        foreach (var selectCase in _cases)
        {
            if (!selectCase.Endpoint.Inbound.IsFinished)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Waits until some channel that is not finished has a message or finishes. Every wait shares one token that is
    /// cancelled as soon as one of them completes, so the losing waits are released from their channels at once.
    /// </summary>
    private async Task WaitAnyAsync(CancellationToken cancellationToken)
    {
        FlushAcks();
        using var losers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var waits = new List<Task<bool>>(_cases.Count);
        try
        {
            foreach (var selectCase in _cases)
            {
                var inbound = selectCase.Endpoint.Inbound;
                if (inbound.IsFinished)
                {
                    continue;
                }

                var wait = inbound.WaitToReadAsync(losers.Token);
                if (wait.IsCompleted)
                {
                    return;
                }

                waits.Add(wait.AsTask());
            }

            // A channel may have finished since AllCompleted looked; the caller's loop sees it.
            if (waits.Count == 0)
            {
                return;
            }

            await Task.WhenAny(waits).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            await losers.CancelAsync().ConfigureAwait(false);
        }
    }

    private void FlushAcks()
    {
        foreach (var selectCase in _cases)
        {
            selectCase.Endpoint.FlushAcks();
        }
    }

    private string Names() => string.Join(", ", _cases.Select(c => $"'{c.Endpoint.Name}'").Distinct());

    private abstract class SelectCase(ChannelEndpoint endpoint)
    {
        public ChannelEndpoint Endpoint { get; } = endpoint;

        /// <summary>Reads the payload (it counts as consumed even if it cannot be read), then runs the handler.</summary>
        public abstract Task RunAsync(ReadOnlyMemory<byte> payload);
    }

    private sealed class SelectCase<T>(Channel<T> channel, Func<T, Task> handler) : SelectCase(channel.Endpoint)
    {
        public override Task RunAsync(ReadOnlyMemory<byte> payload) => handler(channel.Consume(payload));
    }
}
