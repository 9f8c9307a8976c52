using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Firn.Tracing;
using Firn.Transport;

namespace Firn.Routing;

/// <summary>
/// A connected child instance as the router sees it: deliveries, credits and closings become frames on its connection.
/// On the child's read loop it also gathers the messages the child sent into runs, so the router takes a channel's
/// lock once per run (see <see cref="AddToRun"/>), and the credits granted meanwhile into one counter update.
/// </summary>
internal sealed class SessionRouterPeer : RouterPeer
{
    /// <summary>Released bytes granted on the read loop go out before their count could overflow a counter frame.</summary>
    private const long GrantedBytesFlushAt = 1L << 30;

    /// <summary>
    /// The most credits held across reads (see <see cref="FlushGrantsAtReadEnd"/>): enough to spare a frame per round trip
    /// to a child that sends one message at a time, few enough that a child streaming many per read gets them back once
    /// per read, as before holding.
    /// </summary>
    private const int MaxHeldCredits = 64;

    private readonly IPeerSession _session;
    private readonly Connection _connection;
    private readonly Router _router;

    /// <summary>Credits granted on this child's read loop and not yet sent (see <see cref="GrantCreditAndBytes"/>); only that thread uses them, and they may stay across reads.</summary>
    private readonly List<(uint Id, uint Count)> _grants = [];
    private readonly uint _grantFlushAt;
    private long _grantedBytes;

    /// <summary>Messages on <see cref="_runChannel"/> read from the child and not yet handed to the router (read loop only).</summary>
    private readonly List<ReadOnlyMemory<byte>> _run = [];
    private uint _runChannel;

    public SessionRouterPeer(IPeerSession session, Router router)
        : base(session.ProcessName)
    {
        _session = session;
        _connection = session.Connection;
        _router = router;
        _connection.Outbound.Drained += () => _router.Redispatch(this);
        _grantFlushAt = (uint)Math.Max(1, _router.SendWindow / 4);
    }

    /// <summary>The child's session; messages the router still holds keep it reachable through their sender.</summary>
    public IPeerSession Session => _session;

    public override bool IsCongestedWith(long heldBytes) => _connection.Outbound.IsCongestedWith(heldBytes);

    public override void Deliver(uint channelId, ReadOnlyMemory<byte> payload) =>
        _connection.Outbound.AppendChannelFrame(FrameKind.Deliver, channelId, CarriesTraceContext ? payload.Span : TraceEnvelope.Strip(payload));

    public override void Deliver(uint channelId, ReadOnlySpan<ReadOnlyMemory<byte>> payloads)
    {
        if (CarriesTraceContext)
        {
            _connection.Outbound.AppendChannelFrames(FrameKind.Deliver, channelId, payloads);
            return;
        }

        // A child without "trace-context" gets each message without the context another process sent with it.
        foreach (var payload in payloads)
        {
            _connection.Outbound.AppendChannelFrame(FrameKind.Deliver, channelId, TraceEnvelope.Strip(payload));
        }
    }

    private bool CarriesTraceContext => (_connection.Capabilities & Capabilities.TraceContext) != 0;

    public override void GrantCredit(uint channelId, int count) => _connection.Outbound.AddCounter(FrameKind.SendCredit, channelId, (uint)count);

    public override void ReleaseBytes(int bytes) => _connection.Outbound.AddCounter(FrameKind.SendBytes, 0, (uint)bytes);

    /// <remarks>
    /// On this child's own read loop (a message it sent went straight to a receiver) the grant is held: a read of many
    /// messages costs one counter update instead of one per message, and a child that sends one message and waits for a
    /// reply, again and again, costs no frame back for each (see <see cref="FlushGrantsAtReadEnd"/>). A quarter of the
    /// window at once goes out at once, so the child never waits for a long read to end. Elsewhere it goes out now.
    /// </remarks>
    public override void GrantCreditAndBytes(uint channelId, int bytes) => GrantCreditsAndBytes(channelId, 1, bytes);

