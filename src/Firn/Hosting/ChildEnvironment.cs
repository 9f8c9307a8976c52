using Firn.Failures;
namespace Firn.Hosting;

/// <summary>
/// What the main process hands a child at spawn, through environment variables (the secret through an inherited
/// pipe they name, see <see cref="SecretHandover"/>). Their presence is what makes a <see cref="FirnApp"/> run as a child.
/// </summary>
internal sealed record ChildEnvironment(string ProcessName, string SocketPath, string Secret, int ParentProcessId, bool WaitForReadySignal = false)
{
    public const string NameVariable = "FIRN_PROCESS_NAME";
    public const string SocketVariable = "FIRN_SOCKET";
    /// <summary>The number of the inherited descriptor the secret is read from (the number only, never the secret).</summary>
    public const string SecretFdVariable = "FIRN_SECRET_FD";
    public const string ParentVariable = "FIRN_PARENT_PID";
    public const string ReadyVariable = "FIRN_WAIT_READY";

    private static volatile bool s_consumed;

    /// <summary>
    /// Whether this process was started as a child: its variables are set, or <see cref="FromCurrentProcess"/> has
    /// already read (and cleared) them. Reads nothing that would be consumed.
    /// </summary>
    public static bool IsChild => s_consumed || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(NameVariable));

    /// <summary>Reads the child settings from this process's environment, or returns null in the main process.</summary>
    public static ChildEnvironment? FromCurrentProcess()
    {
        var name = Environment.GetEnvironmentVariable(NameVariable);
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        var socket = Environment.GetEnvironmentVariable(SocketVariable);
        if (string.IsNullOrEmpty(socket) || !int.TryParse(Environment.GetEnvironmentVariable(SecretFdVariable), out var secretFd) || secretFd < 3)
        {
            // FIRN_SECRET is what main processes of earlier Firn versions set instead of a descriptor.
            throw FirnErrors.ChildEnvironmentMissing(name, SocketVariable, SecretFdVariable, NameVariable, olderMain: Environment.GetEnvironmentVariable("FIRN_SECRET") is not null);
        }

        // The descriptor must be the pipe the main process left open: closing whatever else has that number (a wrapper
        // such as sudo may close inherited descriptors) would take one of this process's own.
        if (new FileInfo($"/proc/self/fd/{secretFd}").LinkTarget is not { } target || !target.StartsWith("pipe:", StringComparison.Ordinal))
        {
            throw FirnErrors.SecretDescriptorNotPipe(name, secretFd, SecretFdVariable);
        }

        // Read once and closed: nothing this child starts in turn, and no other process later, finds it there.
        var secret = SecretHandover.ReadAndClose(secretFd);

        _ = int.TryParse(Environment.GetEnvironmentVariable(ParentVariable), out var parent);
        var waitForReady = Environment.GetEnvironmentVariable(ReadyVariable) == "1";

        // Processes this child starts in turn are not Firn children.
        s_consumed = true;
        Environment.SetEnvironmentVariable(SecretFdVariable, null);
        Environment.SetEnvironmentVariable(NameVariable, null);
        Environment.SetEnvironmentVariable(SocketVariable, null);
        Environment.SetEnvironmentVariable(ReadyVariable, null);
        return new ChildEnvironment(name, socket, secret, parent, waitForReady);
    }
}
