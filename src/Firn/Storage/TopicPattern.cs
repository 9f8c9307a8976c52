namespace Firn.Storage;

/// <summary>
/// A subscription pattern: <c>*</c> matches any run of characters (dots included) and <c>?</c> exactly one,
/// as in Redis's PSUBSCRIBE without character classes. <c>orders.*</c> matches <c>orders.new</c> and <c>orders.eu.paid</c>.
/// </summary>
internal sealed class TopicPattern
{
    private readonly string _pattern;

    public TopicPattern(string pattern) => _pattern = pattern;

    public static bool IsPattern(string topic) => topic.AsSpan().IndexOfAny('*', '?') >= 0;

    public bool Matches(string topic) => Match(_pattern, topic);

    /// <inheritdoc />
    public override string ToString() => _pattern;

    /// <summary>Iterative glob match with backtracking to the last star: linear for patterns with one star, never exponential.</summary>
    private static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