    /// <inheritdoc cref="GrantCreditAndBytes"/>
    public override void GrantCreditsAndBytes(uint channelId, int count, long bytes)
    {
        if (!_connection.IsCurrentReadLoop)
        {
            _connection.Outbound.AddCounters(FrameKind.SendCredit, channelId, (uint)count, FrameKind.SendBytes, 0, (uint)bytes);
            return;
        }

        var grants = CollectionsMarshal.AsSpan(_grants);
        var index = grants.Length - 1;
        while (index >= 0 && grants[index].Id != channelId)
        {
            index--;
        }

        if (index < 0)
        {
            _grants.Add((channelId, 0));
            grants = CollectionsMarshal.AsSpan(_grants);
            index = grants.Length - 1;
        }

        _grantedBytes += bytes;
        grants[index].Count += (uint)count;
        if (grants[index].Count >= _grantFlushAt || _grantedBytes >= GrantedBytesFlushAt)
        {
            FlushGrants();
        }
    }

    /// <summary>
    /// At the end of a read, sends the credits and released bytes held (see <see cref="GrantCreditAndBytes"/>) if more than
    /// <see cref="MaxHeldCredits"/> are held, or if the child could be waiting for them: it has used more than half its
    /// window on a channel, counting what the router holds of its messages and the credits held here, or the bytes it
    /// counts as waiting would not leave room for a message of the largest size. Otherwise they stay held for a later
    /// read, so that the child keeps at least half its window and room for any message while they do. Read loop only.
    /// </summary>
    /// <remarks>
    /// What they are checked against grows only when the child sends, and the child's messages are read by this loop, so
    /// a read end follows every change that could make the child wait, and the grants go out then. Grants made off the
    /// read loop go out at once and take nothing from these.
    /// </remarks>
    public void FlushGrantsAtReadEnd()
    {
        if (_grants.Count == 0 && _grantedBytes == 0)
        {
            return;
        }

        if (ShouldSendHeldGrants())
        {
            FlushGrants();
        }
    }

    private bool ShouldSendHeldGrants()
    {
        var held = 0L;
        foreach (var (_, count) in _grants)
        {
            held += count;
        }

        if (held > MaxHeldCredits)
        {
            return true;
        }

        var largestMessage = (long)_connection.MaxBodyLength + FrameFormat.HeaderSize;
        if (PendingBytes + _grantedBytes + largestMessage > _router.MaxPendingBytesPerProcess)
        {
            return true;
        }

        var half = _router.SendWindow / 2;
        foreach (var (id, count) in _grants)
        {
            if (_router.OutstandingOf(this, id) + count > half)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sends the credits and released bytes held (see <see cref="GrantCreditAndBytes"/>); read loop only.</summary>
    private void FlushGrants()
    {
        if (_grants.Count == 0 && _grantedBytes == 0)
        {
            return;
        }

        _connection.Outbound.AddCounters(FrameKind.SendCredit, CollectionsMarshal.AsSpan(_grants), FrameKind.SendBytes, 0, (uint)_grantedBytes);
        _grants.Clear();
        _grantedBytes = 0;
    }

    public override void NotifyClosed(uint channelId)
    {
        Span<byte> body = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(body, channelId);
        _connection.Send(FrameKind.ChannelClosed, body);
    }

    public override void Violate(string reason) => _session.Violate(reason);

    /// <summary>Whether messages read on the read loop wait for <see cref="FlushRun"/>.</summary>
    public bool HasRun => _run.Count > 0;

    /// <summary>
    /// Whether <paramref name="body"/>, a <see cref="FrameKind.Send"/> read on the read loop, is on another channel than
    /// the run in hand, which must then be handed over first (<see cref="FlushRun"/>).
    /// </summary>
    public bool EndsRun(ReadOnlySpan<byte> body) => _run.Count > 0 && new BodyReader(body).ReadUInt32() != _runChannel;

    /// <summary>
    /// Keeps a <see cref="FrameKind.Send"/> body read on the read loop for the run; returns <see langword="true"/> when the
    /// run reached a quarter of the window and must be handed over now. The caller hands runs over with
    /// <see cref="FlushRun"/> under the session's lock, before any other frame, so every frame keeps the order the child
    /// sent it in.
    /// </summary>
    public bool AddToRun(ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        _runChannel = reader.ReadUInt32();
        TraceEnvelope.CheckIncoming(reader.Remaining, _connection.Capabilities);
        _run.Add(ReceivedBody.Keep(reader.Remaining));
        return _run.Count >= _grantFlushAt;
    }

    /// <summary>Hands the run to the router, or drops it if <paramref name="deliver"/> is false (the session ended); the caller holds the session's lock.</summary>
    public void FlushRun(bool deliver)
    {
        if (_run.Count == 0)
        {
            return;
        }

        if (deliver)
        {
            _router.Send(this, _runChannel, CollectionsMarshal.AsSpan(_run));
        }

        _run.Clear();
    }
}
