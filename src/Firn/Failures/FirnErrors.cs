namespace Firn.Failures;

/// <summary>
/// Builds every exception Firn throws for a failure of its own (every <see cref="FirnException"/>, and the timeouts of
/// round trips to the main process), one method per failure, so one failure reads the same wherever it surfaces.
/// Misuse of an API (a bad argument, a call in the wrong state) is reported at its own site.
/// </summary>
/// <remarks>Messages say what happened and what to do; they name the option to change where one applies.</remarks>
internal static partial class FirnErrors
{
    /// <summary>
    /// The connection to the main process is closed: "<paramref name="what"/>: the connection to the main process is
    /// closed (<paramref name="reason"/> in words)."
    /// </summary>
    public static FirnDisconnectedException Disconnected(DisconnectReason reason, string what, Exception? innerException = null) =>
        new($"{what}: the connection to the main process is closed ({Describe(reason)}).", reason, innerException);

    /// <summary><see cref="FirnApp.FlushAsync"/> could not make its round trip.</summary>
    public static FirnDisconnectedException FlushFailed(FirnDisconnectedException cause) =>
        Disconnected(cause.Reason, "Not everything sent has reached the main process", cause);

    public static FirnConfigurationException CannotConnect(string process, string socketPath, Exception cause) =>
        new($"Child '{process}' could not connect to the main process at '{socketPath}': {cause.Message}", cause);

    public static FirnConfigurationException HandshakeNotAnswered(string process, TimeSpan timeout) =>
        new($"Child '{process}': the main process did not answer the handshake within {timeout}.");

    public static FirnConfigurationException HandshakeRefused(string process, string why) =>
        new($"The main process refused child '{process}': {why}");

    public static FirnConfigurationException ClosedDuringHandshake(DisconnectReason reason) =>
        new($"The main process closed the connection during the handshake ({reason}).");

    public static FirnConfigurationException ChildEnvironmentMissing(string process, string socketVariable, string secretVariable, string nameVariable, bool olderMain) =>
        new($"This process was started as Firn child '{process}' but {socketVariable} or {secretVariable} is missing or invalid. Children are started by the main process; do not set {nameVariable} by hand." +
            (olderMain
                ? " This child was started by a main process of an earlier Firn version, which passes the secret in FIRN_SECRET; build the main process and this program with the same Firn version."
                : string.Empty));

    public static FirnConfigurationException SecretDescriptorNotPipe(string process, int descriptor, string secretVariable) =>
        new($"This process was started as Firn child '{process}' but descriptor {descriptor} ({secretVariable}) is not the pipe the main process hands the secret through; something between the main process and this program closed it.");

    public static FirnConfigurationException SecretUnreadable(int descriptor, string why) =>
        new($"This Firn child cannot read its secret from descriptor {descriptor}: {why}. Children are started by the main process.");

    public static FirnConfigurationException SecretWrongSize(int descriptor, int length, int maxLength) =>
        new($"This Firn child got a secret of {(length == 0 ? "no" : "more than " + maxLength)} bytes from descriptor {descriptor}. Children are started by the main process.");

    public static FirnConfigurationException SocketPathTooLong(string socketPath, int length, int maxLength) =>
        new($"The socket path '{socketPath}' is {length} bytes long; Unix domain socket paths are limited to {maxLength} bytes. " +
            $"Set {nameof(FirnAppOptions)}.{nameof(FirnAppOptions.SocketDirectory)} to a shorter directory (for example /tmp).");

    public static FirnConfigurationException CommandNotFound(string process, string executable) =>
        new($"Process '{process}': command '{executable}' was not found{(executable.Contains('/', StringComparison.Ordinal) ? string.Empty : " on PATH")} or is not executable.");

    public static FirnConfigurationException ProgramPathUnknown() =>
        new("Cannot find this program's executable to re-launch it as a child; set ProcessOptions.Executable.");

    public static FirnConfigurationException EntryAssemblyUnknown() =>
        new("This program runs under the dotnet host but its entry assembly has no file; set ProcessOptions.Executable.");

    public static FirnConfigurationException StartFailed(string process, Exception cause) =>
        new($"Process '{process}' could not be started: {cause.Message}", cause);

    /// <summary>The reason in words, for a message: "the connection to the main process is closed (…)".</summary>
    public static string Describe(DisconnectReason reason) => reason switch
    {
        DisconnectReason.RemotePartyTerminated => "the main process closed it or exited",
        DisconnectReason.LocallyClosed => "this process closed it: it is stopping",
        DisconnectReason.ProtocolViolation => "the main process broke the protocol; see this process's log",
        DisconnectReason.FrameTooLarge => "the main process sent a frame over this process's size limit",
        DisconnectReason.LocalHandlerFault => "code in this process that handles what the main process sends threw; see this process's log",
        DisconnectReason.AuthenticationFailure => "the main process did not accept this child",
        DisconnectReason.HandshakeTimeout => "the handshake did not complete in time",
        DisconnectReason.SocketError => "a socket error; see this process's log",
        DisconnectReason.Overloaded => "the main process stopped reading what this process sends (FirnAppOptions.ConnectionBufferLimit)",
        _ => reason.ToString(),
    };
}
