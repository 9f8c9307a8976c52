namespace Firn.Transport;

/// <summary>
/// Holds back, until the scope ends, the socket writes that appends on this thread would start: for a caller that
/// appends to connections under a lock of its own (the router, under a channel's lock), so that lock is never held
/// across a system call.
/// </summary>
/// <remarks>
/// An append that takes an idle buffer's writer role writes inline (a non-blocking send) or wakes the write loop. In a
/// scope it keeps the role and records the buffer instead, and the end of the outermost scope does the writing. Keeping
/// the role is what makes the delay safe: other appenders, on any thread, see it taken and leave their frames to the
/// same write, so nothing is written out of order and nothing waits for a writer that will not come. The delay is the
/// rest of the caller's lock; the caller must end the scope after releasing it (<c>using</c> around the lock).
/// </remarks>
internal static class DeferredWrites
{
    [ThreadStatic]
    private static int s_depth;

    [ThreadStatic]
    private static List<(OutboundBuffer Buffer, OutboundWriterRole.Holder Turn)>? s_pending;

    /// <summary>Whether a scope is open on this thread.</summary>
    public static bool IsDeferring => s_depth > 0;

    /// <summary>Opens a scope on this thread; scopes nest, and the outermost one's end writes.</summary>
    public static Scope Begin()
    {
        s_depth++;
        return new Scope(open: true);
    }

    /// <summary>Records a turn of <paramref name="buffer"/>'s writer role for the end of the scope, if one is open on this thread.</summary>
    internal static bool TryDefer(OutboundBuffer buffer, OutboundWriterRole.Holder turn)
    {
        if (s_depth == 0)
        {
            return false;
        }

        (s_pending ??= []).Add((buffer, turn));
        return true;
    }

    private static void End()
    {
        if (--s_depth > 0 || s_pending is not { Count: > 0 } pending)
        {
            return;
        }

        // Taken off the thread before running, so a scope opened and ended by the writes themselves runs only its own.
        s_pending = null;
        try
        {
            foreach (var (buffer, turn) in pending)
            {
                buffer.TakeTurn(turn);
            }
        }
        finally
        {
            pending.Clear();
            s_pending ??= pending;
        }
    }

    /// <summary>An open scope; ending it (<see cref="Dispose"/>) once the caller's lock is released does the writes held back.</summary>
    public ref struct Scope
    {
        /// <summary>Whether this scope is still open (a default scope never was).</summary>
        private bool _open;

        internal Scope(bool open) => _open = open;

        /// <summary>Ends the scope (once).</summary>
        public void Dispose()
        {
            if (!_open)
            {
                return;
            }

            _open = false;
            End();
        }
    }
}
