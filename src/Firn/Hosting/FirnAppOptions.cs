using System.Diagnostics.Metrics;
using Firn.Failures;
using Firn.Serialization;
using Microsoft.Extensions.Logging;

namespace Firn;

/// <summary>Settings of a <see cref="FirnApp"/>. Values are checked when set.</summary>
public sealed class FirnAppOptions
{
    private string _mainProcessName = "main";
    private int _maxMessageSize = Transport.FrameFormat.DefaultMaxMessageSize;
    private int _channelSendWindow = 4096;
    private TimeSpan _startTimeout = TimeSpan.FromSeconds(30);
    private TimeSpan _shutdownTimeout = TimeSpan.FromSeconds(5);
    private TimeSpan _stopTimeout = TimeSpan.FromSeconds(30);
    private TimeSpan _shutdownHookTimeout = TimeSpan.FromSeconds(5);
    private TimeSpan _handshakeTimeout = TimeSpan.FromSeconds(5);
    private int _storeMaxKeys = 1_000_000;
    private long _storeMaxBytes = 1L << 30;
    private TimeSpan _callTimeout = TimeSpan.FromSeconds(30);
    private int _maxCallsInFlight = 65_536;
    private int? _connectionBufferLimit;
    private int _maxChannelsPerProcess = 10_000;
    private TimeSpan _heartbeatInterval = TimeSpan.FromSeconds(1);
    private TimeSpan _heartbeatTimeout = TimeSpan.FromSeconds(10);
    private TimeSpan _socketPollWindow = DefaultSocketPollWindow;
    private ILoggerFactory? _loggerFactory;
    private bool _handleSignals = true;
    private IMeterFactory? _meterFactory;
    private string? _appName;
    private int _adminLogLines = 1000;
    private Hosting.IFirnBackend? _backend;

    /// <summary>The longest <see cref="MainProcessName"/>, in UTF-16 code units (room for a host's fully qualified name).</summary>
    internal const int MaxMainProcessNameLength = 256;

    /// <summary>
    /// The main process's name in logs and as a sender: 1 to 256 characters, well-formed UTF-16, no control characters
    /// (it travels as a caller's name). Default <c>main</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty, longer than 256 characters, ill-formed or has a control character.</exception>
    public string MainProcessName
    {
        get => _mainProcessName;
        init
        {
            Transport.NameRule.ThrowIfInvalid(value, MaxMainProcessNameLength, "The main process's name", nameof(value));
            _mainProcessName = value;
        }
    }

    /// <summary>Where the private socket directory is created. Default: <c>$XDG_RUNTIME_DIR</c>, else the temp directory.</summary>
    public string? SocketDirectory { get; init; }

    /// <summary>The smallest <see cref="MaxMessageSize"/> allowed.</summary>
    internal const int MinMaxMessageSize = 1024;

    /// <summary>The largest <see cref="MaxMessageSize"/> allowed.</summary>
    internal const int MaxMaxMessageSize = 1024 * 1024 * 1024;

