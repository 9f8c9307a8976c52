using System.Net.Sockets;
using Firn.Channels;
using Firn.Hosting;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Support;

/// <summary>
/// A child-role <see cref="FirnApp"/> living in the test process, connected over a real Unix socket to a started main
/// <see cref="FirnApp"/> of the test process. The child runs exactly as in a child process (its <c>RunAsync</c>: the
/// handshake, its channels, store, pub/sub and RPC over the connection), except that nothing watches its parent and it
/// reads its role from here, not from the environment. The main side is wired as <c>MainHost</c> and
/// <c>ManagedProcess</c> wire an authenticated child: a <see cref="ChildSession"/> on the main app's services, the
/// built-in channels opened and named in the Welcome, the session ended when the connection closes. Only admission is
/// left out (the peer's pid and the secret of a spawned instance): nothing was spawned.
/// </summary>
internal sealed class LoopbackChild : IAsyncDisposable
{
    private const string Secret = "loopback";

    private readonly Socket _listener;
    private readonly string _path;
    private readonly CancellationTokenSource _stop;
    private readonly Task<int> _running;

    private LoopbackChild(FirnApp app, FirnProcessContext context, Connection mainEnd, Socket listener, string path, CancellationTokenSource stop, Task<int> running)
    {
        App = app;
        MainEnd = mainEnd;
        Context = context;
        _listener = listener;
        _path = path;
        _stop = stop;
        _running = running;
    }

    /// <summary>The child's app.</summary>
    public FirnApp App { get; }

    /// <summary>What the child's entry received.</summary>
    public FirnProcessContext Context { get; }

    /// <summary>The main process's end of the connection (its <see cref="Connection.Capabilities"/> are those the Welcome put in force).</summary>
    public Connection MainEnd { get; }

    /// <summary>Connects a child named <paramref name="name"/> to <paramref name="main"/> and waits until its entry runs.</summary>
    /// <param name="main">A started main process.</param>
    /// <param name="name">The child's name; no declared child of <paramref name="main"/> may have it.</param>
    /// <param name="log">Where the child logs.</param>
    /// <param name="socketPollWindow">The child's <see cref="FirnAppOptions.SocketPollWindow"/>; the main process's by default.</param>
    public static async Task<LoopbackChild> StartAsync(FirnApp main, string name, TestLog log, TimeSpan? socketPollWindow = null)
    {
        var path = Path.Combine("/tmp", $"firn-loopback-{Guid.NewGuid():N}.sock");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var accepting = listener.AcceptAsync();

        var app = new FirnApp(
            new FirnAppOptions
            {
                LoggerFactory = log.Factory,
                MaxMessageSize = main.Options.MaxMessageSize,
                CallTimeout = main.Options.CallTimeout,
                ConnectionBufferLimit = main.Options.ConnectionBufferLimit,
                StartTimeout = TestApps.Timeout,
                ShutdownTimeout = TimeSpan.FromSeconds(10),
                SocketPollWindow = socketPollWindow ?? main.Options.SocketPollWindow,
            },
            () => new ChildEnvironment(name, path, Secret, ParentProcessId: 0));
        var entered = new TaskCompletionSource<FirnProcessContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        app.AddProcess(name, async context =>
        {
            entered.TrySetResult(context);
            await Task.Delay(Timeout.Infinite, context.Stopping).ContinueWith(_ => { }, TaskScheduler.Default);
        });

        var stop = new CancellationTokenSource();
        var running = Task.Run(() => app.RunAsync(stop.Token));
        Connection mainEnd;
        try
        {
            mainEnd = Serve(main, await accepting.WaitAsync(TestApps.Timeout), name);
            if (await Task.WhenAny(entered.Task, running).WaitAsync(TestApps.Timeout) != entered.Task)
            {
                throw new InvalidOperationException($"The loopback child '{name}' ended before its entry ran, with exit code {await running}.");
            }
        }
        catch
        {
            await stop.CancelAsync();
            listener.Dispose();
            File.Delete(path);
            throw;
        }

        return new LoopbackChild(app, await entered.Task, mainEnd, listener, path, stop, running);
    }

    /// <summary>Stops the child as the main process's stop request would, and waits until it has closed its connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(TestApps.Timeout);
        }
        finally
        {
            await App.DisposeAsync();
            _stop.Dispose();
            _listener.Dispose();
            File.Delete(_path);
        }
    }

    /// <summary>The main process's end: the handshake, then every frame to the child's session, as MainHost does.</summary>
    private static Connection Serve(FirnApp main, Socket socket, string name)
    {
        var options = main.Options;
        var connection = new Connection(
            socket,
            MainHost.MaxHandshakeBodyLength,
            main.LoggerFactory.CreateLogger("Firn.Host"),
            $"loopback child '{name}' (handshake)",
            options.ConnectionBufferLimit,
            options.MaxMessageSize + FrameFormat.EnvelopeAllowance + FrameFormat.HeaderSize)
        {
            PollWindow = options.SocketPollWindow,
        };
        ChildSession? session = null;

        // Frames are handled on the connection's read loop, one at a time: the session is set and read there only.
        connection.Start((kind, body) =>
        {
            if (session is not null)
            {
                session.OnFrame(kind, body);
                return;
            }

            var (_, helloName, secret, offered) = kind == FrameKind.Hello
                ? Handshake.DecodeHello(body)
                : throw new ProtocolViolationException($"expected {FrameKind.Hello}, got {kind}");
            if (helloName != name || secret != Secret)
            {
                throw new ProtocolViolationException($"unexpected Hello from '{helloName}'");
            }

            var services = main.Services;
            var opened = new ChildSession(connection, services, new Owner(name));
            session = opened;
            connection.Description = $"loopback child '{name}'";
            _ = connection.Closed.ContinueWith(_ => services.EndSession(opened), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            connection.MaxBodyLength = options.MaxMessageSize + FrameFormat.EnvelopeAllowance;
            Handshake.SendWelcome(connection, services.Channels, opened, name, options, offered);
        });
        return connection;
    }

    /// <summary>Stands in for the child's ManagedProcess: nothing supervises a loopback child.</summary>
    private sealed class Owner(string name) : ISessionOwner
    {
        public string Name { get; } = name;

        public void OnReady(ChildSession session)
        {
        }

        public void OnControlRequest(ChildSession session, ControlRequest request)
        {
        }
    }
}
