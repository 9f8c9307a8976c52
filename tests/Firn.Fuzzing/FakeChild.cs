using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Firn.Hosting;
using Firn.Storage;
using Firn.Transport;

namespace Firn.Fuzzing;

/// <summary>A frame the main process sent to a fake child.</summary>
internal readonly record struct ReceivedFrame(FrameKind Kind, byte[] Body)
{
    /// <summary>The first u32 of the body: the request, call, invocation or channel id of most main-to-child frames.</summary>
    public uint Id => Body.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(Body) : 0;

    /// <inheritdoc />
    public override string ToString() => $"{Kind}:{Convert.ToHexString(Body)}";
}

/// <summary>
/// A child as far as the main process can tell: a real <see cref="ChildSession"/> on a real <see cref="Connection"/>,
/// wired exactly as an authenticated child's (see <see cref="DispatcherHarness.Connect"/>), whose other end is a raw
/// socket this object writes any bytes to. It reads every frame the main process sends back.
/// </summary>
internal sealed class FakeChild : IAsyncDisposable
{
    /// <summary>A store key no fuzzer writes; a Get on it is the round trip that proves earlier frames were handled.</summary>
    public const string SyncKey = "firn.fuzzing.sync";

    private static uint s_nextMarker;

    private readonly Socket _client;
    private readonly List<ReceivedFrame> _received = [];
    private readonly ConcurrentDictionary<(FrameKind Kind, uint Id), TaskCompletionSource<byte[]>> _waiters = new();
    private readonly SentFraming _framing = new();

    /// <summary>What this child asked for, as the main process read it: (reply kind, id) pairs, and which channels it receives on.</summary>
    private readonly ConcurrentDictionary<(FrameKind Kind, uint Id), byte> _asked = new();
    private readonly List<ReceivedFrame> _unsolicited = [];
    private int _registered;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TimeSpan _timeout;
    private readonly Task _receiveLoop;

