using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Firn.Channels;
using Firn.Hosting;
using Firn.Serialization;
using Firn.Transport;

namespace Firn.Tests.Support;

/// <summary>
/// A stand-in main process for one real child (Firn.TestChild, its own process, over a real Unix socket). It welcomes
/// the child, opens every channel the child asks for, passes on what the child sends on its report channel, and
/// answers nothing else: store, listing, RPC and subscription requests are recorded and never answered. A child's
/// round trip to it can only end by the child's own deadline or token, so tests of those are free of timing races.
/// </summary>
internal sealed class SilentMain : IAsyncDisposable
{
    private const int SendWindow = 64;
    private const int PendingBytesLimit = 64 * 1024 * 1024;

    private readonly string _path;
    private readonly Socket _listener;
    private readonly StringBuilder _childOutput = new();
    private readonly System.Threading.Channels.Channel<string> _reports = System.Threading.Channels.Channel.CreateUnbounded<string>();
    private readonly List<(FrameKind Kind, byte[] Body)> _received = [];
    private readonly Dictionary<uint, string> _channels = [];
    private readonly CancellationTokenSource _stop = new();
    private Process? _child;
    private Socket? _connection;
    private Task _readLoop = Task.CompletedTask;

    private SilentMain(string path, Socket listener)
    {
        _path = path;
        _listener = listener;
    }

    /// <summary>Every frame the child sent after the handshake, in order, including those answered.</summary>
    public IReadOnlyList<(FrameKind Kind, byte[] Body)> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>
    /// Starts Firn.TestChild as child <paramref name="name"/> running <paramref name="scenario"/>, with
    /// <see cref="FirnAppOptions.CallTimeout"/> set to <paramref name="callTimeout"/>, and completes once it is welcomed.
    /// </summary>
    public static Task<SilentMain> StartAsync(string name, TimeSpan callTimeout, params string[] scenario) =>
        StartAsync(name, callTimeout, Capabilities.None, new Dictionary<string, string>(), scenario);

    /// <summary>
    /// As <see cref="StartAsync(string, TimeSpan, string[])"/>, with <paramref name="environment"/> added to the child's,
    /// and a Welcome that names the child's built-in channels and puts <paramref name="agree"/> in force (those of them
    /// the child offered); with <see cref="Capabilities.None"/> it is a Welcome of a main process older than capabilities.
    /// </summary>
    public static async Task<SilentMain> StartAsync(string name, TimeSpan callTimeout, Capabilities agree, IReadOnlyDictionary<string, string> environment, params string[] scenario)
    {
        var path = Path.Combine("/tmp", $"firn-silent-{Guid.NewGuid():N}.sock");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var main = new SilentMain(path, listener);
        try
        {
            await main.LaunchAsync(name, callTimeout, agree, environment, scenario);
            return main;
        }
        catch
        {
            await main.DisposeAsync();
            throw;
        }
    }

    /// <summary>The next report the child sent on "report-{name}".</summary>
    public async Task<string> NextReportAsync()
    {
        try
        {
            return await _reports.Reader.ReadAsync().AsTask().WaitAsync(TestApps.Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The child sent no report within {TestApps.Timeout}. {Describe()}");
        }
    }

    /// <summary>Waits until the child has sent a frame that <paramref name="match"/> accepts.</summary>
    public Task UntilReceivedAsync(Func<(FrameKind Kind, byte[] Body), bool> match, string what) =>
        TestApps.UntilAsync(() => Received.Any(match), what);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_child is not null)
        {
            try
            {
                _child.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It has exited already.
            }

            await _child.WaitForExitAsync().WaitAsync(TestApps.Timeout);
            _child.Dispose();
        }

