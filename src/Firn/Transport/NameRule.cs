namespace Firn.Transport;

/// <summary>
/// The rule the names that travel share (channel names, method names, the main process's name): 1 to a maximum of
/// UTF-16 code units, no control character (a name lands in logs and terminals), well-formed UTF-16.
/// </summary>
internal static class NameRule
{
    /// <summary>Throws <see cref="ArgumentException"/> for <paramref name="paramName"/> if <paramref name="name"/> breaks the rule.</summary>
    /// <param name="name">The name to check.</param>
    /// <param name="maxLength">The longest name, in UTF-16 code units.</param>
    /// <param name="what">What the name is, as a message begins ("A method name").</param>
    /// <param name="paramName">The parameter the exception names.</param>
    /// <param name="quoteOnControl">Whether the control-character message quotes the name (NUL written as <c>\0</c>).</param>
    public static void ThrowIfInvalid(string name, int maxLength, string what, string paramName, bool quoteOnControl = false)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        if (name.Length == 0 || name.Length > maxLength)
        {
            throw new ArgumentException($"{what} has 1 to {maxLength} characters; got {name.Length}.", paramName);
        }

        foreach (var c in name)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException(
                    quoteOnControl
                        ? $"{what} may not contain control characters: '{name.Replace("\0", "\\0", StringComparison.Ordinal)}'."
                        : $"{what} may not contain control characters.",
                    paramName);
            }
        }

        WellFormedUtf16.ThrowIfIllFormed(name, what, paramName);
    }
}
