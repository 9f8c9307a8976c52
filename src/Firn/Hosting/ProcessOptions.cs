namespace Firn.Hosting;

/// <summary>How a child process is launched and stopped.</summary>
public sealed class ProcessOptions
{
    /// <summary>
    /// A program to run instead of re-launching this one (for example <c>dotnet</c> with a DLL in
    /// <see cref="Arguments"/>). It must be a Firn program that declares a process of the same name.
    /// Default: this program, re-launched as the child.
    /// </summary>
    public string? Executable { get; init; }

    /// <summary>Arguments for <see cref="Executable"/> (or extra arguments for this program).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Extra environment variables for the child.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The child's working directory. Default: the main process's.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>How long the child may take to exit after a stop request before it gets SIGTERM, then SIGKILL. Default: <see cref="FirnAppOptions.ShutdownTimeout"/>.</summary>
    public TimeSpan? ShutdownTimeout { get; init; }
}
