using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Firn.Hosting;
using Firn.Tests.Support;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Hosting;

/// <summary>
/// Raw clients that misbehave against a real main process: each is disconnected with a logged reason,
/// and the real child keeps working.
/// </summary>
/// <remarks>
/// The clients run in the test process, which is the main process: admission lets its connections start a
/// handshake (as it does a child being started), so these tests reach the handshake's own checks. Any other
/// process is closed at accept already (<see cref="AdmissionTests"/>).
/// </remarks>
public sealed class HostileClientTests
{
    private const int MaxMessageSize = 1024 * 1024;

    /// <summary>The largest frame body the main process accepts from an authenticated child (the message limit plus room for ids, keys and type names).</summary>
    private const int BodyLimit = MaxMessageSize + FrameFormat.EnvelopeAllowance;

    private const string Unauthenticated = "Connection to an unauthenticated peer closed: ";

    /// <summary>Long enough that any close seen within <see cref="TestApps.Timeout"/> was caused by what the client sent.</summary>
    private static readonly TimeSpan LongHandshakeTimeout = TestApps.Timeout * 4;

    public static TheoryData<string> HostileOpenings =>
    [
        "random garbage",
        "a header announcing a body over the limit",
        "a first frame that is not Hello",
        "a first frame of an unknown kind",
        "a Hello with an unknown process name",
        "a Hello for echo with a wrong secret",
        "a Hello with a wrong protocol version",
        "a truncated Hello body",
        "a second Hello after a refused one",
    ];

    [Theory]
    [MemberData(nameof(HostileOpenings))]
    public async Task A_hostile_client_is_disconnected_with_a_logged_reason_and_the_child_keeps_working(string opening)
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(CreateApp(log, LongHandshakeTimeout));
        var (bytes, expectedLog, expectedReject) = Opening(opening);

        using var socket = await ConnectAsync(app);
        await SendAllAsync(socket, bytes);
        var received = await ReadUntilClosedAsync(socket);

        await UntilLoggedAsync(log, LogLevel.Warning, expectedLog);
        if (expectedReject is not null)
        {
            var (kind, body) = Assert.Single(Frames.Parse(received));
            Assert.Equal(FrameKind.Reject, kind);
            Assert.Contains(expectedReject, Handshake.DecodeReject(body), StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain(Frames.Parse(received), f => f.Kind == FrameKind.Welcome);
        }

        await AssertEchoWorksAsync(app, "ping");
        Assert.Equal(ProcessState.Running, app.Supervisor!.GetProcess("echo").State);
        await TestApps.UntilAsync(() => app.Host.PendingConnections == 0, "the hostile connection no longer counts as pending");
    }

    [Fact]
    public async Task A_client_that_sends_nothing_is_closed_after_the_handshake_timeout()
    {
        var log = new TestLog();

        // Short, but ample for the real child, which sends its Hello right after connecting.
        await using var app = await TestApps.StartAsync(CreateApp(log, TimeSpan.FromSeconds(3)));

        using var socket = await ConnectAsync(app);
        var received = await ReadUntilClosedAsync(socket);

        Assert.Empty(received);
        await UntilLoggedAsync(log, LogLevel.Warning, Unauthenticated + "HandshakeTimeout: no valid handshake within 00:00:03");
        await AssertEchoWorksAsync(app, "ping");
        await TestApps.UntilAsync(() => app.Host.PendingConnections == 0, "the silent connection no longer counts as pending");
    }

    [Fact]
    public async Task A_client_that_sends_half_a_Hello_is_closed_after_the_handshake_timeout()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(CreateApp(log, TimeSpan.FromSeconds(3)));
        var hello = Frames.Encode(FrameKind.Hello, Handshake.EncodeHello("echo", "secret"));

        using var socket = await ConnectAsync(app);
        await SendAllAsync(socket, hello[..(hello.Length / 2)]);
        var received = await ReadUntilClosedAsync(socket);

