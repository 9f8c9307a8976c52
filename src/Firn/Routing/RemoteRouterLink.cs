using System.Buffers.Binary;
using System.Collections.Concurrent;
using Firn.Channels;
using Firn.Failures;
using Firn.Transport;

namespace Firn.Routing;

/// <summary>
/// A child's channels reach the router in the main process through this link: channel operations become frames on
/// the connection, and the main process's deliveries, credits and closings come back as frames for this process's
/// endpoints. The main-side end of the same frames is <see cref="ChannelServer"/>.
/// </summary>
internal sealed partial class RemoteRouterLink : IRouterLink
{
    private readonly IMainConnection _main;
    private readonly ChannelRegistry _channels;
    private readonly TimeSpan _callTimeout;
    private readonly PendingRequests<PendingOpen> _pendingOpens = new(static open => FirnErrors.OpenTimedOut(open.Name, open.Timeout));

    /// <summary>The built-in channels the main process opened for this child and named in its Welcome (opened as objects).</summary>
    private readonly ConcurrentDictionary<string, ChannelBinding> _builtInChannels = new(StringComparer.Ordinal);
    private int _sendWindow;

    /// <param name="main">The connection to the main process; the link registers its frame kinds on it.</param>
    /// <param name="channels">This process's channels, which the main process's frames reach.</param>
    /// <param name="callTimeout">How long a round trip other than opening a channel (a listing) waits for the main process (<see cref="FirnAppOptions.CallTimeout"/>).</param>
    public RemoteRouterLink(IMainConnection main, ChannelRegistry channels, TimeSpan callTimeout)
    {
        _main = main;
        _channels = channels;
        _callTimeout = callTimeout;
        main.Register(FrameKind.ChannelOpened, OnChannelOpened);
        main.Register(FrameKind.Deliver, OnDeliver);
        main.Register(FrameKind.SendCredit, OnSendCredit);
        main.Register(FrameKind.SendBytes, OnSendBytes);
        main.Register(FrameKind.ChannelClosed, (_, body) => OnChannelClosed(new BodyReader(body).ReadUInt32()));
        main.Register(FrameKind.ChannelList, (_, body) => OnChannelList(body));
    }

    public string ProcessName => _main.ProcessName;

    public bool CarriesTraceContext => (_main.Connection?.Capabilities & Capabilities.TraceContext) != 0;

    /// <summary>
    /// The channel settings of the main process's Welcome: the send window, the bytes of this child's messages that may
    /// wait in the router (<paramref name="pendingBytesLimit"/>), and the built-in channels it opened for this child.
    /// </summary>
    public void OnWelcome(int sendWindow, long pendingBytesLimit, ((uint Id, bool IsClosed) Active, (uint Id, bool IsClosed) Passive)? builtIn)
    {
        _sendWindow = sendWindow;
        if (builtIn is { } channels)
        {
            _builtInChannels[ChannelNames.Active(ProcessName)] = new ChannelBinding(channels.Active.Id, sendWindow, channels.Active.IsClosed);
            _builtInChannels[ChannelNames.Passive(ProcessName)] = new ChannelBinding(channels.Passive.Id, sendWindow, channels.Passive.IsClosed);
        }

        _channels.Budget.Limit = pendingBytesLimit;
    }

    /// <summary>The connection to the main process is lost: opens and listings in flight fail, and every channel closes.</summary>
    public void OnDisconnected(DisconnectReason reason)
    {
        _pendingOpens.FailAll(open => FirnErrors.Disconnected(reason, $"Channel '{open.Name}' cannot be opened"));
        _pendingLists.FailAll(_ => FirnErrors.Disconnected(reason, "The channel list is unavailable"));
        _channels.Disconnect(reason);
    }

