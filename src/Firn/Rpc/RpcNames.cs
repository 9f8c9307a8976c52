using Firn.Transport;

namespace Firn.Rpc;

/// <summary>Rules for method names.</summary>
internal static class RpcNames
{
    /// <summary>The longest method name, in characters.</summary>
    public const int MaxLength = 256;

    /// <summary>Throws <see cref="ArgumentException"/> if <paramref name="name"/> is not a valid method name (1 to <see cref="MaxLength"/> characters, no control characters, no lone surrogate).</summary>
    /// <param name="name">The name to check.</param>
    public static void Validate(string name) => NameRule.ThrowIfInvalid(name, MaxLength, "A method name", nameof(name));
}
