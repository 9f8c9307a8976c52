using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Hosting;

/// <summary>
/// Where the handshake puts "socket-poll" in force: only where the child offered it (its SocketPollWindow is above zero)
/// and the main process polls too (its own is), as a child and a main process configured each way agree over a real socket.
/// </summary>
public sealed class SocketPollHandshakeTests
{
    [Theory]
    [InlineData(50, 50, true)]
    [InlineData(0, 50, false)]
    [InlineData(50, 0, false)]
    [InlineData(0, 0, false)]
    public async Task Socket_poll_is_in_force_only_where_both_processes_poll(int mainMicroseconds, int childMicroseconds, bool inForce)
    {
        var log = new TestLog();
        await using var main = await TestApps.StartAsync(TestApps.Create(log, new FirnAppOptions { SocketPollWindow = TimeSpan.FromMicroseconds(mainMicroseconds) }));
        var child = await LoopbackChild.StartAsync(main, "poller", log, TimeSpan.FromMicroseconds(childMicroseconds));
        await using (child)
        {
            Assert.Equal(inForce, (child.MainEnd.Capabilities & Capabilities.SocketPoll) != 0);

            // Trace context is agreed as before, whatever the windows.
            Assert.True((child.MainEnd.Capabilities & Capabilities.TraceContext) != 0);
        }
    }
}
