using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Firn.GenericHost.Configuration;

/// <summary>
/// Reads typed values from one configuration section, key by key, and describes each value it cannot read (and, at the
/// end, each key it was never asked for) as "full:key: what is wrong" instead of throwing, so that every problem of the
/// section is reported at once when the host starts.
/// </summary>
/// <param name="section">The section (or configuration root) whose keys are read.</param>
/// <param name="problems">Where problems go; <see langword="null"/> to skip what cannot be read without a word.</param>
internal sealed class SectionReader(IConfiguration section, List<string>? problems)
{
    private readonly HashSet<string> _known = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A string, or <see langword="null"/> when the key is absent.</summary>
    public string? String(string key) => Scalar(key)?.Value;

    /// <summary>A whole number, or <see langword="null"/> when the key is absent, empty or malformed.</summary>
    public int? Int32(string key) =>
        Parse<int>(key, static text => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null, $"is not a whole number from {int.MinValue} to {int.MaxValue}");

    /// <summary>A whole number of 64 bits, or <see langword="null"/> when the key is absent, empty or malformed.</summary>
    public long? Int64(string key) =>
        Parse<long>(key, static text => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null, $"is not a whole number from {long.MinValue} to {long.MaxValue}");

    /// <summary><c>true</c> or <c>false</c> (any case), or <see langword="null"/> when the key is absent, empty or malformed.</summary>
    public bool? Boolean(string key) =>
        Parse<bool>(key, static text => bool.TryParse(text, out var value) ? value : null, "is not true or false");

    /// <summary>
    /// A time span in the invariant format (<c>00:00:05</c>, <c>1.00:00:00</c>) or <c>Infinite</c>
    /// (<see cref="Timeout.InfiniteTimeSpan"/>), or <see langword="null"/> when the key is absent, empty or malformed.
    /// A bare number is refused: <see cref="System.TimeSpan"/> would read <c>5</c> as five days.
    /// </summary>
    public TimeSpan? TimeSpan(string key)
    {
        var child = Scalar(key);
        if (child is null || child.Value!.Length == 0)
        {
            return null;
        }

        var text = child.Value.Trim();
        if (string.Equals(text, "Infinite", StringComparison.OrdinalIgnoreCase))
        {
            return Timeout.InfiniteTimeSpan;
        }

        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
        {
            Problem(child, $"'{child.Value}' has no unit (a bare number would be read as days); write hh:mm:ss, for example 00:00:05");
            return null;
        }

        if (System.TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Problem(child, $"'{child.Value}' is not a time span; write [d.]hh:mm:ss[.fffffff], for example 00:00:05, or Infinite");
        return null;
    }

    /// <summary>One of the enum's names (any case; numbers are refused), or <see langword="null"/> when the key is absent, empty or malformed.</summary>
    public TEnum? Enum<TEnum>(string key)
        where TEnum : struct, Enum
    {
        var names = System.Enum.GetNames<TEnum>();
        return Parse<TEnum>(
            key,
            text => Array.Find(names, n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase)) is { } name ? System.Enum.Parse<TEnum>(name) : null,
            $"is not one of {string.Join(", ", names)}");
    }

    /// <summary>An array's values in order (an empty value is an empty array), or <see langword="null"/> when the key is absent.</summary>
    public List<string>? List(string key)
    {
        var child = Child(key);
        var items = child.GetChildren().ToList();
        if (items.Count == 0)
        {
            if (child.Value is null)
            {
                return null;
            }

            if (child.Value.Length > 0)
            {
                Problem(child, $"is the single value '{child.Value}'; an array was expected ({key}:0, {key}:1, ...)");
                return null;
            }
        }

        var list = new List<string>(items.Count);
        foreach (var item in items)
        {
            if (item.Value is null && item.GetChildren().Any())
            {
                Problem(item, "is a section; a string was expected");
                continue;
            }

            list.Add(item.Value ?? "");
        }

        return list;
    }

    /// <summary>Names to string values, or <see langword="null"/> when the key is absent.</summary>
    public Dictionary<string, string>? Map(string key)
    {
        var child = Child(key);
        var items = child.GetChildren().ToList();
        if (items.Count == 0)
        {
            if (!string.IsNullOrEmpty(child.Value))
            {
                Problem(child, $"is the single value '{child.Value}'; names with values were expected ({key}:NAME)");
            }

            return child.Value is null ? null : [];
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item.Value is null && item.GetChildren().Any())
            {
                Problem(item, "is a section; a string was expected");
                continue;
            }

            map[item.Key] = item.Value ?? "";
        }

        return map;
    }

    /// <summary>The sub-sections under a key (a single non-empty value there is a problem), none when it is absent.</summary>
    public IEnumerable<IConfigurationSection> Sections(string key, string expected)
    {
        var child = Child(key);
        var items = child.GetChildren().ToList();
        if (items.Count == 0 && !string.IsNullOrEmpty(child.Value))
        {
            Problem(child, $"is the single value '{child.Value}'; {expected} were expected");
        }

        return items;
    }

    /// <summary>Describes a value the section itself holds where only keys belong (<c>"nonebot": "fast"</c>), which no read would see.</summary>
    /// <param name="expected">What belongs there, as in "{expected} were expected".</param>
    public void ReportOwnValue(string expected)
    {
        if (section is IConfigurationSection { Value.Length: > 0 } own)
        {
            Problem(own, $"is the single value '{own.Value}'; {expected} were expected");
        }
    }

    /// <summary>Describes each key of the section that no read asked for, suggesting the nearest known one.</summary>
    /// <param name="what">What a known key is, as in "not {what}".</param>
    /// <param name="hint">Where an unknown key belongs, if it belongs elsewhere (as in "not {what}; {hint}"), or <see langword="null"/>.</param>
    public void ReportUnknownKeys(string what, Func<IConfigurationSection, string?>? hint = null)
    {
        foreach (var child in section.GetChildren())
        {
            if (!_known.Contains(child.Key))
            {
                var nearest = _known.MinBy(known => EditDistance(known, child.Key));
                Problem(child, hint?.Invoke(child) is { } elsewhere
                    ? $"is not {what}; {elsewhere}"
                    : nearest is not null && EditDistance(nearest, child.Key) <= 3
                    ? $"is not {what}; did you mean {nearest}?"
                    : $"is not {what}; they are {string.Join(", ", _known)}");
            }
        }
    }

    /// <summary>The child under <paramref name="key"/> when it holds a value; a section where a value was expected is a problem.</summary>
    private IConfigurationSection? Scalar(string key)
    {
        var child = Child(key);
        if (child.Value is null)
        {
            if (child.GetChildren().Any())
            {
                Problem(child, "is a section; a single value was expected");
            }

            return null;
        }

        return child;
    }

    private T? Parse<T>(string key, Func<string, T?> parse, string expected)
        where T : struct
    {
        var child = Scalar(key);
        if (child is null || child.Value!.Length == 0)
        {
            return null;
        }

        var value = parse(child.Value.Trim());
        if (value is null)
        {
            Problem(child, $"'{child.Value}' {expected}");
        }

        return value;
    }

    private IConfigurationSection Child(string key)
    {
        _known.Add(key);
        return section.GetSection(key);
    }

    private void Problem(IConfigurationSection child, string what) => problems?.Add($"{child.Path}: {what}");

    /// <summary>The Levenshtein distance, ignoring case.</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var same = char.ToUpperInvariant(a[i - 1]) == char.ToUpperInvariant(b[j - 1]);
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (same ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
