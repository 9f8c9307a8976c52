using System.Net.Sockets;
using Firn.Channels;
using Firn.Hosting;
using Firn.Serialization;
using Firn.Tests.Support;
using Firn.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Tests.Channels;

/// <summary>A child's blocking round trip refuses to run on the thread that would have to read its reply.</summary>
public sealed class ReadLoopGuardTests
{
    [Fact]
    public async Task Opening_a_channel_inside_a_frame_handler_fails_clearly_instead_of_deadlocking()
    {
        var path = Path.Combine("/tmp", $"firn-guard-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        try
        {
            var limit = new MessageSizeLimit(1024 * 1024);
            var registry = new ChannelRegistry(MessagePackFirnSerializer.Instance, limit, NullLoggerFactory.Instance, TestApps.Timeout, OutboundBuffer.DefaultHardLimit);
            var host = new ChildHost(new ChildEnvironment("guarded", path, "secret", Environment.ProcessId), registry, TestApps.Timeout, NullLogger.Instance);
            registry.Bind(host);
            var outcome = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
            host.Register(FrameKind.StoreReply, (_, _) =>
            {
                try
                {
                    registry.Get<int>("opened-on-the-read-loop", null);
                    outcome.TrySetResult(null);
                }
                catch (InvalidOperationException ex)
                {
                    outcome.TrySetResult(ex);
                }
            });

            // The test plays the main process: it accepts, welcomes the child, then sends the frame whose handler opens a channel.
            var accepting = listener.AcceptAsync();
            var connecting = host.ConnectAsync(limit, OutboundBuffer.DefaultHardLimit, TestApps.Timeout);
            using var main = await accepting.WaitAsync(TestApps.Timeout);
            await SendFrameAsync(main, FrameKind.Welcome, Handshake.EncodeWelcome(1024 * 1024, 16, 1024 * 1024));
            await connecting.WaitAsync(TestApps.Timeout);
            await SendFrameAsync(main, FrameKind.StoreReply, [0]);

            var error = await outcome.Task.WaitAsync(TestApps.Timeout);
            Assert.NotNull(error);
            Assert.Contains("open channel 'opened-on-the-read-loop'", error.Message, StringComparison.Ordinal);
            Assert.Contains("thread that reads a connection", error.Message, StringComparison.Ordinal);
            Assert.False(Connection.IsOnReadLoop);
            await host.FlushAndCloseAsync(TimeSpan.FromSeconds(1));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task SendFrameAsync(Socket socket, FrameKind kind, byte[] body)
    {
        var frame = new byte[FrameFormat.HeaderSize + body.Length];
        FrameFormat.WriteHeader(frame, kind, body.Length);
        body.CopyTo(frame, FrameFormat.HeaderSize);
        await socket.SendAsync(frame);
    }
}
