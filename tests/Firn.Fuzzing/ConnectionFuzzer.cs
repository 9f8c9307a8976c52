using System.Net.Sockets;
using Firn.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Fuzzing;

/// <summary>
/// Seeded fuzzing of a <see cref="Connection"/>'s read loop over a real socket: streams of frames of every size up to
/// and past the limit (bodies larger than the loop's first buffer too), sometimes with trailing garbage, a frame whose
/// handler reports a violation, or one whose handler closes the connection, delivered in random pieces that the loop
/// reads one by one. The handler must see exactly the frames a reference decoding finds, and the connection must
/// close for the right reason.
/// </summary>
internal sealed class ConnectionFuzzer(int seed) : IFuzzTarget
{
    public const string TargetName = "connection";

    private const FrameKind Violation = (FrameKind)0xEE;
    private const FrameKind CloseFromHandler = (FrameKind)0xED;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public string Name => TargetName;

    public int CasesPerRound => 1;

    public long BytesDelivered { get; private set; }

    public async Task RunCaseAsync(long index)
    {
        var random = FuzzRandom.ForCase(seed, index);
        var maxBody = random.Pick([0, 64, 4096, 70_000, 200_000]);
        var stream = Stream(random, maxBody);
        var (expected, reason) = Reference(stream, maxBody);
        var boundaries = Enumerable.Range(0, random.Next(0, 9)).Select(_ => random.Next(stream.Length + 1)).Order().ToArray();
        var trace = new List<string> { $"limit {maxBody}, {stream.Length} bytes in pieces at [{string.Join(", ", boundaries)}]", Hex(stream) };

        var (server, client) = SocketPair.Create();
        using var clientSocket = client;
        var connection = new Connection(server, maxBody, NullLogger.Instance, "fuzzed peer");
        var seen = new List<(FrameKind Kind, byte[] Body)>();
        connection.Start((kind, body) =>
        {
            seen.Add((kind, body.ToArray()));
            if (kind == Violation)
            {
                throw new ProtocolViolationException("the fuzzer's violation frame");
            }

            if (kind == CloseFromHandler)
            {
                connection.Close(ConnectionCloseReason.ProtocolViolation, "closed by the fuzzer's handler");
            }
        });

        try
        {
            await DeliverAsync(client, server, connection, stream, boundaries).ConfigureAwait(false);
            try
            {
                client.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
                // The connection closed first (a frame over the limit, or a violation).
            }

            var closed = await connection.Closed.WaitAsync(Timeout).ConfigureAwait(false);
            BytesDelivered += stream.Length;
            List<string> problems = [];
            if (closed != reason)
            {
                problems.Add($"closed with {closed}; expected {reason}");
            }

            if (seen.Count != expected.Count || seen.Zip(expected).Any(p => p.First.Kind != p.Second.Kind || !p.First.Body.AsSpan().SequenceEqual(p.Second.Body)))
            {
                problems.Add($"the handler saw {seen.Count} frames [{string.Join(", ", seen.Select(f => $"{f.Kind}/{f.Body.Length}"))}]; expected {expected.Count} [{string.Join(", ", expected.Select(f => $"{f.Kind}/{f.Body.Length}"))}]");
            }

            if (problems.Count > 0)
            {
                throw new FuzzFailure(TargetName, seed, index, string.Join('\n', problems), trace);
            }
        }
        catch (Exception ex) when (ex is not FuzzFailure)
        {
            throw new FuzzFailure(TargetName, seed, index, $"The case threw {ex.GetType().Name}: {ex.Message}", trace, ex);
        }
        finally
        {
            connection.Close(ConnectionCloseReason.LocallyClosed);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Random frames of every size class, perhaps one over the limit, perhaps garbage at the end.</summary>
    private static byte[] Stream(Random random, int maxBody)
    {
        var bytes = new List<byte>();
        for (var count = random.Next(1, 16); count > 0 && bytes.Count < 600_000; count--)
        {
            var kind = random.Next(40) switch
            {
                0 => Violation,
                1 => CloseFromHandler,
                _ => (FrameKind)random.Next(1, 0xED),
            };
            var length = random.Next(100) switch
            {
                < 10 => 0,
                < 60 => random.Next(1, 65),
                < 80 => random.Next(1, 4097),
                < 95 => random.Next(0, maxBody + 1),
                < 98 => maxBody,
                _ => -1,
            };
            if (length < 0 || length > maxBody)
            {
                bytes.AddRange(ChildFrames.Header(kind, (uint)maxBody + (uint)random.Next(1, 3) + (random.Chance(0.3) ? int.MaxValue : 0u)));
                break;
            }

            bytes.AddRange(ChildFrames.Frame(kind, random.Bytes(length)));
        }

        if (random.Chance(0.1))
        {
            bytes.AddRange(random.Bytes(random.Next(1, 12)));
        }

        return [.. bytes];
    }

    /// <summary>The frames a correct read loop hands its handler, and why it then closes.</summary>
    private static (List<(FrameKind Kind, byte[] Body)> Frames, ConnectionCloseReason Reason) Reference(byte[] stream, int maxBody)
    {
        var frames = new List<(FrameKind, byte[])>();
        var offset = 0;
        while (true)
        {
            var status = FrameDecoder.TryDecode(stream.AsSpan(offset), maxBody, out var kind, out var bodyLength, out var frameLength);
            if (status == DecodeStatus.TooLarge)
            {
                return (frames, ConnectionCloseReason.FrameTooLarge);
            }

            if (status == DecodeStatus.NeedMore)
            {
                return (frames, ConnectionCloseReason.RemotePartyTerminated);
            }

            frames.Add((kind, stream.AsSpan(offset + FrameFormat.HeaderSize, (int)bodyLength).ToArray()));
            if (kind is Violation or CloseFromHandler)
            {
                return (frames, ConnectionCloseReason.ProtocolViolation);
            }

            offset += (int)frameLength;
        }
    }

    /// <summary>Sends each piece and waits until the read loop has taken it, so every piece boundary is a read boundary.</summary>
    private static async Task DeliverAsync(Socket client, Socket server, Connection connection, byte[] stream, int[] boundaries)
    {
        var start = 0;
        foreach (var boundary in boundaries.Append(stream.Length))
        {
            if (boundary <= start)
            {
                continue;
            }

            try
            {
                using var timeout = new CancellationTokenSource(Timeout);
                var piece = stream.AsMemory(start, boundary - start);
                while (!piece.IsEmpty)
                {
                    piece = piece[await client.SendAsync(piece, SocketFlags.None, timeout.Token).ConfigureAwait(false)..];
                }
            }
            catch (SocketException)
            {
                return;
            }

            start = boundary;
            var deadline = DateTime.UtcNow + Timeout;
            while (!connection.IsClosing && Available(server) > 0)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("the read loop did not take a piece");
                }

                await Task.Delay(1).ConfigureAwait(false);
            }
        }
    }

    private static int Available(Socket socket)
    {
        try
        {
            return socket.Available;
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
    }

    private static string Hex(byte[] bytes) => bytes.Length <= 64 ? Convert.ToHexString(bytes) : $"{Convert.ToHexString(bytes.AsSpan(0, 64))}... ({bytes.Length} bytes)";
}
