namespace Firn.Transport;

/// <summary>Writes a batch to the socket at once, on the thread that appended it (see <see cref="OutboundBuffer.InlineWriter"/>).</summary>
internal interface IInlineWriter
{
    /// <summary>Sends what it can of <paramref name="batch"/> without blocking; returns the bytes sent, or -1 if the socket failed.</summary>
    int TrySend(ReadOnlySpan<byte> batch);

    /// <summary>The socket failed while writing inline: close the connection.</summary>
    void OnSendFailed();
}
