using System.Diagnostics;

namespace Firn.Transport;

/// <summary>
/// Who writes an <see cref="OutboundBuffer"/> to its socket: nobody, the thread that appended to it (inline), or the
/// connection's write loop. One holder at a time, so batches go out in the order they were taken.
/// </summary>
/// <remarks>
/// Whoever finds the role free takes it (<see cref="Claim"/>). An appender that takes it writes inline unless the
/// connection wrote less than <see cref="InlineQuietTicks"/> ago (a stream of sends is better batched by the loop than
/// written one system call each); then, and whenever an inline write cannot finish or more was appended meanwhile, the
/// role passes to the loop, which keeps it while there is data and gives it back when it finds none.
/// <para>
/// Not thread-safe: the holder and the last write's time are guarded by the owning buffer's lock. The loop's own view
/// that it holds the role (<see cref="LoopHasRole"/>) is read and written by the write loop only; the turn semaphore
/// has its own lock and is released outside the buffer's.
/// </para>
/// </remarks>
internal sealed class OutboundWriterRole
{
    /// <summary>A connection that wrote this recently is streaming: let the loop batch instead of writing inline.</summary>
    private static readonly long InlineQuietTicks = Stopwatch.Frequency / 50_000;

    private readonly Lock _guard;

    /// <summary>Turns handed to the write loop and not yet taken: at most one.</summary>
    private readonly TurnSemaphore _loopTurn = new();

    /// <summary>Who holds the role (guarded by the owner's lock).</summary>
    private Holder _holder;

    /// <summary>When the last write to the socket ended (<see cref="Stopwatch.GetTimestamp"/>; guarded by the owner's lock).</summary>
    private long _lastWriteEnded;

    /// <summary>Whether the write loop took the turn it was given (the write loop's own; set false with the holder, under the lock).</summary>
    private bool _loopHasRole;

    /// <param name="guard">The owning buffer's lock, which guards this (checked in Debug builds).</param>
    public OutboundWriterRole(Lock guard) => _guard = guard;

    /// <summary>Who holds the writer role; also who a claim made the holder.</summary>
    public enum Holder
    {
        /// <summary>Free; as the result of a claim: a writer holds it already and will see the new data.</summary>
        None,

        /// <summary>The appender that took it writes inline.</summary>
        Inline,

        /// <summary>The write loop (it may not have taken its turn yet).</summary>
        Loop,
    }

    /// <summary>Who holds the role now.</summary>
    public Holder Current => _holder;

    /// <summary>Whether a turn was handed to the write loop and not yet taken.</summary>
    public bool HasPendingTurn => _loopTurn.CurrentCount > 0;

    /// <summary>Whether the write loop holds the role and took its turn (read by the write loop only).</summary>
    public bool LoopHasRole => _loopHasRole;

    /// <summary>
    /// Takes the role if it is free: inline if <paramref name="inlineAllowed"/> and the connection is quiet, else for the
    /// loop (whose turn the caller gives once it has released the lock). Returns the new holder, or
    /// <see cref="Holder.None"/> if the role was held already. With <paramref name="evenIfRecent"/>, inline even if the
    /// connection wrote less than <see cref="InlineQuietTicks"/> ago.
    /// </summary>
    public Holder Claim(bool inlineAllowed, bool evenIfRecent = false)
    {
        Debug.Assert(_guard.IsHeldByCurrentThread, "The writer role is claimed under the buffer's lock.");
        if (_holder != Holder.None)
        {
            return Holder.None;
        }

        _holder = inlineAllowed && (evenIfRecent || Stopwatch.GetTimestamp() - _lastWriteEnded > InlineQuietTicks) ? Holder.Inline : Holder.Loop;
        return _holder;
    }

    /// <summary>The inline writer found nothing more to write: the role is free again.</summary>
    public void ReleaseInline()
    {
        Debug.Assert(_guard.IsHeldByCurrentThread && _holder == Holder.Inline, "Only the inline writer releases the inline role, under the buffer's lock.");
        _holder = Holder.None;
    }

    /// <summary>The inline writer could not finish, or more came: the role passes to the loop (the caller then gives its turn).</summary>
    public void PassInlineToLoop()
    {
        Debug.Assert(_guard.IsHeldByCurrentThread && _holder == Holder.Inline, "Only the inline writer passes its role on, under the buffer's lock.");
        _holder = Holder.Loop;
    }

    /// <summary>The write loop found nothing left: the role is free again, for whoever appends next.</summary>
    public void ReleaseLoop()
    {
        Debug.Assert(_guard.IsHeldByCurrentThread && _holder == Holder.Loop && _loopHasRole, "Only the write loop releases its role, under the buffer's lock.");
        _holder = Holder.None;
        _loopHasRole = false;
    }

    /// <summary>A write to the socket ended now: for a while, appenders leave the writing to the loop.</summary>
    public void NoteWriteEnded() => _lastWriteEnded = Stopwatch.GetTimestamp();

    /// <summary>Hands the role's turn to the write loop (outside the buffer's lock: this may wake the loop).</summary>
    public void GiveTurnToLoop()
    {
        Debug.Assert(!_guard.IsHeldByCurrentThread, "The loop's turn is given outside the buffer's lock.");
        _loopTurn.Release();
    }

    /// <summary>The write loop waits for its turn; false if none came within <paramref name="timeout"/>.</summary>
    public bool WaitForTurn(TimeSpan timeout)
    {
        if (_loopHasRole)
        {
            return true;
        }

        if (!_loopTurn.Wait(timeout))
        {
            return false;
        }

        _loopHasRole = true;
        return true;
    }

    /// <summary>The write loop waits for its turn asynchronously.</summary>
    public async ValueTask WaitForTurnAsync(CancellationToken cancellationToken)
    {
        if (_loopHasRole)
        {
            return;
        }

        await _loopTurn.WaitAsync(cancellationToken).ConfigureAwait(false);
        _loopHasRole = true;
    }

    /// <summary>Checks what must hold whenever the owner's lock is released (Debug builds only).</summary>
    [Conditional("DEBUG")]
    public void AssertInvariants()
    {
        Debug.Assert(_guard.IsHeldByCurrentThread, "The writer role is read and changed under the buffer's lock.");

        // The loop sets _loopHasRole outside the lock, only while it holds the role, and clears it with the holder: a
        // stale read here can only be false, which proves nothing wrong.
        Debug.Assert(!_loopHasRole || _holder == Holder.Loop, "The write loop has the role only while it is the holder.");
        var turns = _loopTurn.CurrentCount;
        Debug.Assert(turns is 0 or 1, $"At most one turn waits for the write loop ({turns}).");
        Debug.Assert(turns == 0 || _holder == Holder.Loop, "A turn waits for the write loop only while the loop is the holder.");
    }
}
