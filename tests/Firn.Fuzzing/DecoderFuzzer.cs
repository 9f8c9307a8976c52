using System.Buffers.Binary;
using Firn.Transport;

namespace Firn.Fuzzing;

/// <summary>
/// Seeded property fuzzing of <see cref="FrameDecoder"/> alone: random buffers, random limits, and streams of random
/// frames. It never throws; whatever it reports is consistent with the bytes; frames it finds are the frames written.
/// </summary>
internal sealed class DecoderFuzzer(int seed) : IFuzzTarget
{
    public const string TargetName = "decoder";

    private const int BuffersPerCase = 500;

    public string Name => TargetName;

    public int CasesPerRound => 1;

    public Task RunCaseAsync(long index)
    {
        var random = FuzzRandom.ForCase(seed, index);
        for (var i = 0; i < BuffersPerCase; i++)
        {
            var problem = random.Chance(0.5) ? CheckBuffer(random) : CheckStream(random);
            if (problem is not null)
            {
                throw new FuzzFailure(TargetName, seed, index, $"buffer {i}: {problem}", []);
            }
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string? CheckBuffer(Random random)
    {
        var buffer = random.Bytes(random.Next(0, 40));
        if (buffer.Length >= 4 && random.Chance(0.7))
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer, random.Chance(0.5) ? (uint)random.Next(0, 48) : (uint)random.NextInt64(0, 1L << 32));
        }

        var max = random.Next(5) switch
        {
            0 => 0,
            1 => int.MaxValue,
            _ => random.Next(0, 64),
        };
        var status = FrameDecoder.TryDecode(buffer, max, out var kind, out var bodyLength, out var frameLength);
        var announced = buffer.Length >= FrameFormat.HeaderSize ? BinaryPrimitives.ReadUInt32LittleEndian(buffer) : (long?)null;
        return status switch
        {
            DecodeStatus.Frame when announced != bodyLength || bodyLength > max || frameLength != FrameFormat.HeaderSize + bodyLength || frameLength > buffer.Length || (byte)kind != buffer[4] =>
                $"Frame inconsistent with {Convert.ToHexString(buffer)} (limit {max}): kind {kind}, body {bodyLength}, frame {frameLength}",
            DecodeStatus.NeedMore when frameLength <= buffer.Length || (announced is { } length && (length > max || length != bodyLength)) =>
                $"NeedMore inconsistent with {Convert.ToHexString(buffer)} (limit {max}): body {bodyLength}, frame {frameLength}",
            DecodeStatus.TooLarge when announced is null || announced != bodyLength || bodyLength <= max =>
                $"TooLarge inconsistent with {Convert.ToHexString(buffer)} (limit {max}): body {bodyLength}",
            _ => null,
        };
    }

    private static string? CheckStream(Random random)
    {
        var frames = Enumerable.Range(0, random.Next(0, 8)).Select(_ => (Kind: (FrameKind)random.Next(256), Body: random.Bytes(random.Next(0, 50)))).ToList();
        byte[] stream = [.. frames.SelectMany(f => ChildFrames.Frame(f.Kind, f.Body))];
        var cut = random.Chance(0.3) ? random.Next(stream.Length + 1) : stream.Length;
        var offset = 0;
        var found = 0;
        while (true)
        {
            var status = FrameDecoder.TryDecode(stream.AsSpan(offset, cut - offset), 64, out var kind, out var bodyLength, out var frameLength);
            if (status == DecodeStatus.TooLarge)
            {
                return $"TooLarge for a body of {bodyLength} under the limit 64";
            }

            if (status == DecodeStatus.NeedMore)
            {
                // Only the frame cut short may be missing.
                return found == frames.Count || (cut < stream.Length && found < frames.Count) ? null : $"NeedMore after {found} of {frames.Count} frames";
            }

            if (found >= frames.Count || kind != frames[found].Kind || !stream.AsSpan(offset + FrameFormat.HeaderSize, (int)bodyLength).SequenceEqual(frames[found].Body))
            {
                return $"frame {found} decoded as {kind} of {bodyLength} bytes, not as written";
            }

            found++;
            offset += (int)frameLength;
        }
    }
}
