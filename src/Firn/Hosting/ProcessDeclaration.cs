namespace Firn.Hosting;

/// <summary>A child declared with <see cref="FirnApp.AddProcess(string, Func{FirnProcessContext, Task}, ProcessOptions?)"/>.</summary>
internal sealed record ProcessDeclaration(string Name, Func<FirnProcessContext, Task>? Entry, ProcessOptions Options)
{
    public const int MaxNameLength = 64;

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
}
