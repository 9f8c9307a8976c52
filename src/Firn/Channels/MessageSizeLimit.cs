namespace Firn.Channels;

/// <summary>
/// The largest serialized message this process sends, read by everything that checks one (channels, calls, results,
/// store values, publications). It starts at <see cref="FirnAppOptions.MaxMessageSize"/>; a child lowers it to the
/// main process's limit from the handshake, so a message the main process would refuse fails at its sender with a
/// clear error instead of costing the child its connection.
/// </summary>
internal sealed class MessageSizeLimit(int bytes)
{
    private int _bytes = bytes;

    /// <summary>The limit in bytes.</summary>
    public int Bytes => Volatile.Read(ref _bytes);

    /// <summary>Lowers the limit to <paramref name="bytes"/> if that is smaller; a larger value leaves it as it is.</summary>
    public void LowerTo(int bytes)
    {
        var current = Volatile.Read(ref _bytes);
        while (bytes < current)
        {
            var seen = Interlocked.CompareExchange(ref _bytes, bytes, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
