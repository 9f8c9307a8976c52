using System.Buffers.Binary;
using Firn.Storage;
using Firn.Transport;

namespace Firn.Fuzzing;

/// <summary>
/// The coverage-guided target (tools/Firn.Fuzz.Afl): one input is the bytes three children send, as records of
/// (u8 child, u16 little-endian length, bytes); whatever does not parse as a record goes to the first child. Each input
/// runs against a fresh <see cref="BareMain"/>, synchronously (<see cref="DirectSession"/>), so coverage is repeatable.
/// After the children's bytes a well-behaved control child reads what they left, then the children leave. Anything
/// but a protocol violation escaping a frame handler, a control child disconnected, or a broken
/// <see cref="MainInvariants"/> throws: a crash for the fuzzer. (The main process's own reads of what children leave
/// are fuzzed by <see cref="DispatcherFuzzer"/>, which runs a whole app.)
/// </summary>
internal static class AflInput
{
    private const int Children = 3;

    /// <summary>Runs one input.</summary>
    /// <exception cref="InvalidOperationException">The input found a problem.</exception>
    public static void Run(ReadOnlySpan<byte> input)
    {
        using var main = new BareMain(maxMessageSize: 16 * 1024);
        var children = Enumerable.Range(0, Children).Select(i => main.Connect($"afl-{i}")).ToArray();
        foreach (var (child, bytes) in Records(input))
        {
            children[child % Children].Feed(bytes);
        }

        var control = main.Connect("control");
        foreach (var frame in ControlReads())
        {
            if (control.Feed(frame) is { } reason)
            {
                throw new InvalidOperationException($"The control child was disconnected ({reason}) by a read of kind {(FrameKind)frame[4]}.");
            }
        }

        foreach (var child in children)
        {
            child.End();
        }

        var problems = MainInvariants.Check(main.Services, children.Select(c => c.Owner.Name).ToHashSet(StringComparer.Ordinal));
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join('\n', problems));
        }
    }

    /// <summary>Encodes records in the input format.</summary>
    public static byte[] Encode(IEnumerable<(int Child, byte[] Bytes)> records)
    {
        var output = new List<byte>();
        foreach (var (child, bytes) in records)
        {
            var length = Math.Min(bytes.Length, ushort.MaxValue);
            output.Add((byte)child);
            output.Add((byte)length);
            output.Add((byte)(length >> 8));
            output.AddRange(bytes.AsSpan(0, length));
        }

        return [.. output];
    }

    /// <summary>Seed inputs: well-formed frames of every kind from the generator, split among the children.</summary>
    public static IEnumerable<byte[]> Corpus(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var random = FuzzRandom.ForCase(1, i);
            var views = Enumerable.Range(0, Children).Select(c => new SessionView($"afl-{c}")).ToArray();
            yield return Encode(Enumerable.Range(0, random.Next(1, 6)).Select(_ =>
            {
                var child = random.Next(Children);
                return (child, (byte[])[.. Enumerable.Range(0, random.Next(1, 5)).SelectMany(_ => FrameGenerator.NextWellFormed(random, views[child]))]);
            }));
        }
    }

    /// <summary>An AFL dictionary: the protocol's names and interesting values.</summary>
    public static IEnumerable<string> Dictionary()
    {
        IEnumerable<string> words =
        [
            .. FrameGenerator.ChannelNames, .. FrameGenerator.TypeNames, .. FrameGenerator.Keys, .. FrameGenerator.Topics, .. FrameGenerator.Methods,
        ];
        foreach (var (word, index) in words.Distinct().Select((w, i) => (w, i)))
        {
            yield return $"name{index}=\"{Escape([.. BitConverter.GetBytes((ushort)word.Length), .. System.Text.Encoding.UTF8.GetBytes(word)])}\"";
        }

        foreach (var (value, index) in new uint[] { 0, 1, 64, 65, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x10000, 0x20000 }.Select((v, i) => (v, i)))
        {
            yield return $"u32_{index}=\"{Escape(BitConverter.GetBytes(value))}\"";
        }
    }

    private static List<(int Child, byte[] Bytes)> Records(ReadOnlySpan<byte> input)
    {
        var records = new List<(int Child, byte[] Bytes)>();
        while (input.Length >= 3)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(input[1..]);
            if (input.Length - 3 < length)
            {
                break;
            }

            records.Add((input[0], input.Slice(3, length).ToArray()));
            input = input[(3 + length)..];
        }

        if (!input.IsEmpty)
        {
            records.Add((0, input.ToArray()));
        }

        return records;
    }

    private static IEnumerable<byte[]> ControlReads()
    {
        uint id = 0xC0DE_1000;
        foreach (var key in FrameGenerator.Keys)
        {
            yield return ChildFrames.StoreRequest(++id, StoreOperation.Get, key);
            yield return ChildFrames.StoreRequest(++id, StoreOperation.Increment, key, delta: 1);
        }

        yield return ChildFrames.StoreRequest(++id, StoreOperation.GetAll, "*");
        yield return ChildFrames.StoreRequest(++id, StoreOperation.Keys, "*");
        yield return ChildFrames.ListChannels(++id);
        foreach (var channel in FrameGenerator.ChannelNames)
        {
            yield return ChildFrames.OpenChannel(++id, channel, "System.String");
        }

        yield return ChildFrames.Subscribe(++id, "t0");
        yield return ChildFrames.RpcCall(++id, "main.echo", ChildFrames.ArgumentBlock([0xC0]));
        yield return ChildFrames.RpcCall(++id, "m0", ChildFrames.ArgumentBlock([0xC0]));
    }

    private static string Escape(byte[] bytes) => string.Concat(bytes.Select(b => $"\\x{b:X2}"));
}