    public ValueTask<ChannelBinding?> OpenAsync(string name, string typeName, bool create, TimeSpan timeout)
    {
        var connection = _main.Connection ?? throw new InvalidOperationException("Not connected to the main process.");
        if (string.Equals(typeName, TypeNames.Of(typeof(object)), StringComparison.Ordinal) && _builtInChannels.TryRemove(name, out var builtIn))
        {
            return ValueTask.FromResult<ChannelBinding?>(builtIn);
        }

        // The caller waits for the reply (GetChannel is synchronous): refuse before anything is sent.
        Connection.ThrowIfOnReadLoop($"open channel '{name}'");
        var open = new PendingOpen(name);
        var requestId = _pendingOpens.Add(open, timeout);
        var flags = create ? (byte)0 : OpenFlags.OnlyIfExists;
        if (!connection.Send(FrameKind.OpenChannel, new BodyWriter().WriteUInt32(requestId).WriteString(name).WriteString(typeName).WriteByte(flags).Written))
        {
            _pendingOpens.Remove(requestId);
            throw _main.DisconnectedError($"Channel '{name}' cannot be opened");
        }

        return new ValueTask<ChannelBinding?>(_pendingOpens.WaitAsync(requestId, open, open.Task, CancellationToken.None));
    }

    public void Send(uint channelId, ReadOnlySpan<byte> payload)
    {
        if (!_main.Connection!.Outbound.AppendChannelFrame(FrameKind.Send, channelId, payload))
        {
            throw _main.DisconnectedError("The message was not sent");
        }
    }

    public void Attach(uint channelId, int window, ReceiveMode mode)
    {
        Span<byte> body = stackalloc byte[9];
        BinaryPrimitives.WriteUInt32LittleEndian(body, channelId);
        BinaryPrimitives.WriteUInt32LittleEndian(body[4..], (uint)window);
        body[8] = (byte)mode;
        _main.Connection!.Send(FrameKind.Attach, body);
    }

    public void Ack(uint channelId, int count) => _main.Connection!.Outbound.AddCounter(FrameKind.Ack, channelId, (uint)count);

    public void Close(uint channelId)
    {
        Span<byte> body = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(body, channelId);
        _main.Connection!.Send(FrameKind.CloseChannel, body);
    }

    private void OnDeliver(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var channelId = reader.ReadUInt32();
        _channels.FindById(channelId)?.OnDelivered(ReceivedBody.Keep(reader.Remaining));
    }

    private void OnSendCredit(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var channelId = reader.ReadUInt32();
        _channels.FindById(channelId)?.OnCredit(reader.ReadCount());
    }

    private void OnSendBytes(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        _ = reader.ReadUInt32();
        _channels.Budget.Release(reader.ReadUInt32());
    }

    private void OnChannelClosed(uint channelId)
    {
        if (_channels.FindById(channelId) is { } endpoint)
        {
            endpoint.OnClosed("closed");
            return;
        }

        // A built-in channel closed before this process opened it: it opens closed.
        foreach (var (name, binding) in _builtInChannels)
        {
            if (binding.ChannelId == channelId)
            {
                _builtInChannels[name] = binding with { IsClosed = true };
            }
        }
    }

    private void OnChannelOpened(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var requestId = reader.ReadUInt32();
        var status = reader.ReadByte();
        if (!_pendingOpens.TryTake(requestId, out var reply))
        {
            return;
        }

        switch (status)
        {
            case OpenStatus.Opened:
                var channelId = reader.ReadUInt32();
                var closed = reader.ReadByte() != 0;
                reply.TrySetResult(new ChannelBinding(channelId, _sendWindow, closed));
                break;
            case OpenStatus.NotFound:
                reply.TrySetResult(null);
                break;
            case OpenStatus.TypeMismatch:
                reply.TrySetException(FirnErrors.ChannelTypeMismatch(reader.ReadString()));
                break;
            case OpenStatus.BadName:
                reply.TrySetException(new ArgumentException(reader.ReadString()));
                break;
            case OpenStatus.LimitReached:
                reply.TrySetException(FirnErrors.ChannelLimit(reader.ReadString()));
                break;
            default:
                throw new ProtocolViolationException($"unknown channel open status {status}");
        }
    }
}

/// <summary>A channel open waiting for the main process's answer.</summary>
internal sealed class PendingOpen(string name) : PendingReply<ChannelBinding?>
{
    public string Name { get; } = name;
}
