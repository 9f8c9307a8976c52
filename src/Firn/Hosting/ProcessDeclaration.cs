namespace Firn.Hosting;

/// <summary>
/// A declared child: this program re-launched (its entry is the app's to run), another Firn program
/// (<see cref="ProcessOptions.Executable"/>), or an external command that never connects (<see cref="IsCommand"/>).
/// </summary>
internal sealed record ProcessDeclaration(string Name, ProcessOptions Options, bool IsCommand = false)
{
    public const int MaxNameLength = 64;

    public ProcessOptions Options { get; init; } = ValidateOptions(Name, Options);

    public static void ValidateName(string name, string mainProcessName)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > MaxNameLength)
        {
            throw new ArgumentException($"A process name has 1 to {MaxNameLength} characters; got {name.Length}.", nameof(name));
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                throw new ArgumentException($"Process name '{name}' may only contain ASCII letters, digits, '-', '_' and '.'.", nameof(name));
            }
        }

        if (string.Equals(name, mainProcessName, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is the main process's name; choose another name for the child.", nameof(name));
        }
    }

    /// <summary>Checks the settings that depend on each other (each one alone was checked when set).</summary>
    public static ProcessOptions ValidateOptions(string name, ProcessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxRestartDelay < options.RestartDelay)
        {
            throw new ArgumentException(
                $"Process '{name}': MaxRestartDelay ({options.MaxRestartDelay}) is shorter than RestartDelay ({options.RestartDelay}).", nameof(options));
        }

        return options;
    }
}
