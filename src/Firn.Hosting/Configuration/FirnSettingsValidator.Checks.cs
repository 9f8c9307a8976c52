using System.Globalization;

namespace Firn.GenericHost.Configuration;

/// <content>The checks of single settings, each failure worded "key: what is wrong (was value)".</content>
internal sealed partial class FirnSettingsValidator
{
    /// <summary>Checks the settings of one section, whose keys start with <paramref name="prefix"/>.</summary>
    private sealed class Checks(string prefix, List<string> problems)
    {
        private readonly HashSet<string> _failedKeys = new(StringComparer.Ordinal);

        /// <summary>Whether a check failed.</summary>
        public bool Failed => _failedKeys.Count > 0;

        /// <summary>The keys whose checks failed, without the prefix.</summary>
        public IReadOnlySet<string> FailedKeys => _failedKeys;

        /// <summary>Records a failure of the key.</summary>
        public void Fail(string key, string what)
        {
            _failedKeys.Add(key);
            problems.Add($"{prefix}{key}: {what}");
        }

        /// <summary>Passes a value present to <paramref name="assign"/> (an options setter, which checks it) and turns its exception into a failure.</summary>
        public void Bound<T>(string key, T? value, Action<T> assign)
            where T : struct
        {
            if (value is { } present)
            {
                Try(key, Show(present), () => assign(present));
            }
        }

        /// <inheritdoc cref="Bound{T}(string, T?, Action{T})"/>
        public void Bound(string key, string? value, Action<string> assign)
        {
            if (value is not null)
            {
                Try(key, $"'{value}'", () => assign(value));
            }
        }

        /// <summary>A string present must not be empty (leaving the key out gives the default).</summary>
        public void NotEmpty(string key, string? value)
        {
            if (value is { Length: 0 })
            {
                Fail(key, "must not be empty; leave the key out for the default");
            }
        }

        /// <summary>An enum value present must be one of its names (a settings object filled in code may hold any number).</summary>
        public void Defined<TEnum>(string key, TEnum? value)
            where TEnum : struct, Enum
        {
            if (value is { } present && !Enum.IsDefined(present))
            {
                Fail(key, $"must be one of {string.Join(", ", Enum.GetNames<TEnum>())} (was {present})");
            }
        }

        /// <summary>A value as configuration would write it.</summary>
        public static string Show<T>(T value) => value switch
        {
            TimeSpan span when span == Timeout.InfiniteTimeSpan => "Infinite",
            TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value?.ToString() ?? "null",
        };

        /// <summary>An exception's message without the parameter name and actual value the runtime appends.</summary>
        public static string Reason(ArgumentException exception)
        {
            var text = exception.Message;
            var end = text.IndexOf(" (Parameter '", StringComparison.Ordinal);
            if (end >= 0)
            {
                text = text[..end];
            }

            var line = text.IndexOfAny(['\r', '\n']);
            return (line >= 0 ? text[..line] : text).TrimEnd('.');
        }

        private void Try(string key, string shown, Action assign)
        {
            try
            {
                assign();
            }
            catch (ArgumentException ex)
            {
                Fail(key, $"{Reason(ex)} (was {shown})");
            }
        }
    }
}
