
namespace Firn.Failures;

/// <content>Channels.</content>
internal static partial class FirnErrors
{
    /// <summary>A channel closed by some process (not by a lost connection: see <see cref="Disconnected"/>).</summary>
    public static ChannelClosedException ChannelClosed(string name, string? reason) =>
        new($"Channel '{name}' was closed ({reason ?? "closed"}); nothing more can be sent or received on it.");

    public static ChannelFullException ChannelFull(string name, string process, int window, long outstandingBytes) =>
        new($"Channel '{name}' is full for process '{process}': {window} messages on it, or {outstandingBytes} bytes on all channels, are waiting for a receiver. " +
            "Wait for receivers to catch up, raise FirnAppOptions.ChannelSendWindow or ConnectionBufferLimit, or use ChannelFullMode.Wait.");

    /// <summary>This process already has the channel with another message type.</summary>
    public static ChannelTypeMismatchException ChannelTypeMismatch(string name, string carries, string askedFor) =>
        new($"Channel '{name}' carries {carries}; it cannot be used as a channel of {askedFor}.");

    /// <summary>The router has the channel with another message type.</summary>
    public static ChannelTypeMismatchException ChannelTypeMismatch(string name, string carries, string process, string askedFor) =>
        new($"Channel '{name}' carries {carries}; process '{process}' asked for it as a channel of {askedFor}. Use one message type per channel name.");

    /// <summary>The main process refused an open with a type mismatch; its message names both types.</summary>
    public static ChannelTypeMismatchException ChannelTypeMismatch(string messageFromMain) => new(messageFromMain);

    public static ChannelTypeMismatchException ChannelInMessageTypeMismatch(string name, string carried, string readAs) =>
        new($"A message carries channel '{name}' of {carried}; it was read as a channel of {readAs}. Both sides must declare the field with the same message type.");

    public static ChannelLimitException ChannelLimit(string process, int limit, string name) =>
        new($"Process '{process}' has created {limit} channels, the limit (FirnAppOptions.MaxChannelsPerProcess); channel '{name}' was not created. Reuse channels, or raise the limit.");

    /// <summary>The main process refused an open with its channel limit; its message says which.</summary>
    public static ChannelLimitException ChannelLimit(string messageFromMain) => new(messageFromMain);

    /// <summary>The main process could not send the channel list (it is larger than a message may be).</summary>
    public static InvalidOperationException ChannelListRefused(string messageFromMain) => new(messageFromMain);

    public static TimeoutException OpenTimedOut(string name, TimeSpan timeout) =>
        new($"The main process did not answer the request to open channel '{name}' within {timeout}.");

    public static TimeoutException ListTimedOut(TimeSpan timeout) =>
        new($"The main process did not answer the request to list channels within {timeout} (FirnAppOptions.CallTimeout).");

    /// <summary>
    /// A message, call, value or publication over the size limit: "<paramref name="what"/> serialized to … bytes; the
    /// limit is … bytes", then <paramref name="outcome"/> (what did not happen).
    /// </summary>
    public static MessageTooLargeException MessageTooLarge(int bytes, int limit, string what, string outcome) =>
        new($"{what} serialized to {bytes} bytes; the limit is {limit} bytes (FirnAppOptions.MaxMessageSize). {outcome}");
}
