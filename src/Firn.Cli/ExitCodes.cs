namespace Firn.Cli;

/// <summary>firnctl's exit codes (docs/firnctl.md); scripts rely on them, so they never change meaning.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The operation was made and failed (a process failed to start, a remote method threw, ...).</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong (unknown command or option, bad JSON, a write without --write).</summary>
    public const int Usage = 2;

    /// <summary>No app to talk to: none running, several and no --app, cannot connect, refused, connection lost.</summary>
    public const int NoApp = 3;

    /// <summary>The process, key or method named does not exist.</summary>
    public const int NotFound = 4;

    /// <summary>The wait (or the operation) did not finish in time.</summary>
    public const int Timeout = 5;
}
