using Firn.Transport;

namespace Firn.Channels;

/// <summary>Rules for channel names.</summary>
internal static class ChannelNames
{
    /// <summary>The longest channel name, in characters.</summary>
    public const int MaxLength = 256;

    /// <summary>The name of a child's built-in active channel: <c>{process}-active</c>.</summary>
    /// <param name="process">The child's name.</param>
    /// <returns>The channel name.</returns>
    public static string Active(string process) => process + "-active";

    /// <summary>The name of a child's built-in passive channel: <c>{process}-passive</c>.</summary>
    /// <param name="process">The child's name.</param>
    /// <returns>The channel name.</returns>
    public static string Passive(string process) => process + "-passive";

    /// <summary>Throws <see cref="ArgumentException"/> if <paramref name="name"/> is not a valid channel name: 1 to <see cref="MaxLength"/> characters, no control characters, no lone surrogate (well-formed UTF-16).</summary>
    /// <param name="name">The name to check.</param>
    public static void Validate(string name) => NameRule.ThrowIfInvalid(name, MaxLength, "A channel name", nameof(name), quoteOnControl: true);
}