        _connection?.Dispose();
        _listener.Dispose();
        await _readLoop.WaitAsync(TestApps.Timeout);
        _stop.Dispose();
        File.Delete(_path);
    }

    /// <summary>The id this stand-in gave the channel <paramref name="name"/>, once the child opened it.</summary>
    public uint? ChannelIdOf(string name)
    {
        lock (_received)
        {
            return _channels.FirstOrDefault(c => c.Value == name) is { Value: not null } channel ? channel.Key : null;
        }
    }

    /// <summary>The body of the child's Hello.</summary>
    public byte[] Hello { get; private set; } = [];

    private async Task LaunchAsync(string name, TimeSpan callTimeout, Capabilities agree, IReadOnlyDictionary<string, string> environment, string[] scenario)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(TestApps.ChildPath);
        foreach (var arg in scenario)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[ChildEnvironment.NameVariable] = name;
        start.Environment[ChildEnvironment.SocketVariable] = _path;
        var secretFd = SecretHandover.CreateReadEnd("silent-main-secret"u8);
        start.Environment[ChildEnvironment.SecretFdVariable] = secretFd.ToString(CultureInfo.InvariantCulture);
        start.Environment[ChildEnvironment.ParentVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        start.Environment["FIRN_LOG_LEVEL"] = "Warning";
        start.Environment["FIRN_TEST_CALL_TIMEOUT_MS"] = ((long)callTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        _child = new Process { StartInfo = start };
        _child.OutputDataReceived += (_, e) => Record(e.Data);
        _child.ErrorDataReceived += (_, e) => Record(e.Data);
        try
        {
            _child.Start();
        }
        finally
        {
            _ = NativeMethods.close(secretFd);
        }
        _child.BeginOutputReadLine();
        _child.BeginErrorReadLine();

        var accepting = _listener.AcceptAsync(_stop.Token).AsTask();
        if (await Task.WhenAny(accepting, _child.WaitForExitAsync()).WaitAsync(TestApps.Timeout) != accepting)
        {
            throw new InvalidOperationException($"The child exited before it connected. {Describe()}");
        }

        _connection = await accepting;
        var stream = new NetworkStream(_connection, ownsSocket: false);
        var hello = await ReadFrameAsync(stream).WaitAsync(TestApps.Timeout);
        Assert.Equal(FrameKind.Hello, hello?.Kind);
        Hello = hello!.Value.Body;
        if (agree == Capabilities.None)
        {
            await SendAsync(FrameKind.Welcome, Handshake.EncodeWelcome(FrameFormat.DefaultMaxMessageSize, SendWindow, PendingBytesLimit));
        }
        else
        {
            _channels[1] = name + "-active";
            _channels[2] = name + "-passive";
            var agreed = agree & Handshake.DecodeHello(Hello).Offered;
            await SendAsync(FrameKind.Welcome, Handshake.EncodeWelcome(FrameFormat.DefaultMaxMessageSize, SendWindow, PendingBytesLimit, new ChannelBinding(1, SendWindow, false), new ChannelBinding(2, SendWindow, false), agreed));
        }

        _readLoop = Task.Run(() => ReadLoopAsync(stream));
    }

    private async Task ReadLoopAsync(NetworkStream stream)
    {
        try
        {
            while (await ReadFrameAsync(stream) is { } frame)
            {
                lock (_received)
                {
                    _received.Add(frame);
                }

                await HandleAsync(frame.Kind, frame.Body);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The test is over, or the child went away.
        }
    }

    /// <summary>Answers what a child needs to run its scenario (its channels); everything else stays unanswered.</summary>
    private async Task HandleAsync(FrameKind kind, byte[] body)
    {
        switch (kind)
        {
            case FrameKind.OpenChannel:
                var reader = new BodyReader(body);
                var requestId = reader.ReadUInt32();
                var name = reader.ReadString();
                uint channelId;
                lock (_received)
                {
                    channelId = (uint)_channels.Count + 1;
                    _channels[channelId] = name;
                }

                await SendAsync(FrameKind.ChannelOpened, new BodyWriter().WriteUInt32(requestId).WriteByte(0).WriteUInt32(channelId).WriteByte(0).Written.ToArray());
                break;

            case FrameKind.Send:
                var id = BinaryPrimitives.ReadUInt32LittleEndian(body);
                if (_channels.TryGetValue(id, out var channel) && channel.StartsWith("report-", StringComparison.Ordinal))
                {
                    var envelope = Firn.Tracing.TraceEnvelope.LengthOf(body.AsSpan(4));
                    _reports.Writer.TryWrite(MessagePackFirnSerializer.Instance.Deserialize<string>(body.AsMemory(4 + envelope)));
                }

                // The message left "the router" at once: the child gets its credit and its bytes back.
                await SendAsync(FrameKind.SendCredit, new BodyWriter().WriteUInt32(id).WriteUInt32(1).Written.ToArray());
                await SendAsync(FrameKind.SendBytes, new BodyWriter().WriteUInt32(0).WriteUInt32((uint)(body.Length - 4)).Written.ToArray());
                break;
        }
    }

    private async Task SendAsync(FrameKind kind, byte[] body) => await _connection!.SendAsync(Frames.Encode(kind, body), SocketFlags.None, _stop.Token);

    private async Task<(FrameKind Kind, byte[] Body)?> ReadFrameAsync(NetworkStream stream)
    {
        var header = new byte[FrameFormat.HeaderSize];
        if (await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, _stop.Token) < header.Length)
        {
            return null;
        }

        var body = new byte[FrameFormat.ReadBodyLength(header)];
        await stream.ReadExactlyAsync(body, _stop.Token);
        return ((FrameKind)header[4], body);
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            lock (_childOutput)
            {
                _childOutput.AppendLine(line);
            }
        }
    }

    private string Describe()
    {
        var exited = _child is { HasExited: true } ? $"it exited with code {_child.ExitCode}" : "it is running";
        lock (_childOutput)
        {
            return $"The child: {exited}; its output: {_childOutput}";
        }
    }
}
