namespace Firn;

/// <summary>
/// The main process's handle on its children: start and stop the application, watch and control each child, and
/// list every channel. It exists only in the main process: <see cref="FirnApp.Supervisor"/> is
/// <see langword="null"/> in a child, whose own requests go through its <see cref="FirnProcessContext"/>.
/// </summary>
/// <remarks>
/// Most programs never touch it: <see cref="FirnApp.RunAsync"/> starts, runs and stops everything. It is for tests,
/// for applications that embed Firn in another lifetime, and for operators' controls.
/// </remarks>
public sealed class FirnSupervisor
{
    private readonly FirnApp _app;

    internal FirnSupervisor(FirnApp app) => _app = app;

    /// <summary>
    /// Raised for every state transition of every child, in the order they happened, one at a time, on a thread-pool
    /// thread (never under a supervisor lock). A handler's exception is logged. The sender is this supervisor.
    /// </summary>
    public event EventHandler<ProcessStateChangedEventArgs>? ProcessStateChanged;

    /// <summary>The path of the socket the children connect to.</summary>
    /// <exception cref="InvalidOperationException">The app has not started.</exception>
    public string SocketPath => _app.SocketPath;

    /// <summary>
    /// Starts the application: its socket, the before-start hooks, then every child in declaration order, each awaited
    /// until it is ready and followed by its after-process-start hooks; then the after-start hooks. A stop asked for
    /// meanwhile (<see cref="FirnApp.RequestStop"/>, a signal, <see cref="StopAsync"/>) abandons the start at once: no
    /// further child is spawned, the one starting is killed, and no after-start hook runs.
    /// </summary>
    /// <param name="cancellationToken">Abandons the start.</param>
    /// <returns>Completes when every child is running.</returns>
    /// <exception cref="OperationCanceledException">A stop was asked for, or <paramref name="cancellationToken"/> fired, before every child was running.</exception>
    /// <exception cref="InvalidOperationException">The app was already started.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default) => _app.StartAsync(cancellationToken);

    /// <summary>
    /// Stops the application gracefully: the before-shutdown hooks, every child in reverse declaration order (each after its
    /// before-process-shutdown hooks), then the after-shutdown hooks. The whole stop is bounded by
    /// <see cref="FirnAppOptions.StopTimeout"/>: children still running at that deadline are killed and the stop returns at
    /// most 2 s later. Safe to call more than once and from any thread; an app stopped before it started stays stopped.
    /// </summary>
    /// <returns>Completes when everything has stopped.</returns>
    public Task StopAsync() => _app.StopAsync();

    /// <summary>
    /// Restarts the whole application: the before-restart hooks, every child stopped in reverse declaration order and
    /// started again in declaration order (with their process hooks), then the after-restart hooks. The main process, its
    /// channels and store, and the after-start hooks keep running; messages sent meanwhile wait in the channels.
    /// </summary>
    /// <param name="cancellationToken">Abandons the start of the children.</param>
    /// <returns>Completes when every child is running again.</returns>
    public Task RestartAsync(CancellationToken cancellationToken = default) => _app.RestartAsync(cancellationToken);

    /// <summary>
    /// The status of every child, in declaration order. On a shared backend (Firn.Redis's <c>UseRedis</c>), this main
    /// process's children come first, then every other live host's (hosts ordered by name), each labelled with its
    /// <see cref="ProcessStatus.Host"/>; another host's statuses are as of its last publication (docs/redis.md,
    /// "Process registry").
    /// </summary>
    /// <returns>One snapshot per child; empty before <see cref="StartAsync"/> (apart from other hosts' children).</returns>
    public IReadOnlyList<ProcessStatus> GetProcesses() => _app.GetProcessesOfEveryHost();

    /// <summary>
    /// The status of one child of this main process. The controls below, too, act on this main process's children
    /// only: a child of another host is controlled by its own main process.
    /// </summary>
    /// <param name="name">The child's name.</param>
    /// <returns>A snapshot.</returns>
    /// <exception cref="ArgumentException">No child of this main process has that name (or the app has not started); when another host has one, the message names that host.</exception>
    public ProcessStatus GetProcess(string name) => _app.GetProcess(name);

    /// <summary>Starts a child that is not running (a pending automatic restart happens now); its restart intensity starts afresh.</summary>
    /// <param name="name">The child's name.</param>
    /// <param name="cancellationToken">Abandons the start.</param>
    /// <returns>Completes when the child is ready.</returns>
    /// <exception cref="ArgumentException">No child of this main process has that name; when another host has one, the message names that host.</exception>
    public Task StartProcessAsync(string name, CancellationToken cancellationToken = default) => _app.StartProcessAsync(name, cancellationToken);

    /// <summary>Stops a child gracefully (ask, wait, SIGTERM, wait, SIGKILL) and does not restart it; a pending restart is cancelled.</summary>
    /// <param name="name">The child's name.</param>
    /// <returns>Completes when the child has exited.</returns>
    /// <exception cref="ArgumentException">No child of this main process has that name; when another host has one, the message names that host.</exception>
    public Task StopProcessAsync(string name) => _app.StopProcessAsync(name);

    /// <summary>Stops a child gracefully and starts a new instance. Messages sent to it meanwhile wait in its channels' buffers.</summary>
    /// <param name="name">The child's name.</param>
    /// <param name="cancellationToken">Abandons the start.</param>
    /// <returns>Completes when the new instance is ready.</returns>
    /// <exception cref="ArgumentException">No child of this main process has that name; when another host has one, the message names that host.</exception>
    public Task RestartProcessAsync(string name, CancellationToken cancellationToken = default) => _app.RestartProcessAsync(name, cancellationToken);

    /// <summary>
    /// Every channel of the app, ordered by name: its message type, the processes that opened it with their receive
    /// modes, how many messages wait for a receiver or were delivered and not consumed, and whether it is closed.
    /// (Any process can ask with <see cref="FirnApp.GetChannelsAsync"/>; here the main process reads its own router.)
    /// On a shared backend (Firn.Redis's <c>UseRedis</c>) every live host's channels are merged in: each member is
    /// labelled with its <see cref="ChannelMemberInfo.Host"/>, and the counts are summed over the hosts.
    /// </summary>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<ChannelInfo> GetChannels() => _app.ListChannels();

    internal void RaiseProcessStateChanged(ProcessStateChangedEventArgs change, Action<Exception, string> onHandlerFailed)
    {
        if (ProcessStateChanged is not { } handlers)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<EventHandler<ProcessStateChangedEventArgs>>())
        {
            try
            {
                handler(this, change);
            }
#pragma warning disable CA1031 // A subscriber's failure is logged; the other subscribers and the supervisor go on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                onHandlerFailed(ex, change.Name);
            }
        }
    }
}
