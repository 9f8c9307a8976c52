using Firn.Hosting;

namespace Firn;

/// <summary>When the supervisor restarts a child that exited without being asked to (Erlang/OTP's restart types).</summary>
public enum RestartPolicy
{
    /// <summary>Always restart it, whatever its exit code.</summary>
    Permanent,

    /// <summary>Restart it only after an abnormal exit: a non-zero exit code, a signal, or a failed start. Exit code 0 ends it.</summary>
    Transient,

    /// <summary>Never restart it.</summary>
    Temporary,
}
