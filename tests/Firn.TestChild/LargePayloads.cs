using System.Buffers.Binary;

namespace Firn.TestChild;

/// <summary>
/// Self-describing large messages: each carries its sequence number and its length, and every other byte follows
/// from them, so a receiver can tell a message that arrived intact from one that was cut, mixed up or repeated.
/// </summary>
public static class LargePayloads
{
    /// <summary>The payload with sequence number <paramref name="sequence"/> and <paramref name="length"/> bytes (at least 8).</summary>
    public static byte[] Make(int sequence, int length)
    {
        var payload = new byte[length];
        BinaryPrimitives.WriteInt32LittleEndian(payload, sequence);
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(4), length);
        for (var i = 8; i < payload.Length; i++)
        {
            payload[i] = Filler(sequence, i);
        }

        return payload;
    }

    /// <summary>The length of the message with sequence number <paramref name="sequence"/> when <paramref name="count"/> of each of <paramref name="lengths"/> are sent in turn.</summary>
    public static int LengthOf(int sequence, int count, IReadOnlyList<int> lengths) => lengths[sequence / count];

    /// <summary>Checks one payload; returns its sequence number, or throws saying what is wrong with it.</summary>
    public static int Check(byte[] payload, int count, IReadOnlyList<int> lengths)
    {
        if (payload.Length < 8)
        {
            throw new InvalidDataException($"a payload of {payload.Length} bytes arrived");
        }

        var sequence = BinaryPrimitives.ReadInt32LittleEndian(payload);
        if (sequence < 0 || sequence >= count * lengths.Count)
        {
            throw new InvalidDataException($"a payload with sequence number {sequence} arrived");
        }

        var expected = LengthOf(sequence, count, lengths);
        if (payload.Length != expected || BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(4)) != expected)
        {
            throw new InvalidDataException($"message {sequence} arrived with {payload.Length} bytes; {expected} were sent");
        }

        for (var i = 8; i < payload.Length; i++)
        {
            if (payload[i] != Filler(sequence, i))
            {
                throw new InvalidDataException($"message {sequence} differs at byte {i}");
            }
        }

        return sequence;
    }

    /// <summary>Holds back every answer until all of the calls have arrived, so that their large results are produced together.</summary>
    public sealed class Gate
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        /// <summary>The payload <paramref name="sequence"/> of <paramref name="length"/> bytes, once <paramref name="total"/> calls have asked.</summary>
        public async Task<byte[]> GiveAsync(int sequence, int length, int total)
        {
            if (Interlocked.Increment(ref _arrived) >= total)
            {
                _all.TrySetResult();
            }

            await _all.Task.ConfigureAwait(false);
            return Make(sequence, length);
        }
    }

    private static byte Filler(int sequence, int index) => (byte)((sequence * 131) + (index * 7) + (index >> 8));
}