    /// <summary>
    /// The largest serialized message, in bytes. Default 16 MiB. A larger send fails before anything is written. A child
    /// uses the main process's limit where it is smaller (the handshake names it), and reads messages up to either.
    /// </summary>
    public int MaxMessageSize
    {
        get => _maxMessageSize;
        init => _maxMessageSize = value is >= MinMaxMessageSize and <= MaxMaxMessageSize
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "The message size limit must be between 1 KiB and 1 GiB.");
    }

    /// <summary>
    /// How many messages one process may have waiting in the router on one channel before <c>Send</c> waits
    /// (or fails, with <see cref="ChannelFullMode.Fail"/>). Default 4096.
    /// </summary>
    public int ChannelSendWindow
    {
        get => _channelSendWindow;
        init => _channelSendWindow = value is >= 1 and <= 1 << 20
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "The send window must be between 1 and 1,048,576 messages.");
    }

    /// <summary>How long a child may take to connect and authenticate after it is spawned. Default 30 s.</summary>
    public TimeSpan StartTimeout
    {
        get => _startTimeout;
        init => _startTimeout = Positive(value);
    }

    /// <summary>How long a child may take to exit after it is asked to stop, before it is killed. Default 5 s.</summary>
    public TimeSpan ShutdownTimeout
    {
        get => _shutdownTimeout;
        init => _shutdownTimeout = Positive(value);
    }

    /// <summary>
    /// The bound on the whole stop of the app (<see cref="FirnSupervisor.StopAsync"/>, Ctrl+C, SIGTERM): hooks and children.
    /// Default 30 s. At this deadline every hook's token has fired, children still running are killed with SIGKILL, and
    /// the stop waits at most 2 s more for what is still running before it goes on without it (logged), so
    /// <see cref="FirnSupervisor.StopAsync"/> returns within <c>StopTimeout</c> + 2 s.
    /// </summary>
    public TimeSpan StopTimeout
    {
        get => _stopTimeout;
        init => _stopTimeout = Positive(value);
    }

    /// <summary>
    /// How long each shutdown hook (<see cref="FirnApp.OnBeforeShutdown(Func{CancellationToken, Task})"/>,
    /// <see cref="FirnApp.OnBeforeProcessShutdown(Func{string, CancellationToken, Task})"/>,
    /// <see cref="FirnApp.OnAfterShutdown(Func{CancellationToken, Task})"/>) may run: its token fires after this time or
    /// at the stop's deadline (<see cref="StopTimeout"/>), whichever is first, and a hook still running 1 s after its
    /// token fired is abandoned (logged) while the stop goes on. Default 5 s.
    /// </summary>
    public TimeSpan ShutdownHookTimeout
    {
        get => _shutdownHookTimeout;
        init => _shutdownHookTimeout = Positive(value);
    }

    /// <summary>How long a connecting peer has to complete the handshake. Default 5 s.</summary>
    public TimeSpan HandshakeTimeout
    {
        get => _handshakeTimeout;
        init => _handshakeTimeout = Positive(value);
    }

    /// <summary>The serializer for channel messages. Default: <see cref="MessagePackFirnSerializer"/>.</summary>
    public IFirnSerializer Serializer { get; init; } = MessagePackFirnSerializer.Instance;

    /// <summary>Where Firn and the app log. Default: a console logger that shows time, level and process name; under the Generic Host (Firn.Hosting), the host's logger factory.</summary>
    public ILoggerFactory? LoggerFactory
    {
        get => _loggerFactory;
        init => _loggerFactory = value;
    }

    /// <summary>
    /// Whether the app records metrics on its meter <c>Firn</c> (see docs/observability.md). Default true: with no
    /// listener attached, recording costs a field read per call site. False creates no meter at all.
    /// </summary>
    public bool EnableMetrics { get; init; } = true;

    /// <summary>
    /// Whether the main process listens on its admin socket for operators' tools (<c>firnctl</c>; see docs/admin-protocol.md).
    /// Default true. Only the main process's user and root may connect; children never learn the socket's path.
    /// </summary>
    public bool EnableAdmin { get; init; } = true;

    /// <summary>
    /// The directory of the admin socket. Default: <c>$XDG_RUNTIME_DIR/firn</c> when <c>XDG_RUNTIME_DIR</c> is a directory,
    /// else <c>/tmp/firn-&lt;uid&gt;</c>. It is created with mode 0700; an existing one owned by another user, or writable by
    /// group or others, is refused (a warning, and the app runs without its admin socket).
    /// </summary>
    public string? AdminDirectory { get; init; }

    /// <summary>
    /// The application's name in its admin socket's name (<c>&lt;app&gt;.&lt;pid&gt;.admin.sock</c>), as <c>firnctl --app</c>
    /// finds it: ASCII letters, digits, '-', '_' and '.'. Default: the entry assembly's name.
    /// </summary>
    public string AppName
    {
        get => _appName ??= DefaultAppName();
        init => _appName = IsValidAppName(value)
            ? value
            : throw new ArgumentException($"The app name '{value}' is not valid: use 1 to 64 ASCII letters, digits, '-', '_' and '.'.", nameof(value));
    }

    /// <summary>The largest <see cref="AdminLogLines"/> allowed.</summary>
    internal const int MaxAdminLogLines = 1_000_000;

    /// <summary>
    /// How many recent log lines the main process keeps per process (its own included) for <c>firnctl logs</c>; the oldest
    /// is dropped first. Default 1000; between 1 and 1,000,000.
    /// </summary>
    public int AdminLogLines
    {
        get => _adminLogLines;
        init => _adminLogLines = value is >= 1 and <= MaxAdminLogLines
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "AdminLogLines (the admin log ring per process) must be between 1 and 1,000,000 lines.");
    }

    /// <summary>
    /// Where the app's meter <c>Firn</c> comes from: the host's <see cref="IMeterFactory"/> under dependency injection.
    /// Default <see langword="null"/>: the app creates its own meter and disposes it with the app.
    /// </summary>
    public IMeterFactory? MeterFactory
    {
        get => _meterFactory;
        init => _meterFactory = value;
    }

    /// <summary>Whether the main process handles Ctrl+C and SIGTERM by stopping gracefully in <see cref="FirnApp.RunAsync"/>. Default true; off under the Generic Host (Firn.Hosting), whose lifetime handles them.</summary>
    public bool HandleSignals
    {
        get => _handleSignals;
        init => _handleSignals = value;
    }

    /// <summary>The most keys the shared store holds; a write that would add one more fails with <see cref="StoreException"/>. Default 1,000,000.</summary>
    public int StoreMaxKeys
    {
        get => _storeMaxKeys;
        init => _storeMaxKeys = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The store must allow at least one key.");
    }

    /// <summary>The most bytes (keys and serialized values) the shared store holds. Default 1 GiB.</summary>
    public long StoreMaxBytes
    {
        get => _storeMaxBytes;
        init => _storeMaxBytes = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The store must allow at least one byte.");
    }

    /// <summary>
    /// How long a remote call (<see cref="RpcEndpoint.CallAsync{TResult}(string, object?[])"/>) or a child's store request
    /// waits for its answer when the caller gives no timeout. Default 30 s; <see cref="Timeout.InfiniteTimeSpan"/> waits for ever.
    /// </summary>
    public TimeSpan CallTimeout
    {
        get => _callTimeout;
        init => _callTimeout = value == Timeout.InfiniteTimeSpan || (value > TimeSpan.Zero && value.TotalMilliseconds <= int.MaxValue)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"The call timeout is positive and at most {TimeSpan.FromMilliseconds(int.MaxValue)}, or Timeout.InfiniteTimeSpan.");
    }

    /// <summary>
    /// The most calls one process may have in flight at once; a call beyond it fails with <see cref="RpcException"/>
    /// at once, and nothing else is affected. Default 65,536.
    /// </summary>
    public int MaxCallsInFlight
    {
        get => _maxCallsInFlight;
        init => _maxCallsInFlight = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least one call must be allowed in flight.");
    }

    /// <summary>
    /// The most bytes that may wait to be written to one connection. A quarter of it (less if one more frame of the
    /// largest message and 128 KiB would not fit above that) is the congestion limit, past which the main process stops
    /// delivering channel messages and publications to that process; past the whole of it, the process is not reading
    /// and its connection is closed. A process's own channel sends wait for room instead of reaching it. Default 256 MiB
    /// (or twice the largest frame, if that is more).
    /// </summary>
    public int ConnectionBufferLimit
    {
        get => _connectionBufferLimit ?? (int)Math.Clamp(2L * (MaxMessageSize + Transport.FrameFormat.EnvelopeAllowance + Transport.FrameFormat.HeaderSize), Transport.OutboundBuffer.DefaultHardLimit, Array.MaxLength);
        init => _connectionBufferLimit = value >= 64 * 1024 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The connection buffer limit is at least 64 KiB.");
    }

    /// <summary>
    /// How many channels one child may create (counting all its instances: channels live as long as the app). Opening
    /// one more new name fails with <see cref="InvalidOperationException"/> in the child; opening existing channels is
    /// never limited, and neither is the main process. Default 10,000.
    /// </summary>
    public int MaxChannelsPerProcess
    {
        get => _maxChannelsPerProcess;
        init => _maxChannelsPerProcess = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A child must be allowed at least one channel.");
    }

    /// <summary>
    /// The default <see cref="SocketPollWindow"/>: 100 µs. Against 50 µs it halved B2's p99 (51 against 87–103 µs in
    /// paired runs) at the same p50: a reply a little late still finds the reader awake.
    /// </summary>
    internal static readonly TimeSpan DefaultSocketPollWindow = TimeSpan.FromMicroseconds(100);

    /// <summary>The longest <see cref="SocketPollWindow"/>: 1 ms.</summary>
    internal static readonly TimeSpan MaxSocketPollWindow = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// How long a connection's read thread keeps polling its socket after a read before it sleeps: 0 to 1 ms, default
    /// 100 µs; zero never polls. A reader that is awake when the answer comes saves the thread wake-up that dominates a
    /// round trip on a virtual machine (docs/performance.md, B2), at the cost of up to this much processor time after each
    /// burst of messages. A connection polls only when the processes at both ends have a window above zero (a child in
    /// Python never polls, so neither does the main process's end of its connection), and stops polling after a poll
    /// that caught nothing, until bytes come again within the window of a read.
    /// </summary>
    public TimeSpan SocketPollWindow
    {
        get => _socketPollWindow;
        init => _socketPollWindow = TimeoutRange.NotNegative(value, "The socket poll window", max: MaxSocketPollWindow);
    }

    /// <summary>How often the main process pings each running child. Default 1 s.</summary>
    public TimeSpan HeartbeatInterval
    {
        get => _heartbeatInterval;
        init => _heartbeatInterval = Positive(value);
    }

    /// <summary>
    /// How long a running child may send nothing (not even an answer to a ping) before the main process kills it as
    /// unresponsive (<see cref="ProcessExitReason.Unresponsive"/>) and applies its restart policy. Default 10 s;
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns heartbeats off. It must be longer than <see cref="HeartbeatInterval"/>.
    /// </summary>
    public TimeSpan HeartbeatTimeout
    {
        get => _heartbeatTimeout;
        init => _heartbeatTimeout = value == Timeout.InfiniteTimeSpan ? value : Positive(value);
    }

    /// <summary>
    /// <see cref="ConnectionBufferLimit"/> as set, or <see langword="null"/> for the default that follows
    /// <see cref="MaxMessageSize"/>: Firn.Hosting copies options with it, so that a copy keeps following.
    /// </summary>
    internal int? ExplicitConnectionBufferLimit
    {
        get => _connectionBufferLimit;
        init
        {
            if (value is { } limit)
            {
                ConnectionBufferLimit = limit;
            }
        }
    }

    /// <summary>
    /// Where the main process keeps the store and pub/sub: <see langword="null"/> (the default) in its own memory; a
    /// package sets another (Firn.Redis's <c>UseRedis</c>) so that several main processes share them. Children ignore it.
    /// </summary>
    internal Hosting.IFirnBackend? Backend { get => _backend; init => _backend = value; }

    /// <summary>A copy of these options with <paramref name="backend"/> (the options are immutable once made).</summary>
    internal FirnAppOptions WithBackend(Hosting.IFirnBackend backend)
    {
        var copy = (FirnAppOptions)MemberwiseClone();
        copy._backend = backend;
        return copy;
    }

    /// <summary>Whether <see cref="HeartbeatTimeout"/> is too short for <see cref="HeartbeatInterval"/> (a child would be killed between two pings).</summary>
    internal bool HeartbeatTimeoutTooShort => HeartbeatTimeout != Timeout.InfiniteTimeSpan && HeartbeatTimeout <= HeartbeatInterval;

    /// <summary>The smallest <see cref="ConnectionBufferLimit"/> these options allow: one frame of the largest message.</summary>
    internal long MinConnectionBufferLimit => (long)MaxMessageSize + Transport.FrameFormat.EnvelopeAllowance + Transport.FrameFormat.HeaderSize;

    /// <summary>
    /// A copy for an app that runs under another host (the Generic Host): it logs to <paramref name="loggerFactory"/>
    /// and makes its meter with <paramref name="meterFactory"/> unless these options name their own, and leaves
    /// signals to that host.
    /// </summary>
    internal FirnAppOptions ForHost(ILoggerFactory loggerFactory, IMeterFactory? meterFactory)
    {
        var copy = (FirnAppOptions)MemberwiseClone();
        copy._loggerFactory ??= loggerFactory;
        copy._meterFactory ??= meterFactory;
        copy._handleSignals = false;
        return copy;
    }

    /// <summary>Whether <paramref name="name"/> may name the app in its admin socket's file name.</summary>
    internal static bool IsValidAppName(string? name) =>
        name is { Length: >= 1 and <= 64 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && name is not ("." or "..");

    private static string DefaultAppName()
    {
        var name = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name;
        if (name is null)
        {
            return "firn";
        }

        var cleaned = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]);
        return IsValidAppName(cleaned) ? cleaned : "firn";
    }

    private static TimeSpan Positive(TimeSpan value) => TimeoutRange.Positive(value, "The timeout");
}