    public FakeChild(string name, Socket serverSocket, Connection connection, ChildSession session, FakeSessionOwner owner, Task ended, Socket client, bool keepFrames, TimeSpan timeout)
    {
        Name = name;
        ServerSocket = serverSocket;
        Connection = connection;
        Session = session;
        Owner = owner;
        Ended = ended;
        _client = client;
        KeepFrames = keepFrames;
        _timeout = timeout;
        _framing.FrameId += OnSentFrame;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    public string Name { get; }

    /// <summary>How long any wait of this child may take.</summary>
    public TimeSpan Timeout => _timeout;

    /// <summary>The main process's socket (to see how much it has not read yet).</summary>
    public Socket ServerSocket { get; }

    /// <summary>The main process's side of the connection.</summary>
    public Connection Connection { get; }

    public ChildSession Session { get; }

    public FakeSessionOwner Owner { get; }

    /// <summary>Completes with the reason once the main process closed this connection.</summary>
    public Task<ConnectionCloseReason> Closed => Connection.Closed;

    /// <summary>Completes once the main process has forgotten the session (router, store, pub/sub, call table).</summary>
    public Task Ended { get; }

    /// <summary>Whether every received frame is kept in <see cref="Received"/> (off for long-lived control sessions).</summary>
    public bool KeepFrames { get; }

    /// <summary>Raised on the child's receive loop for every frame the main process sends it.</summary>
    public event Action<ReceivedFrame>? FrameReceived;

    /// <summary>Frames received so far, in order (when <see cref="KeepFrames"/>).</summary>
    public IReadOnlyList<ReceivedFrame> Received
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
    /// Frames the main process sent that this child never asked for: a reply (store, channel open or list, subscribe,
    /// register, call outcome or stream item) to no request of that id it sent, an invocation though it registered no
    /// method, an invocation's credit or cancellation for an invocation it never got, or a delivery on a channel it did
    /// not attach to. A correct main process sends none, whatever any child sends it; the harness fails on any.
    /// </summary>
    public IReadOnlyList<ReceivedFrame> Unsolicited
    {
        get
        {
            lock (_unsolicited)
            {
                return [.. _unsolicited];
            }
        }
    }

    /// <summary>Bytes the client has sent so far.</summary>
    public long BytesSent { get; private set; }

    /// <summary>Sends raw bytes; returns false if the main process has closed the connection.</summary>
    public async Task<bool> SendAsync(ReadOnlyMemory<byte> bytes)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _framing.Advance(bytes.Span, Connection.MaxBodyLength);
            BytesSent += bytes.Length;
            using var timeout = new CancellationTokenSource(_timeout);
            while (!bytes.IsEmpty)
            {
                bytes = bytes[await _client.SendAsync(bytes, SocketFlags.None, timeout.Token).ConfigureAwait(false)..];
            }

            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The main process closed the connection: what was not sent does not matter any more.
            return false;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends bytes in pieces, waiting after each until the main process has read it, so its read loop sees every piece boundary.</summary>
    public async Task<bool> SendInPiecesAsync(byte[] bytes, IEnumerable<int> boundaries)
    {
        var start = 0;
        foreach (var boundary in boundaries.Append(bytes.Length))
        {
            if (boundary <= start)
            {
                continue;
            }

            if (!await SendAsync(bytes.AsMemory(start, boundary - start)).ConfigureAwait(false))
            {
                return false;
            }

            start = boundary;
            await UntilReadAsync().ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Sends a request frame and waits for the reply of <paramref name="replyKind"/> with the same id; null if the connection closed first.</summary>
    public async Task<byte[]?> RequestAsync(FrameKind replyKind, uint id, byte[] frame)
    {
        var waiter = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_waiters.TryAdd((replyKind, id), waiter))
        {
            throw new InvalidOperationException($"A request for {replyKind} {id} is already waiting.");
        }

        try
        {
            if (!await SendAsync(frame).ConfigureAwait(false))
            {
                return null;
            }

            var first = await Task.WhenAny(waiter.Task, Closed).WaitAsync(_timeout).ConfigureAwait(false);
            return first == waiter.Task ? await waiter.Task.ConfigureAwait(false) : null;
        }
        finally
        {
            _waiters.TryRemove((replyKind, id), out _);
        }
    }

    /// <summary>
    /// Waits until the main process has handled everything sent so far: finishes a frame left open with zero filler,
    /// then makes a round trip (a store Get). Returns false if the main process closed the connection instead.
    /// </summary>
    public async Task<bool> SyncAsync()
    {
        if (Closed.IsCompleted)
        {
            return false;
        }

        var filler = _framing.BytesToFinishFrame(Connection.MaxBodyLength);
        if (filler > 0 && !await SendAsync(new byte[filler]).ConfigureAwait(false))
        {
            return false;
        }

        if (_framing.OverLimit)
        {
            await Closed.WaitAsync(_timeout).ConfigureAwait(false);
            return false;
        }

        var id = 0xC0DE_0000u | (Interlocked.Increment(ref s_nextMarker) & 0xFFFF);
        return await RequestAsync(FrameKind.StoreReply, id, ChildFrames.StoreRequest(id, StoreOperation.Get, SyncKey)).ConfigureAwait(false) is not null;
    }

    /// <summary>Waits until the main process's socket holds no unread bytes (its read loop took them).</summary>
    public async Task UntilReadAsync()
    {
        var deadline = DateTime.UtcNow + _timeout;
        for (var spins = 0; !Closed.IsCompleted && Available() > 0; spins++)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The main process did not read what '{Name}' sent within {_timeout}.");
            }

            // Usually a few microseconds; on a loaded machine, stop spinning and give the read loop the core.
            if (spins < 50)
            {
                await Task.Yield();
            }
            else
            {
                await Task.Delay(1).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Closes the child's end, as a child that exits; the main process sees the end of the stream.</summary>
    public async Task DisconnectAsync()
    {
        _client.Dispose();
        await Ended.WaitAsync(_timeout).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        try
        {
            await Ended.WaitAsync(_timeout).ConfigureAwait(false);
            await _receiveLoop.WaitAsync(_timeout).ConfigureAwait(false);
        }
        finally
        {
            ServerSocket.Dispose();
            _sendLock.Dispose();
        }
    }

    private int Available()
    {
        try
        {
            return ServerSocket.Available;
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    if (start > 0)
                    {
                        buffer.AsSpan(start, end - start).CopyTo(buffer);
                        end -= start;
                        start = 0;
                    }
                    else
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }
                }

                var read = await _client.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                end += read;
                while (FrameDecoder.TryDecode(buffer.AsSpan(start, end - start), int.MaxValue, out var kind, out var bodyLength, out var frameLength) == DecodeStatus.Frame)
                {
                    OnFrame(new ReceivedFrame(kind, buffer.AsSpan(start + FrameFormat.HeaderSize, (int)bodyLength).ToArray()));
                    start += (int)frameLength;
                }

                if (start == end)
                {
                    start = end = 0;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Closed by either side.
        }
    }

    /// <summary>Records what a frame this child is about to send asks for (called before its bytes leave).</summary>
    private void OnSentFrame(FrameKind kind, uint id)
    {
        switch (kind)
        {
            case FrameKind.StoreRequest:
                _asked.TryAdd((FrameKind.StoreReply, id), 0);
                break;
            case FrameKind.OpenChannel:
                _asked.TryAdd((FrameKind.ChannelOpened, id), 0);
                break;
            case FrameKind.ListChannels:
                _asked.TryAdd((FrameKind.ChannelList, id), 0);
                break;
            case FrameKind.Subscribe:
                _asked.TryAdd((FrameKind.SubscribeReply, id), 0);
                break;
            case FrameKind.RpcRegister:
                _asked.TryAdd((FrameKind.RpcRegistered, id), 0);
                Volatile.Write(ref _registered, 1);
                break;
            case FrameKind.RpcCall:
                _asked.TryAdd((FrameKind.RpcReply, id), 0);
                _asked.TryAdd((FrameKind.RpcCallItem, id), 0);
                break;
            case FrameKind.Attach:
                _asked.TryAdd((FrameKind.Deliver, id), 0);
                break;
        }
    }

    /// <summary>Whether this child asked for <paramref name="frame"/>, for the kinds that answer something it sent.</summary>
    private bool Solicited(ReceivedFrame frame)
    {
        switch (frame.Kind)
        {
            case FrameKind.StoreReply or FrameKind.ChannelOpened or FrameKind.ChannelList or FrameKind.SubscribeReply
                or FrameKind.RpcRegistered or FrameKind.RpcReply or FrameKind.RpcCallItem or FrameKind.Deliver:
                return frame.Body.Length >= 4 && _asked.ContainsKey((frame.Kind, frame.Id));
            case FrameKind.RpcInvoke:
                if (Volatile.Read(ref _registered) == 0 || frame.Body.Length < 4)
                {
                    return false;
                }

                _asked.TryAdd((FrameKind.RpcInvocationCredit, frame.Id), 0);
                _asked.TryAdd((FrameKind.RpcCancelInvocation, frame.Id), 0);
                return true;
            case FrameKind.RpcInvocationCredit or FrameKind.RpcCancelInvocation:
                return frame.Body.Length >= 4 && _asked.ContainsKey((frame.Kind, frame.Id));
            default:
                // Not an answer to anything: credits, acknowledgements of bytes, closes, publications, pings, stops.
                return true;
        }
    }

    private void OnFrame(ReceivedFrame frame)
    {
        if (!Solicited(frame))
        {
            lock (_unsolicited)
            {
                _unsolicited.Add(frame);
            }
        }

        if (KeepFrames)
        {
            lock (_received)
            {
                _received.Add(frame);
            }
        }

        if (_waiters.TryGetValue((frame.Kind, frame.Id), out var waiter))
        {
            waiter.TrySetResult(frame.Body);
        }

        FrameReceived?.Invoke(frame);
    }
}
