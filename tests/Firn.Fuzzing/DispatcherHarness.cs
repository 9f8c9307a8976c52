using Firn.Hosting;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Fuzzing;

/// <summary>
/// A real main process in this process (a <see cref="FirnApp"/> with no declared children, started, so its router,
/// store, pub/sub hub, call table and every frame handler are wired exactly as in production), and fake children
/// connected to it over socket pairs. Each fake child is a real <see cref="ChildSession"/> past its handshake, so
/// tests feed the dispatcher any bytes an authenticated (and possibly compromised) child could send.
/// </summary>
internal sealed class DispatcherHarness : IAsyncDisposable
{
    /// <summary>Small, so bodies over the limit are cheap to build; the frame limit is this plus the envelope allowance.</summary>
    public const int DefaultMaxMessageSize = 64 * 1024;

    /// <summary>Generous: a loaded 2-core machine may stall for seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly List<FakeChild> _children = [];
    private readonly List<DirectSession> _direct = [];
    private readonly List<string> _unsolicited = [];
    private readonly ILogger _connectionLogger;

    private DispatcherHarness(FirnApp app, RecordingLog log, TimeSpan timeout)
    {
        App = app;
        Log = log;
        Timeout = timeout;
        _connectionLogger = log.Factory.CreateLogger("Firn.Host");
    }

    public FirnApp App { get; }

    public RecordingLog Log { get; }

    public TimeSpan Timeout { get; }

    /// <summary>The largest frame body an authenticated child may send.</summary>
    public int MaxBodyLength => App.Options.MaxMessageSize + FrameFormat.EnvelopeAllowance;

    internal MainServices Services => App.Services;

    /// <summary>Starts a main process with no children.</summary>
    /// <param name="maxMessageSize">FirnAppOptions.MaxMessageSize.</param>
    /// <param name="sendWindow">FirnAppOptions.ChannelSendWindow.</param>
    /// <param name="log">Where its log goes; a new one if null.</param>
    /// <param name="timeout">How long any wait of the harness may take.</param>
    /// <param name="connectionBufferLimit">FirnAppOptions.ConnectionBufferLimit; its default if null.</param>
    public static async Task<DispatcherHarness> StartAsync(int maxMessageSize = DefaultMaxMessageSize, int sendWindow = 64, RecordingLog? log = null, TimeSpan? timeout = null, int? connectionBufferLimit = null)
    {
        log ??= new RecordingLog();
        var defaults = new FirnAppOptions { MaxMessageSize = maxMessageSize };
        var app = new FirnApp(new FirnAppOptions
        {
            LoggerFactory = log.Factory,
            MaxMessageSize = maxMessageSize,
            ConnectionBufferLimit = connectionBufferLimit ?? defaults.ConnectionBufferLimit,
            ChannelSendWindow = sendWindow,
            StoreMaxKeys = 10_000,
            StoreMaxBytes = 64L * 1024 * 1024,
            HandleSignals = false,
            SocketDirectory = "/tmp",
        });
        try
        {
            await app.Supervisor!.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new DispatcherHarness(app, log, timeout ?? DefaultTimeout);
    }

    /// <summary>
    /// Connects a fake child named <paramref name="name"/>, wired as <c>ManagedProcess.Accept</c> and
    /// <c>MainHost</c> wire an authenticated child: its frames go to a <see cref="ChildSession"/>, and when the
    /// connection closes the session ends (<see cref="MainServices.EndSession"/>).
    /// </summary>
    /// <param name="name">The process name the main process knows it by; unique names make leaks visible by name.</param>
    /// <param name="keepFrames">Keep every frame the main process sends it (off for long-lived sessions).</param>
    public FakeChild Connect(string name, bool keepFrames = true)
    {
        var (server, client) = SocketPair.Create();
        var connection = new Connection(server, MaxBodyLength, _connectionLogger, $"fake child '{name}'");
        var owner = new FakeSessionOwner(name);
        var session = new ChildSession(connection, Services, owner);
        var services = Services;
        var ended = connection.Closed.ContinueWith(_ => services.EndSession(session), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        connection.Start(session.OnFrame);
        var child = new FakeChild(name, server, connection, session, owner, ended, client, keepFrames, Timeout);
        lock (_children)
        {
            _children.Add(child);
        }

        return child;
    }

    /// <summary>A session fed synchronously, frame by frame, on the calling thread (no read loop): for coverage-guided fuzzing.</summary>
    public DirectSession ConnectDirect(string name)
    {
        var session = new DirectSession(name, Services, MaxBodyLength, _connectionLogger);
        lock (_direct)
        {
            _direct.Add(session);
        }

        return session;
    }

    /// <summary>Disconnects and forgets a fake child (when a fuzz case is done with it); what it got unasked is kept for <see cref="DisposeAsync"/>.</summary>
    public async Task DropAsync(FakeChild child)
    {
        await child.DisposeAsync().ConfigureAwait(false);
        Collect(child);
        lock (_children)
        {
            _children.Remove(child);
        }
    }

    /// <summary>
    /// Disconnects every fake child and stops the main process, then fails (<see cref="InvalidOperationException"/>) if
    /// any fake child ever received a frame it did not ask for (<see cref="FakeChild.Unsolicited"/>): every test that
    /// uses the harness checks that replies only ever go back to the connection that made the request.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        FakeChild[] children;
        lock (_children)
        {
            children = [.. _children];
            _children.Clear();
        }

        try
        {
            foreach (var child in children)
            {
                await child.DisposeAsync().ConfigureAwait(false);
                Collect(child);
            }

            lock (_direct)
            {
                foreach (var session in _direct)
                {
                    session.Dispose();
                }

                _direct.Clear();
            }
        }
        finally
        {
            await App.DisposeAsync().ConfigureAwait(false);
        }

        lock (_unsolicited)
        {
            if (_unsolicited.Count > 0)
            {
                throw new InvalidOperationException($"Fake children received frames they never asked for:\n{string.Join('\n', _unsolicited)}");
            }
        }
    }

    private void Collect(FakeChild child)
    {
        lock (_unsolicited)
        {
            _unsolicited.AddRange(child.Unsolicited.Select(frame => $"'{child.Name}' received {frame}"));
        }
    }
}
