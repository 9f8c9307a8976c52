using System.Net.Sockets;
using Firn.Hosting;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Fuzzing;

/// <summary>
/// A fake child whose bytes are decoded and dispatched on the calling thread, as the connection's read loop would:
/// deterministic and thread-free, for coverage-guided fuzzing. Its connection is never started, so what the main
/// process sends it only accumulates in the outbound buffer. A frame handler's protocol violation closes the
/// connection, as on the read loop; any other exception is not caught here, so a fuzzer sees it.
/// </summary>
internal sealed class DirectSession : IDisposable
{
    private readonly MainServices _services;
    private readonly Socket _client;
    private byte[] _pending = [];
    private bool _ended;

    public DirectSession(string name, MainServices services, int maxBodyLength, ILogger logger)
    {
        _services = services;
        var (server, client) = SocketPair.Create();
        _client = client;
        Connection = new Connection(server, maxBodyLength, logger, $"direct fake child '{name}'");
        Owner = new FakeSessionOwner(name);
        Session = new ChildSession(Connection, services, Owner);
    }

    public Connection Connection { get; }

    public ChildSession Session { get; }

    public FakeSessionOwner Owner { get; }

    /// <summary>Handles every whole frame in <paramref name="bytes"/> (after what an earlier call left unfinished).</summary>
    /// <returns>Why the connection closed, or null while it is open.</returns>
    public ConnectionCloseReason? Feed(ReadOnlySpan<byte> bytes)
    {
        if (Connection.IsClosing)
        {
            return Connection.Closed.Result;
        }

        byte[] data = [.. _pending, .. bytes];
        var offset = 0;
        try
        {
            while (true)
            {
                var status = FrameDecoder.TryDecode(data.AsSpan(offset), Connection.MaxBodyLength, out var kind, out var bodyLength, out var frameLength);
                if (status == DecodeStatus.TooLarge)
                {
                    Connection.Close(ConnectionCloseReason.FrameTooLarge, $"the peer announced a frame body of {bodyLength} bytes");
                    break;
                }

                if (status == DecodeStatus.NeedMore)
                {
                    break;
                }

                try
                {
                    Session.OnFrame(kind, data.AsSpan(offset + FrameFormat.HeaderSize, (int)bodyLength));
                }
                catch (ProtocolViolationException ex)
                {
                    Connection.Close(ConnectionCloseReason.ProtocolViolation, ex.Message);
                }

                offset += (int)frameLength;
                if (Connection.IsClosing)
                {
                    break;
                }
            }
        }
        finally
        {
            _pending = data[offset..];
        }

        return Connection.IsClosing ? Connection.Closed.Result : null;
    }

    /// <summary>Closes the connection (if the session has not) and ends the session, as a disconnect does.</summary>
    public void End()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        Connection.Close(ConnectionCloseReason.RemotePartyTerminated, "the direct session ended");
        _services.EndSession(Session);
    }

    public void Dispose()
    {
        End();
        _client.Dispose();
    }
}
