namespace Firn.Hosting;

/// <summary>The exit codes a Firn child uses for its own failures (documented in the README).</summary>
internal static class ChildExitCodes
{
    /// <summary>The entry returned, or stopped when asked.</summary>
    public const int Success = 0;

    /// <summary>The entry threw.</summary>
    public const int EntryFailed = 1;

    /// <summary>The program declares no process of the name it was started as.</summary>
    public const int NotDeclared = 2;

    /// <summary>It could not connect to the main process or was refused.</summary>
    public const int CannotConnect = 3;

    /// <summary>The connection to the main process was lost without a stop request (or the main process died).</summary>
    public const int ConnectionLost = 4;
}
