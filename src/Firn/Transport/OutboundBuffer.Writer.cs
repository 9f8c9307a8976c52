using System.Diagnostics;
using Holder = Firn.Transport.OutboundWriterRole.Holder;

namespace Firn.Transport;

/// <content>
/// The writer's side: the write loop's turn and batches, the inline write of an idle buffer, and what a write settles
/// (flush waiters, room, congestion).
/// </content>
internal sealed partial class OutboundBuffer
{
    /// <summary>Raised after the writer role was handed to the write loop (its owner makes sure a writer is there to take it).</summary>
    public event Action? LoopTurnGiven;

    /// <summary>Whether a turn was handed to the write loop and not yet taken.</summary>
    public bool HasPendingTurn => _role.HasPendingTurn;

    /// <summary>The write loop waits for its turn (the writer role); false if none came within <paramref name="timeout"/>.</summary>
    public bool WaitForTurn(TimeSpan timeout) => _role.WaitForTurn(timeout);

    /// <summary>
    /// The write loop, holding the role, takes what an inline write could not finish, or everything buffered. An empty
    /// segment means nothing is left: the role is given back, unless the buffer was completed (<paramref name="ended"/>).
    /// </summary>
    /// <remarks>The returned array stays valid until the next call. Only the write loop calls this.</remarks>
    public ArraySegment<byte> TakeForLoop(out bool ended)
    {
        lock (_lock)
        {
            Debug.Assert(_role.Current == Holder.Loop && _role.LoopHasRole, "Only the write loop, holding the role, takes batches.");
            ended = false;
            if (_frames.TryTakeCarry(out var carry))
            {
                AssertInvariantsLocked();
                return carry;
            }

            var taken = _frames.Take();
            if (taken.Count == 0)
            {
                if (_completed)
                {
                    ended = true;
                }
                else
                {
                    _role.ReleaseLoop();
                }
            }

            AssertInvariantsLocked();
            return taken;
        }
    }

    /// <summary>An asynchronous write loop's turn (for tests and hosts without threads): the next batch, or an empty segment at the end.</summary>
    public async ValueTask<ArraySegment<byte>> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _role.WaitForTurnAsync(cancellationToken).ConfigureAwait(false);
            var batch = TakeForLoop(out var ended);
            if (batch.Count > 0 || ended)
            {
                return batch;
            }
        }
    }

    /// <summary>Called by the write loop after a batch was written; raises <see cref="Drained"/> when congestion has cleared.</summary>
    public void OnBatchWritten()
    {
        bool drained;
        List<TaskCompletionSource<bool>>? flushed;
        List<RoomRequest>? granted;
        lock (_lock)
        {
            drained = CountWrittenLocked(_frames.InFlight, out flushed, out granted);
            AssertInvariantsLocked();
        }

        Settle(flushed, drained, granted);
    }

    /// <summary>
    /// Called by the write loop after it wrote <paramref name="bytes"/> of the batch in hand (it writes a large batch in
    /// parts, so that what the peer has already read stops counting against the limits before the whole batch is out).
    /// </summary>
    public void OnWritten(int bytes)
    {
        bool drained;
        List<TaskCompletionSource<bool>>? flushed;
        List<RoomRequest>? granted;
        lock (_lock)
        {
            drained = CountWrittenLocked(bytes, out flushed, out granted);
            AssertInvariantsLocked();
        }

        Settle(flushed, drained, granted);
    }

    /// <summary>
    /// Completes with <see langword="true"/> once every byte appended before this call has been written to the socket
    /// (handed to the kernel, which delivers it even if this process dies next), or <see langword="false"/> if the
    /// connection closed first.
    /// </summary>
    public Task<bool> WaitUntilWrittenAsync()
    {
        lock (_lock)
        {
            var written = _flushWaiters.WaitFor(_frames.Appended, _frames.Written);
            AssertInvariantsLocked();
            return written;
        }
    }

    /// <summary>The connection is gone: whoever waits for a flush learns that it will not happen.</summary>
    public void AbandonWaiters()
    {
        List<(long Target, TaskCompletionSource<bool> Done)>? waiters;
        lock (_lock)
        {
            waiters = _flushWaiters.Abandon();
            AssertInvariantsLocked();
        }

        waiters?.ForEach(w => w.Done.TrySetResult(false));
    }

    /// <summary>Uses a turn of the writer role: wakes the write loop, or writes inline. Called outside the lock.</summary>
    internal void TakeTurn(Holder turn)
    {
        if (turn == Holder.Loop)
        {
            GiveLoopTurn();
        }
        else if (turn == Holder.Inline)
        {
            WriteInline();
        }
    }

    /// <summary>
    /// Writes on this thread what is buffered, once, without blocking. The role then goes back (nothing more to write),
    /// or to the loop (the socket took only part, or more was appended meanwhile).
    /// </summary>
    private void WriteInline()
    {
        ArraySegment<byte> batch;
        lock (_lock)
        {
            Debug.Assert(_role.Current == Holder.Inline, "Only the holder of the inline role writes inline.");
            batch = _frames.Take();
            if (batch.Count == 0)
            {
                _role.ReleaseInline();
                AssertInvariantsLocked();
                return;
            }

            AssertInvariantsLocked();
        }

        var sent = InlineWriter!.TrySend(batch);
        if (sent < 0)
        {
            // The connection is failing; its close completes the buffer. The role stays taken: nothing more is written.
            InlineWriter.OnSendFailed();
            return;
        }

        bool drained;
        List<TaskCompletionSource<bool>>? flushed;
        List<RoomRequest>? granted;
        var toLoop = false;
        lock (_lock)
        {
            drained = CountWrittenLocked(sent, out flushed, out granted);
            if (sent < batch.Count)
            {
                _frames.Carry(batch[sent..]);
                toLoop = true;
            }
            else if (_frames.HasWork || _completed)
            {
                toLoop = true;
            }

            if (toLoop)
            {
                _role.PassInlineToLoop();
            }
            else
            {
                _role.ReleaseInline();
            }

            AssertInvariantsLocked();
        }

        if (toLoop)
        {
            GiveLoopTurn();
        }

        if (flushed is not null || drained || granted is not null)
        {
            // Flush waiters and the router (which takes its own locks) must not run on an appender, which may hold one.
            ThreadPool.UnsafeQueueUserWorkItem(
                static state => state.Buffer.Settle(state.Flushed, state.Drained, state.Granted),
                (Buffer: this, Flushed: flushed, Drained: drained, Granted: granted),
                preferLocal: false);
        }
    }

    private void GiveLoopTurn()
    {
        _role.GiveTurnToLoop();
        LoopTurnGiven?.Invoke();
    }

    /// <summary>Counts written bytes; returns whether congestion cleared, and which flush waiters and room requests are done. Call under the lock.</summary>
    private bool CountWrittenLocked(int bytes, out List<TaskCompletionSource<bool>>? flushed, out List<RoomRequest>? granted)
    {
        _role.NoteWriteEnded();
        _frames.CountWritten(bytes);
        flushed = _flushWaiters.Release(_frames.Written);

        // Room was made: frames waiting for it go next (their appends are written by the writer that called this).
        granted = _limits.HasWaiting ? _limits.Grant() : null;
        return _limits.TakeDrained();
    }

    private void Settle(List<TaskCompletionSource<bool>>? flushed, bool drained, List<RoomRequest>? granted = null)
    {
        granted?.ForEach(request => request.Done!.TrySetResult(true));
        flushed?.ForEach(done => done.TrySetResult(true));
        if (drained)
        {
            Drained?.Invoke();
        }
    }
}