        Assert.Empty(received);
        await UntilLoggedAsync(log, LogLevel.Warning, Unauthenticated + "HandshakeTimeout");
        await AssertEchoWorksAsync(app, "ping");
    }

    [Fact]
    public async Task The_socket_is_0600_in_a_0700_directory()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(CreateApp(log, LongHandshakeTimeout));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(app.Supervisor!.SocketPath));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.GetDirectoryName(app.Supervisor!.SocketPath)!));
    }

    [Fact]
    public async Task The_socket_directory_is_removed_when_the_app_stops()
    {
        var log = new TestLog();
        string directory;
        await using (var app = await TestApps.StartAsync(CreateApp(log, LongHandshakeTimeout)))
        {
            directory = Path.GetDirectoryName(app.Supervisor!.SocketPath)!;
            Assert.True(Directory.Exists(directory));
        }

        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task Connections_beyond_the_pending_limit_are_closed_at_once_and_the_idle_ones_do_no_harm()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(CreateApp(log, LongHandshakeTimeout));
        var idle = new List<Socket>();
        try
        {
            for (var i = 0; i < MainHost.MaxPendingConnections; i++)
            {
                idle.Add(await ConnectAsync(app));
            }

            await TestApps.UntilAsync(() => app.Host.PendingConnections == MainHost.MaxPendingConnections, "every idle connection is accepted");

            using (var extra = await ConnectAsync(app))
            {
                Assert.Empty(await ReadUntilClosedAsync(extra));
            }

            await UntilLoggedAsync(log, LogLevel.Warning, $"Refused a connection: {MainHost.MaxPendingConnections} connections from pid {Environment.ProcessId} are already in their handshake");
            Assert.Equal(MainHost.MaxPendingConnections, app.Host.PendingConnections);

            // The child is already authenticated, so the pending limit does not touch it.
            await AssertEchoWorksAsync(app, "while-full");
        }
        finally
        {
            foreach (var socket in idle)
            {
                socket.Dispose();
            }
        }

        await TestApps.UntilAsync(() => app.Host.PendingConnections == 0, "the closed idle connections are released");
        await AssertEchoWorksAsync(app, "ping");

        // Room again: a new connection is accepted into its handshake rather than closed.
        using var again = await ConnectAsync(app);
        await TestApps.UntilAsync(() => app.Host.PendingConnections == 1, "a new connection is accepted");
    }

    [Fact]
    public async Task A_Hello_with_the_wrong_secret_for_a_starting_child_is_refused()
    {
        var log = new TestLog();
        await WhileSleeperIsStartingAsync(log, async app =>
        {
            using var socket = await ConnectAsync(app);
            await SendAllAsync(socket, Frames.Encode(FrameKind.Hello, Handshake.EncodeHello("sleeper", new string('0', 64))));
            var (kind, body) = Assert.Single(Frames.Parse(await ReadUntilClosedAsync(socket)));

            Assert.Equal(FrameKind.Reject, kind);
            Assert.Equal("wrong secret for process 'sleeper'", Handshake.DecodeReject(body));
            await UntilLoggedAsync(log, LogLevel.Warning, "Refused a connection: wrong secret for process 'sleeper'");
            Assert.Equal(ProcessState.Starting, app.Supervisor!.GetProcess("sleeper").State);
            await AssertEchoWorksAsync(app, "ping");
        });
    }

    [Fact]
    public async Task A_Hello_with_the_right_secret_from_another_process_is_refused_by_its_peer_credentials()
    {
        var log = new TestLog();
        await WhileSleeperIsStartingAsync(log, async app =>
        {
            var pid = app.Supervisor!.GetProcess("sleeper").ProcessId!.Value;

            // The secret leaks (here read through /proc from the pipe the sleeper inherited and never reads), but the
            // connection does not come from the spawned process. (The test process is the main process, which may
            // start a handshake; a connection from any other stranger is closed at accept, see AdmissionTests.)
            var secret = File.ReadAllText($"/proc/{pid}/fd/{ReadEnvironmentVariable(pid, "FIRN_SECRET_FD")}");
            using var socket = await ConnectAsync(app);
            await SendAllAsync(socket, Frames.Encode(FrameKind.Hello, Handshake.EncodeHello("sleeper", secret)));
            var (kind, body) = Assert.Single(Frames.Parse(await ReadUntilClosedAsync(socket)));

            Assert.Equal(FrameKind.Reject, kind);
            var expected = $"the peer (pid {Environment.ProcessId}, uid ";
            Assert.Contains(expected, Handshake.DecodeReject(body), StringComparison.Ordinal);
            Assert.Contains($"is not the spawned process 'sleeper' (pid {pid})", Handshake.DecodeReject(body), StringComparison.Ordinal);
            await UntilLoggedAsync(log, LogLevel.Warning, "Refused a connection: " + expected);
            Assert.Equal(ProcessState.Starting, app.Supervisor!.GetProcess("sleeper").State);
            await AssertEchoWorksAsync(app, "ping");
        });
    }

    /// <summary>Runs <paramref name="act"/> while the sleeper child is spawned and the main process waits for its connection; then abandons the start.</summary>
    private static async Task WhileSleeperIsStartingAsync(TestLog log, Func<FirnApp, Task> act)
    {
        using var abandon = new CancellationTokenSource();
        await using var app = CreateAppWithStartingChild(log);
        var starting = app.Supervisor!.StartAsync(abandon.Token);
        try
        {
            await TestApps.UntilAsync(() => SleeperIsStarting(app), "the sleeper child is spawned and waiting for its connection");
            await act(app);
        }
        finally
        {
            await abandon.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starting.WaitAsync(TestApps.Timeout));
        }
    }

    /// <summary>The bytes a hostile client sends, the warning it must cause, and the Reject reason it must get (null when it gets none).</summary>
    private static (byte[] Bytes, string Log, string? Reject) Opening(string opening)
    {
        switch (opening)
        {
            case "random garbage":
                var garbage = new byte[4096];
                new Random(20240611).NextBytes(garbage);
                return (garbage, Unauthenticated, null);
            case "a header announcing a body over the limit":
                return (Header((FrameKind)0x42, BodyLimit + 1), Unauthenticated + $"FrameTooLarge: the peer announced a frame body of {BodyLimit + 1} bytes", null);
            case "a first frame that is not Hello":
                return (Frames.Encode(FrameKind.Send, [1, 0, 0, 0, 9, 9]), Unauthenticated + "ProtocolViolation: only one Hello frame is allowed before authentication; got Send", null);
            case "a first frame of an unknown kind":
                return (Frames.Encode((FrameKind)0xEE, []), Unauthenticated + "ProtocolViolation: only one Hello frame is allowed before authentication; got 238", null);
            case "a Hello with an unknown process name":
                return (Frames.Encode(FrameKind.Hello, Handshake.EncodeHello("nobody", "secret")), "Refused a connection: no process named 'nobody' is declared", "no process named 'nobody' is declared");
            case "a Hello for echo with a wrong secret":
                // The running child is already connected, so the main process refuses any further Hello for it.
                return (Frames.Encode(FrameKind.Hello, Handshake.EncodeHello("echo", new string('0', 64))), "Refused a connection: process 'echo'", "'echo'");
            case "a Hello with a wrong protocol version":
                var hello = Handshake.EncodeHello("echo", "secret");
                BinaryPrimitives.WriteUInt16LittleEndian(hello, FrameFormat.ProtocolVersion + 1);
                return (Frames.Encode(FrameKind.Hello, hello), $"Refused a connection: protocol version {FrameFormat.ProtocolVersion + 1} is not supported", "protocol version");
            case "a truncated Hello body":
                // A complete frame whose body stops inside the process name.
                var truncated = Handshake.EncodeHello("echo", "secret")[..5];
                return (Frames.Encode(FrameKind.Hello, truncated), Unauthenticated + "ProtocolViolation: Frame body ended early", null);
            case "a second Hello after a refused one":
                var twice = Frames.Encode(FrameKind.Hello, Handshake.EncodeHello("nobody", "secret"));
                return ([.. twice, .. twice], "Refused a connection: no process named 'nobody' is declared", null);
            default:
                throw new ArgumentOutOfRangeException(nameof(opening), opening, "unknown opening");
        }
    }

    private static FirnApp CreateApp(TestLog log, TimeSpan handshakeTimeout)
    {
        // Mirrors TestApps.Create, plus a handshake timeout.
        var app = new FirnApp(new FirnAppOptions
        {
            LoggerFactory = log.Factory,
            MaxMessageSize = MaxMessageSize,
            ChannelSendWindow = 1024,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
            StartTimeout = TestApps.Timeout,
            HandshakeTimeout = handshakeTimeout,
            HandleSignals = false,
            SocketDirectory = "/tmp",
        });
        app.AddProcess("echo", TestApps.Child("echo", "in-x", "out-x"));
        return app;
    }

    /// <summary>An app whose second child is a plain <c>sleep</c>: it never connects, so the main process keeps waiting for its Hello.</summary>
    private static FirnApp CreateAppWithStartingChild(TestLog log)
    {
        var app = new FirnApp(new FirnAppOptions
        {
            LoggerFactory = log.Factory,
            MaxMessageSize = MaxMessageSize,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
            StartTimeout = TestApps.Timeout * 4,
            HandshakeTimeout = LongHandshakeTimeout,
            HandleSignals = false,
            SocketDirectory = "/tmp",
        });
        app.AddProcess("echo", TestApps.Child("echo", "in-x", "out-x"));
        app.AddProcess("sleeper", new ProcessOptions { Executable = "sleep", Arguments = ["600"] });
        return app;
    }

    private static bool SleeperIsStarting(FirnApp app)
    {
        try
        {
            var status = app.Supervisor!.GetProcess("sleeper");
            return status.State == ProcessState.Starting && status.ProcessId is not null && app.Supervisor!.GetProcess("echo").State == ProcessState.Running;
        }
        catch (ArgumentException)
        {
            // Not declared to the running app yet.
            return false;
        }
        catch (InvalidOperationException)
        {
            // The process list is still being built.
            return false;
        }
    }

    private static string ReadEnvironmentVariable(int pid, string name)
    {
        var environment = File.ReadAllText($"/proc/{pid}/environ");
        var entry = environment.Split('\0').Single(e => e.StartsWith(name + "=", StringComparison.Ordinal));
        return entry[(name.Length + 1)..];
    }

    private static async Task<Socket> ConnectAsync(FirnApp app)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            using var timeout = new CancellationTokenSource(TestApps.Timeout);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(app.Supervisor!.SocketPath), timeout.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task SendAllAsync(Socket socket, byte[] bytes)
    {
        using var timeout = new CancellationTokenSource(TestApps.Timeout);
        var remaining = bytes.AsMemory();
        while (!remaining.IsEmpty)
        {
            remaining = remaining[await socket.SendAsync(remaining, SocketFlags.None, timeout.Token)..];
        }
    }

    /// <summary>Reads until the server closes the connection (end of stream or a reset), failing if it stays open.</summary>
    private static async Task<byte[]> ReadUntilClosedAsync(Socket socket)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TestApps.Timeout);
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (read == 0)
                {
                    return [.. received];
                }

                received.AddRange(buffer.AsSpan(0, read));
            }
        }
        catch (SocketException)
        {
            // A reset also means the server closed the connection.
            return [.. received];
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The main process did not close the connection within {TestApps.Timeout}.");
            throw;
        }
    }

    private static async Task AssertEchoWorksAsync(FirnApp app, string message)
    {
        var input = app.GetChannel<string>("in-x");
        var output = app.GetChannel<string>("out-x");
        await input.SendAsync(message).AsTask().WaitAsync(TestApps.Timeout);
        Assert.Equal("echo:" + message, await output.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout));
    }

    private static Task UntilLoggedAsync(TestLog log, LogLevel level, string fragment) =>
        TestApps.UntilAsync(() => log.Contains(level, fragment), $"the log has a {level} entry containing \"{fragment}\"");


    private static byte[] Header(FrameKind kind, int bodyLength)
    {
        var header = new byte[FrameFormat.HeaderSize];
        FrameFormat.WriteHeader(header, kind, bodyLength);
        return header;
    }
}
