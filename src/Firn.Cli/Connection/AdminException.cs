namespace Firn.Cli.Connection;

/// <summary>An error reply of the admin endpoint: its code (docs/admin-protocol.md) and its message for humans.</summary>
internal sealed class AdminException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;

    /// <summary>The exit code this error means for firnctl (docs/firnctl.md).</summary>
    public int ExitCode => Code switch
    {
        "not-found" => ExitCodes.NotFound,
        "timeout" => ExitCodes.Timeout,
        "bad-request" => ExitCodes.Usage,
        "permission-denied" or "disabled" => ExitCodes.NoApp,
        _ => ExitCodes.Failed,
    };
}
