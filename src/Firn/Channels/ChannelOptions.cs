using Firn.Channels;

namespace Firn;

/// <summary>What <c>Send</c> does when this process's buffer on a channel is full.</summary>
public enum ChannelFullMode
{
    /// <summary>Wait until a receiver takes messages (back-pressure).</summary>
    Wait,

    /// <summary>Throw <see cref="ChannelFullException"/> at once.</summary>
    Fail,
}

/// <summary>How a receive mode was chosen for a channel in this process.</summary>
public enum ReceiveMode
{
    /// <summary>This process has not received on the channel yet.</summary>
    None,

    /// <summary>Handlers registered with <c>OnReceive</c> run for each message.</summary>
    Passive,

    /// <summary>The app pulls messages with <c>Receive</c>, <c>ReceiveAsync</c>, <c>TryReceive</c> or <c>ReadAllAsync</c>.</summary>
    Active,
}

/// <summary>Per-process settings of a channel, fixed when the process first obtains it.</summary>
public sealed class ChannelOptions
{
    private int _receiveBufferSize = 4096;
    private int _maxConcurrentHandlers = 1;

    /// <summary>The largest <see cref="ReceiveBufferSize"/>.</summary>
    public const int MaxReceiveBufferSize = 65536;

    /// <summary>The default options.</summary>
    public static ChannelOptions Default { get; } = new();

    /// <summary>What <c>Send</c> does when the buffer is full. Default: <see cref="ChannelFullMode.Wait"/>.</summary>
    public ChannelFullMode FullMode { get; init; } = ChannelFullMode.Wait;

    /// <summary>
    /// How many delivered messages this process may hold before consuming them (its receive window).
    /// Default 4096, at most <see cref="MaxReceiveBufferSize"/>. Larger values raise throughput; smaller ones bound memory more tightly.
    /// </summary>
    public int ReceiveBufferSize
    {
        get => _receiveBufferSize;
        init => _receiveBufferSize = value is > 0 and <= MaxReceiveBufferSize
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"The receive buffer holds 1 to {MaxReceiveBufferSize} messages.");
    }

    /// <summary>
    /// How many passive handlers may run at once on this channel. Default 1: messages are handled one
    /// at a time, in order. Above 1, order between messages is no longer guaranteed.
    /// </summary>
    public int MaxConcurrentHandlers
    {
        get => _maxConcurrentHandlers;
        init => _maxConcurrentHandlers = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least one handler must be allowed to run.");
    }
}
