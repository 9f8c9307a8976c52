namespace Firn.Cli;

/// <summary>A failure firnctl reports in one line on standard error and turns into <see cref="ExitCode"/>.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
