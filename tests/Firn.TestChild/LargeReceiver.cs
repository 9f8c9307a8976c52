namespace Firn.TestChild;

/// <summary>Checks large messages as they arrive (<see cref="LargePayloads"/>): every one intact, each exactly once.</summary>
public sealed class LargeReceiver(int count, IReadOnlyList<int> lengths)
{
    private readonly bool[] _seen = new bool[count * lengths.Count];
    private readonly TaskCompletionSource<string> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _received;

    /// <summary>"ok" once every message arrived intact; otherwise what was wrong with the first bad one.</summary>
    public Task<string> Outcome => _outcome.Task;

    /// <summary>Checks one message (thread-safe: handlers may run concurrently).</summary>
    public void Take(byte[] message)
    {
        try
        {
            var sequence = LargePayloads.Check(message, count, lengths);
            lock (_seen)
            {
                if (_seen[sequence])
                {
                    throw new InvalidDataException($"message {sequence} arrived twice");
                }

                _seen[sequence] = true;
                if (++_received == _seen.Length)
                {
                    _outcome.TrySetResult("ok");
                }
            }
        }
        catch (InvalidDataException ex)
        {
            _outcome.TrySetResult("bad: " + ex.Message);
        }
    }

    /// <summary>Reads the stream <paramref name="method"/>(count, lengths) of payloads and checks them: "ok", or what was wrong.</summary>
    public static async Task<string> ReadStreamAsync(FirnApp app, string method, int count, int[] lengths, CancellationToken cancellationToken = default)
    {
        var receiver = new LargeReceiver(count, lengths);
        try
        {
            await foreach (var item in app.Rpc.StreamAsync<byte[]>(method, [count, lengths], cancellationToken))
            {
                receiver.Take(item);
            }
        }
#pragma warning disable CA1031 // Whatever failed is the report.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return $"bad: {ex.GetType().Name}: {ex.Message}";
        }

        return receiver.Outcome.IsCompleted ? await receiver.Outcome : "bad: the stream ended early";
    }
}
