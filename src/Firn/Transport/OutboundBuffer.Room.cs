using Holder = Firn.Transport.OutboundWriterRole.Holder;

namespace Firn.Transport;

/// <content>
/// Room for the frames the public API produces (calls, results, stream items, publications, store requests and
/// replies): they never take the buffer past <see cref="FlowLimit"/>, so only a peer that stops reading reaches the hard
/// limit. A producer that can wait appends within the room or waits for it (<see cref="AppendWhenRoomAsync"/>);
/// one that cannot (a relay on the main process's read loop) has its frame held (<see cref="AppendOrHold"/>). The
/// queue and the counts are kept by <see cref="OutboundLimits"/>.
/// </content>
internal sealed partial class OutboundBuffer
{
    /// <summary>
    /// Bytes this buffer is committed to: unwritten (<see cref="UnwrittenBytes"/>), reserved for frames about to be
    /// appended, and held for frames waiting for room. Congestion counts these.
    /// </summary>
    public long CommittedBytes => _limits.CommittedBytes;

    /// <summary>The size of a frame whose body is <paramref name="prefixLength"/> and <paramref name="payloadLength"/> bytes.</summary>
    public static int FrameSize(int prefixLength, int payloadLength) => FrameFormat.HeaderSize + prefixLength + payloadLength;

    /// <summary>Reserves room for a frame of <paramref name="frameBytes"/>, waiting for it in turn if there is none now.</summary>
    /// <returns><see langword="false"/> if the buffer was completed (the connection is closing).</returns>
    public ValueTask<bool> ReserveAsync(int frameBytes, CancellationToken cancellationToken)
    {
        RoomRequest request;
        lock (_lock)
        {
            if (_completed)
            {
                return ValueTask.FromResult(false);
            }

            if (_limits.TryPromise(frameBytes))
            {
                AssertInvariantsLocked();
                return ValueTask.FromResult(true);
            }

            request = _limits.EnqueueWaiter(frameBytes);
            AssertInvariantsLocked();
        }

        return new ValueTask<bool>(WaitForGrantAsync(request, cancellationToken));
    }

    /// <summary>What an append that minds room did.</summary>
    private enum AppendResult
    {
        Appended,
        Held,
        NoRoom,
        Closed,
    }

    /// <summary>Whether an append minds the room for flow frames.</summary>
    private enum RoomRule
    {
        /// <summary>Only the hard limit (control frames, and frames flow-controlled elsewhere: channel messages, deliveries).</summary>
        None,

        /// <summary>Appended only if there is room and nothing waits for it.</summary>
        Required,

        /// <summary>Appended if there is room, else held (<see cref="AppendOrHold"/>).</summary>
        HoldIfNone,
    }

    /// <summary>Appends a frame whose room was reserved (<see cref="ReserveAsync"/>) with exactly its size.</summary>
    /// <returns><see langword="false"/> if the buffer was completed meanwhile.</returns>
    public bool AppendReserved(FrameKind kind, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload) =>
        Append(kind, prefix, payload, FrameSize(prefix.Length, payload.Length), RoomRule.None) == AppendResult.Appended;

    /// <summary>Appends a frame if there is room for it now and nothing waits for room (one lock: the fast path of the waiting forms).</summary>
    /// <returns><see langword="true"/> if appended, <see langword="false"/> if there is no room now, <see langword="null"/> if the buffer was completed.</returns>
    public bool? TryAppendWithinRoom(FrameKind kind, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload) =>
        Append(kind, prefix, payload, 0, RoomRule.Required) switch
        {
            AppendResult.Appended => true,
            AppendResult.NoRoom => false,
            _ => null,
        };

    /// <summary>Appends a frame when there is room for it: now if there is, else once writes make room (the bytes are copied then).</summary>
    /// <returns><see langword="false"/> if the buffer was completed (the connection is closing).</returns>
    public ValueTask<bool> AppendWhenRoomAsync(FrameKind kind, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload, CancellationToken cancellationToken) =>
        TryAppendWithinRoom(kind, prefix, payload) switch
        {
            true => ValueTask.FromResult(true),
            false => AppendLaterAsync(kind, prefix.ToArray(), payload.ToArray(), cancellationToken),
            null => ValueTask.FromResult(false),
        };

    /// <summary>
    /// Appends a frame now if there is room, or holds a copy that is appended, in turn, once writes make room. A frame
    /// that would take the held bytes past the hard limit is refused as for a peer that is not reading
    /// (<see cref="Overflowed"/>). For producers that must not wait: the main process relaying on a read loop.
    /// </summary>
    /// <returns><see langword="false"/> if the buffer was completed or refused the frame.</returns>
    public bool AppendOrHold(FrameKind kind, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload) =>
        Append(kind, prefix, payload, 0, RoomRule.HoldIfNone) is AppendResult.Appended or AppendResult.Held;

    private async ValueTask<bool> AppendLaterAsync(FrameKind kind, byte[] prefix, byte[] payload, CancellationToken cancellationToken) =>
        await ReserveAsync(FrameSize(prefix.Length, payload.Length), cancellationToken).ConfigureAwait(false) && AppendReserved(kind, prefix, payload);

    private async Task<bool> WaitForGrantAsync(RoomRequest request, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            using var registration = cancellationToken.UnsafeRegister(static (state, _) => ((RoomRequest)state!).Buffer!.Withdraw((RoomRequest)state!), request.WithBuffer(this));
            return await request.Done!.Task.ConfigureAwait(false);
        }

        return await request.Done!.Task.ConfigureAwait(false);
    }

    /// <summary>A waiting reservation was cancelled: it leaves the queue (unless granted first), which may let the next ones in.</summary>
    private void Withdraw(RoomRequest request)
    {
        List<RoomRequest>? granted;
        var turn = Holder.None;
        lock (_lock)
        {
            if (request.Granted || !request.Done!.TrySetCanceled())
            {
                return;
            }

            request.Withdrawn = true;
            granted = _limits.Grant();
            if (_frames.Length > 0)
            {
                turn = ClaimLocked();
            }

            AssertInvariantsLocked();
        }

        Go(turn);
        granted?.ForEach(r => r.Done!.TrySetResult(true));
    }
}
