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
    public static void Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Length > MaxLength)
        {
            throw new ArgumentException($"A channel name has 1 to {MaxLength} characters; got {name.Length}.", nameof(name));
        }

        foreach (var c in name)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException($"A channel name may not contain control characters: '{name.Replace("\0", "\\0", StringComparison.Ordinal)}'.", nameof(name));
            }
        }

        WellFormedUtf16.ThrowIfIllFormed(name, "A channel name", nameof(name));
    }
}
