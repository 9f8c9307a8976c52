using Firn.Transport;

namespace Firn.Tests.Transport;

/// <summary>The limits of an outbound buffer at their boundaries: flow room, the hard limit, held frames, the queue's order and congestion.</summary>
public sealed class OutboundLimitsTests
{
    private const int HardLimit = 1024 * 1024;
    private const int CongestionLimit = HardLimit / 4;

    private readonly Lock _guard = new();
    private readonly OutboundFrames _frames;
    private readonly OutboundLimits _limits;

    public OutboundLimitsTests()
    {
        _frames = new OutboundFrames(_guard);
        _limits = new OutboundLimits(_guard, _frames, CongestionLimit, HardLimit);
    }

    [Fact]
    public void The_hard_limit_may_not_be_below_the_congestion_limit_and_the_flow_limit_leaves_the_control_reserve()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OutboundLimits(_guard, _frames, 100, 99));
        Assert.Equal(HardLimit - OutboundBuffer.ControlReserve, _limits.FlowLimit);
        Assert.Equal(0, new OutboundLimits(_guard, _frames, 0, OutboundBuffer.ControlReserve - 1).FlowLimit);
    }

    [Fact]
    public void Room_ends_exactly_at_the_flow_limit_but_a_frame_of_any_size_fits_an_empty_buffer()
    {
        lock (_guard)
        {
            Assert.True(_limits.HasRoom(HardLimit * 2L), "an empty buffer takes any frame");

            AppendFrameOf(100);
            Assert.True(_limits.HasRoom(_limits.FlowLimit - 100));
            Assert.False(_limits.HasRoom(_limits.FlowLimit - 100 + 1));

            // Reserved room counts as if appended.
            Assert.True(_limits.TryPromise((int)_limits.FlowLimit - 100));
            Assert.False(_limits.TryPromise(1));
            Assert.Equal(_limits.FlowLimit, _limits.Committed);
            _limits.Fulfil((int)_limits.FlowLimit - 100);
            Assert.Equal(100, _limits.Committed);
            _limits.AssertInvariants();
        }
    }

    [Fact]
    public void Control_frames_fit_up_to_exactly_the_hard_limit()
    {
        lock (_guard)
        {
            AppendFrameOf(HardLimit - 10);
            Assert.True(_limits.FitsUnderHardLimit(10));
            Assert.False(_limits.FitsUnderHardLimit(11));
        }
    }

    [Fact]
    public void Frames_are_held_up_to_exactly_the_hard_limit()
    {
        lock (_guard)
        {
            var payload = new byte[(HardLimit / 4) - FrameFormat.HeaderSize];
            for (var i = 0; i < 4; i++)
            {
                Assert.True(_limits.TryHold(FrameKind.RpcReply, default, payload));
            }

            Assert.False(_limits.TryHold(FrameKind.RpcReply, default, default));
            Assert.Equal(HardLimit, _limits.Committed);
            _limits.AssertInvariants();

            Assert.Null(_limits.DropQueue());
            Assert.Equal(0, _limits.Committed);
            _limits.AssertInvariants();
        }
    }

    [Fact]
    public void A_waiting_request_keeps_later_frames_out_and_writes_let_them_in_in_order_skipping_the_withdrawn()
    {
        lock (_guard)
        {
            var half = (int)_limits.FlowLimit / 2;
            AppendFrameOf(half);
            var first = _limits.EnqueueWaiter(half + 1);
            Assert.False(_limits.HasRoom(1), "nothing overtakes a waiting request");
            Assert.True(_limits.TryHold(FrameKind.Publication, [1], default));
            var withdrawn = _limits.EnqueueWaiter(1);
            withdrawn.Withdrawn = true;
            var last = _limits.EnqueueWaiter(1);

            // Nothing fits until a write makes room.
            Assert.Null(_limits.Grant());
            var batch = _frames.Take();
            _frames.CountWritten(batch.Count);

            Assert.Equal([first, last], _limits.Grant());
            Assert.True(first.Granted && last.Granted && !withdrawn.Granted);
            Assert.False(_limits.HasWaiting);
            Assert.Equal(FrameFormat.HeaderSize + 1, _frames.Length);
            Assert.Equal(half + 1 + 1 + FrameFormat.HeaderSize + 1, _limits.Committed);
            _limits.AssertInvariants();
        }
    }

    [Fact]
    public void Congestion_is_armed_over_the_limit_and_drains_once_at_exactly_the_limit()
    {
        lock (_guard)
        {
            AppendFrameOf(CongestionLimit);
            _limits.NoteAppended();
            Assert.False(_limits.IsArmed);
            Assert.False(_limits.ArmIfCongestedWith(0));
            Assert.True(_limits.ArmIfCongestedWith(1));
            Assert.True(_limits.IsArmed);

            Assert.True(_limits.TakeDrained(), "at the limit, armed congestion has drained");
            Assert.False(_limits.TakeDrained());

            AppendFrameOf(FrameFormat.HeaderSize);
            _limits.NoteAppended();
            Assert.True(_limits.IsArmed);
            Assert.False(_limits.TakeDrained());
            _frames.Take();
            _frames.CountWritten(FrameFormat.HeaderSize);
            Assert.True(_limits.TakeDrained());
        }
    }

    private void AppendFrameOf(int size) => _frames.Append(FrameKind.Publication, default, new byte[size - FrameFormat.HeaderSize]);
}
