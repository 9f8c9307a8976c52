using Firn.Transport;

namespace Firn.Storage;

/// <summary>Rules for store keys and pub/sub topics.</summary>
internal static class StoreKeys
{
    /// <summary>The longest key or topic, in characters.</summary>
    public const int MaxLength = 1024;

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="key"/> is a non-empty string of at most <see cref="MaxLength"/> characters without a lone surrogate (well-formed UTF-16).</summary>
    /// <param name="key">The key.</param>
    /// <param name="paramName">The caller's parameter name.</param>
    public static void Validate(string key, string paramName = "key")
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        if (key.Length == 0 || key.Length > MaxLength)
        {
            throw new ArgumentException($"A key or topic has 1 to {MaxLength} characters; got {key.Length}.", paramName);
        }

        WellFormedUtf16.ThrowIfIllFormed(key, "A key or topic", paramName);
    }

    /// <summary>Throws unless <paramref name="topic"/> is a valid topic to publish to (no wildcards).</summary>
    /// <param name="topic">The topic.</param>
    public static void ValidateTopic(string topic)
    {
        Validate(topic, nameof(topic));
        if (topic.AsSpan().IndexOfAny('*', '?') >= 0)
        {
            throw new ArgumentException($"Topic '{topic}' contains a wildcard; '*' and '?' are only for subscription patterns.", nameof(topic));
        }
    }
}
