using System.Diagnostics;
using Firn.Transport;
using Holder = Firn.Transport.OutboundWriterRole.Holder;

namespace Firn.Tests.Transport;

/// <summary>The writer role of an outbound buffer: one holder at a time, inline only when allowed and quiet, and the loop's turn.</summary>
public sealed class OutboundWriterRoleTests
{
    private readonly Lock _guard = new();

    [Fact]
    public void A_free_role_is_claimed_inline_when_allowed_and_then_held_until_released()
    {
        var role = new OutboundWriterRole(_guard);
        lock (_guard)
        {
            Assert.Equal(Holder.Inline, role.Claim(inlineAllowed: true));
            Assert.Equal(Holder.None, role.Claim(inlineAllowed: true));
            Assert.Equal(Holder.None, role.Claim(inlineAllowed: false));
            Assert.Equal(Holder.Inline, role.Current);

            role.ReleaseInline();

            Assert.Equal(Holder.None, role.Current);
            Assert.Equal(Holder.Loop, role.Claim(inlineAllowed: false));
            Assert.Equal(Holder.None, role.Claim(inlineAllowed: true));
            role.AssertInvariants();
        }
    }

    [Fact]
    public void A_claim_once_the_last_write_is_a_while_past_is_inline_again()
    {
        var role = new OutboundWriterRole(_guard);
        lock (_guard)
        {
            role.NoteWriteEnded();
        }

        // Well past the quiet interval (20 µs): the connection is idle again.
        var since = Stopwatch.StartNew();
        SpinWait.SpinUntil(() => since.ElapsedMilliseconds >= 5);

        lock (_guard)
        {
            Assert.Equal(Holder.Inline, role.Claim(inlineAllowed: true));
        }
    }

    [Fact]
    public async Task The_role_passed_to_the_loop_is_its_turn_until_the_loop_gives_it_back()
    {
        var role = new OutboundWriterRole(_guard);
        Assert.False(role.WaitForTurn(TimeSpan.FromMilliseconds(20)), "no turn was given");

        lock (_guard)
        {
            Assert.Equal(Holder.Inline, role.Claim(inlineAllowed: true));
            role.PassInlineToLoop();
            role.AssertInvariants();
        }

        role.GiveTurnToLoop();
        Assert.True(role.HasPendingTurn);
        lock (_guard)
        {
            role.AssertInvariants();
        }

        await role.WaitForTurnAsync(CancellationToken.None);
        Assert.True(role.LoopHasRole);
        Assert.False(role.HasPendingTurn);

        // Holding it, the loop needs no new turn; none is waiting either.
        Assert.True(role.WaitForTurn(TimeSpan.Zero));
        lock (_guard)
        {
            Assert.Equal(Holder.None, role.Claim(inlineAllowed: true));
            role.ReleaseLoop();
            role.AssertInvariants();
            Assert.False(role.LoopHasRole);
            Assert.Equal(Holder.Inline, role.Claim(inlineAllowed: true));
        }

        Assert.False(role.WaitForTurn(TimeSpan.Zero));
    }
}
