namespace Firn.Transport;

/// <summary>
/// Checks that text is well-formed UTF-16 (no lone surrogate), so it has one exact UTF-8 encoding: a lone
/// surrogate has none, and encoding it as U+FFFD would make it another string on the other side of the socket.
/// </summary>
internal static class WellFormedUtf16
{
    /// <summary>The index of the first lone surrogate in <paramref name="text"/>, or -1 if it is well-formed.</summary>
    public static int IndexOfLoneSurrogate(ReadOnlySpan<char> text)
    {
        // Vectorized search: text without surrogates (nearly all of it) costs one pass and no per-character loop.
        var index = text.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (index < 0)
        {
            return -1;
        }

        while (index < text.Length)
        {
            var c = text[index];
            if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
            {
                index += 2;
            }
            else if (char.IsSurrogate(c))
            {
                return index;
            }
            else
            {
                index++;
            }
        }

        return -1;
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> for <paramref name="paramName"/> if <paramref name="value"/> contains a
    /// lone surrogate; <paramref name="what"/> says what the value is ("A channel name"). The message does not quote
    /// the value, which cannot be written as text.
    /// </summary>
    public static void ThrowIfIllFormed(string value, string what, string paramName)
    {
        var index = IndexOfLoneSurrogate(value);
        if (index >= 0)
        {
            throw new ArgumentException(
                $"{what} must be well-formed UTF-16; it contains a lone surrogate (U+{(int)value[index]:X4}) at index {index}.", paramName);
        }
    }
}
