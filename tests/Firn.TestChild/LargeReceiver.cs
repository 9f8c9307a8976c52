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
}
