namespace Firn.Hosting;

/// <summary>
/// What the main process hands a child at spawn, through environment variables. Their presence is what
/// makes a <see cref="FirnApp"/> run as a child.
/// </summary>
internal sealed record ChildEnvironment(string ProcessName, string SocketPath, string Secret, int ParentProcessId, bool WaitForReadySignal = false)
{
    public const string NameVariable = "FIRN_PROCESS_NAME";
    public const string SocketVariable = "FIRN_SOCKET";
    public const string SecretVariable = "FIRN_SECRET";
    public const string ParentVariable = "FIRN_PARENT_PID";
    public const string ReadyVariable = "FIRN_WAIT_READY";

    /// <summary>Reads the child settings from this process's environment, or returns null in the main process.</summary>
    public static ChildEnvironment? FromCurrentProcess()
    {
        var name = Environment.GetEnvironmentVariable(NameVariable);
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        var socket = Environment.GetEnvironmentVariable(SocketVariable);
        var secret = Environment.GetEnvironmentVariable(SecretVariable);
        if (string.IsNullOrEmpty(socket) || string.IsNullOrEmpty(secret))
        {
            throw new FirnConfigurationException(
                $"This process was started as Firn child '{name}' but {SocketVariable} or {SecretVariable} is missing. Children are started by the main process; do not set {NameVariable} by hand.");
        }

        _ = int.TryParse(Environment.GetEnvironmentVariable(ParentVariable), out var parent);
        var waitForReady = Environment.GetEnvironmentVariable(ReadyVariable) == "1";

        // The secret must not leak to processes this child starts in turn.
        Environment.SetEnvironmentVariable(SecretVariable, null);
        Environment.SetEnvironmentVariable(NameVariable, null);
        Environment.SetEnvironmentVariable(SocketVariable, null);
        Environment.SetEnvironmentVariable(ReadyVariable, null);
        return new ChildEnvironment(name, socket, secret, parent, waitForReady);
    }
}
