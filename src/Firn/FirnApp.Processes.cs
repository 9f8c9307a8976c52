using Firn.Hosting;
using Firn.Meters;
using Microsoft.Extensions.Logging;

namespace Firn;

/// <content>The children as the main process supervises them: external commands, status, control and state changes.</content>
public sealed partial class FirnApp
{
    /// <summary>
    /// Declares a child that is an external command (any executable, not a Firn program): supervised like any child
    /// (restart policy, stop with SIGTERM then SIGKILL, output into the log, status) but it never connects, so it has
    /// no channels of its own and counts as running as soon as it is spawned. It is started through
    /// <c>setpriv --pdeathsig KILL</c> when util-linux's <c>setpriv</c> is installed, so that it dies with the main process.
    /// </summary>
    /// <param name="name">A unique name: ASCII letters, digits, '-', '_' and '.'.</param>
    /// <param name="options">The command (<see cref="ProcessOptions.Executable"/>, <see cref="ProcessOptions.Arguments"/>, ...) and its supervision.</param>
    /// <returns>This app, for chaining.</returns>
    public FirnApp AddCommand(string name, ProcessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.Executable))
        {
            throw new ArgumentException("A command needs ProcessOptions.Executable (the program to run).", nameof(options));
        }

        return Declare(new ProcessDeclaration(name, options, IsCommand: true), entry: null);
    }

    /// <summary>The status of every child, in declaration order.</summary>
    /// <returns>One snapshot per child.</returns>
    internal IReadOnlyList<ProcessStatus> GetProcesses()
    {
        lock (_processes)
        {
            return [.. _processes.Select(p => p.GetStatus())];
        }
    }

    /// <summary>This host's children (labelled with its host name on a shared backend), then the other hosts' (<see cref="IProcessRegistry"/>).</summary>
    /// <returns>One snapshot per child of every host.</returns>
    internal IReadOnlyList<ProcessStatus> GetProcessesOfEveryHost() => HostViews.Processes(GetProcesses(), ProcessRegistry);

    /// <summary>The status of one child.</summary>
    /// <param name="name">The child's name.</param>
    /// <returns>A snapshot.</returns>
    internal ProcessStatus GetProcess(string name)
    {
        var status = RequireProcess(name).GetStatus();
        return ProcessRegistry is { } registry ? status with { Host = registry.HostName } : status;
    }

    /// <summary>The status of one child, or null before the app has started (or for a name not declared).</summary>
    /// <param name="name">The child's name.</param>
    /// <returns>A snapshot, or null.</returns>
    internal ProcessStatus? FindProcessStatus(string name) => FindProcess(name)?.GetStatus();

    /// <summary>The restart policy a declared child runs with, or null for a name not declared.</summary>
    /// <param name="name">The child's name.</param>
    /// <returns>Its policy, or null.</returns>
    internal RestartPolicy? FindRestartPolicy(string name)
    {
        lock (_declarations)
        {
            return FindDeclarationLocked(name)?.Options.Restart;
        }
    }

    /// <summary>The declaration of the child named <paramref name="name"/>, or null. Call under the lock on <see cref="_declarations"/> (or where nothing declares any more).</summary>
    private ProcessDeclaration? FindDeclarationLocked(string name) =>
        _declarations.Find(d => string.Equals(d.Name, name, StringComparison.Ordinal));

    /// <summary>The names of the declared children, in declaration order (known before the app starts, in either role).</summary>
    /// <returns>A copy.</returns>
    internal IReadOnlyList<string> DeclaredProcessNames()
    {
        lock (_declarations)
        {
            return [.. _declarations.Select(d => d.Name)];
        }
    }

    /// <summary>Starts a child that is not running (a pending automatic restart happens now); its restart intensity starts afresh.</summary>
    /// <param name="name">The child's name.</param>
    /// <param name="cancellationToken">Abandons the start.</param>
    /// <returns>Completes when the child is ready.</returns>
    internal Task StartProcessAsync(string name, CancellationToken cancellationToken = default) => RequireProcess(name).StartAsync(cancellationToken);

    /// <summary>Stops a child gracefully (ask, wait, SIGTERM, wait, SIGKILL) and does not restart it; a pending restart is cancelled.</summary>
    /// <param name="name">The child's name.</param>
    /// <returns>Completes when the child has exited.</returns>
    internal Task StopProcessAsync(string name) => RequireProcess(name).StopAsync();

    /// <summary>Stops a child gracefully and starts a new instance. Messages sent to it meanwhile wait in its channels' buffers.</summary>
    /// <param name="name">The child's name.</param>
    /// <param name="cancellationToken">Abandons the start.</param>
    /// <returns>Completes when the new instance is ready.</returns>
    internal Task RestartProcessAsync(string name, CancellationToken cancellationToken = default) => RequireProcess(name).RestartAsync(cancellationToken);

    /// <summary>Bytes waiting to be written to a child's connection, or null when it is not connected (diagnostics and tests).</summary>
    internal long? BufferedBytesFor(string name) => RequireProcess(name).CurrentSession?.Connection.Outbound.UnwrittenBytes;

    /// <summary>The connection to a child, or null when it is not connected (diagnostics and tests).</summary>
    internal Transport.Connection? ConnectionTo(string name) => RequireProcess(name).CurrentSession?.Connection;

    /// <remarks>Called by the accept loop, which runs while <see cref="StartAsync"/> may still be filling the list.</remarks>
    private bool IsStartingChild(int pid)
    {
        lock (_processes)
        {
            return _processes.Exists(p => p.ExpectsConnectionFrom(pid));
        }
    }

    private ManagedProcess? FindProcess(string name)
    {
        lock (_processes)
        {
            return _processes.Find(p => string.Equals(p.Name, name, StringComparison.Ordinal));
        }
    }

    private ManagedProcess RequireProcess(string name)
    {
        if (_child is not null)
        {
            throw new InvalidOperationException($"Only the main process manages children; this is child '{ProcessName}'.");
        }

        if (FindProcess(name) is { } process)
        {
            return process;
        }

        if (HostViews.HostsOf(name, ProcessRegistry) is { Count: > 0 } hosts)
        {
            throw new ArgumentException(HostViews.OnOtherHost(name, hosts, ProcessRegistry!.HostName), nameof(name));
        }

        throw new ArgumentException(
            _processes.Count == 0 ? $"No process named '{name}': the app has not started or declares none." : $"No process named '{name}'. Declared: {string.Join(", ", _processes.Select(p => p.Name))}.",
            nameof(name));
    }

    private void RaiseProcessStateChanged(ProcessStateChangedEventArgs change)
    {
        if (change.State == ProcessState.Backoff && change.Status.LastExitReason is { } reason)
        {
            Metrics.Restarted(change.Name, ProcessSamples.Name(reason));
        }

        ProcessRegistry?.Changed();
        Supervisor?.RaiseProcessStateChanged(change, (ex, name) => AppLog.StateHandlerFailed(Logger, ex, name));
    }

    /// <summary>The children as the process instruments report them, read when a listener collects them.</summary>
    private IReadOnlyList<ProcessSample> SampleProcesses()
    {
        var processes = GetProcesses();
        var samples = new ProcessSample[processes.Count];
        for (var i = 0; i < samples.Length; i++)
        {
            var status = processes[i];
            samples[i] = new ProcessSample(status.Name, ProcessSamples.Name(status.State), status.ProcessId, status.Uptime);
        }

        return samples;
    }
}
