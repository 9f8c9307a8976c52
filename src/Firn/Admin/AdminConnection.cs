using System.Net.Sockets;
using System.Text.Json;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Admin;

/// <summary>
/// One operator's connection: JSON lines in, JSON lines out. Requests are answered one at a time, in order. A malformed
/// line (not JSON, not an object, no string <c>op</c>, a bad argument, longer than <see cref="MaxLineBytes"/>) gets an
/// error line and closes this connection only. After a streaming op's reply, the connection only streams until the
/// client closes it.
/// </summary>
internal sealed partial class AdminConnection : IDisposable
{
    /// <summary>The longest request line, not counting its newline.</summary>
    public const int MaxLineBytes = 1024 * 1024;

    /// <summary>How long a client may leave a request line unfinished (part sent, nothing more) before it is closed.</summary>
    public static readonly TimeSpan PartialLineTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan HangUpPollInterval = TimeSpan.FromMilliseconds(250);

    private readonly Socket _socket;
    private readonly AdminDispatcher _dispatcher;
    private readonly AdminClient _client;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing;
    private readonly SemaphoreSlim _writing = new(1, 1);

    public AdminConnection(Socket socket, AdminDispatcher dispatcher, AdminClient client, ILogger logger, CancellationToken endpointStopping)
    {
        _socket = socket;
        _dispatcher = dispatcher;
        _client = client;
        _logger = logger;
        _closing = CancellationTokenSource.CreateLinkedTokenSource(endpointStopping);
    }

    public async Task RunAsync(byte[] hello)
    {
        try
        {
            await WriteAsync(hello, _closing.Token).ConfigureAwait(false);
            await ReadRequestsAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // The client went away, or the endpoint stopped.
        }
#pragma warning disable CA1031 // One connection's failure must not reach the app; it is logged and the connection closed.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogConnectionFailed(ex, _client.ProcessId);
        }
        finally
        {
            Dispose();
        }
    }

    public async Task WriteAsync(byte[] line, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var sent = 0;
            while (sent < line.Length)
            {
                sent += await _socket.SendAsync(line.AsMemory(sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    public void Dispose()
    {
        _closing.Cancel();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
    }

    private async Task ReadRequestsAsync()
    {
        var buffer = new byte[64 * 1024];
        using var line = new MemoryStream();
        while (true)
        {
            var read = line.Length == 0
                ? await _socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, _closing.Token).ConfigureAwait(false)
                : await ReceiveRestAsync(buffer).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            if (read < 0)
            {
                await RefuseAsync(0, $"a request line was left unfinished for {PartialLineTimeout.TotalSeconds:0} s").ConfigureAwait(false);
                await LingerAsync(buffer).ConfigureAwait(false);
                return;
            }

            var chunk = buffer.AsMemory(0, read);
            while (!chunk.IsEmpty)
            {
                var end = chunk.Span.IndexOf((byte)'\n');
                var piece = end < 0 ? chunk : chunk[..end];
                if (line.Length + piece.Length > MaxLineBytes)
                {
                    await RefuseAsync(0, $"a request line is longer than {MaxLineBytes} bytes").ConfigureAwait(false);
                    await LingerAsync(buffer).ConfigureAwait(false);
                    return;
                }

                line.Write(piece.Span);
                if (end < 0)
                {
                    break;
                }

                chunk = chunk[(end + 1)..];
                var outcome = await HandleLineAsync(line.GetBuffer().AsMemory(0, (int)line.Length)).ConfigureAwait(false);
                line.SetLength(0);
                if (outcome == Outcome.Close)
                {
                    await LingerAsync(buffer).ConfigureAwait(false);
                    return;
                }

                if (outcome == Outcome.Streaming)
                {
                    await DiscardUntilClosedAsync(buffer).ConfigureAwait(false);
                    return;
                }
            }
        }
    }

    /// <summary>The rest of a started line: what arrives within <see cref="PartialLineTimeout"/>, or -1 when nothing does.</summary>
    private async Task<int> ReceiveRestAsync(byte[] buffer)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        idle.CancelAfter(PartialLineTimeout);
        try
        {
            return await _socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_closing.IsCancellationRequested)
        {
            return -1;
        }
    }

    /// <summary>
    /// While a request runs, nothing reads the socket: this notices a client that closed its socket (POLLHUP: not a
    /// mere shutdown of its sending side, whose client still reads the reply) and closes the connection, which cancels
    /// the request (a <c>wait</c>, an RPC call) at once. An empty read wakes it when the socket becomes readable; after
    /// that (a pipelined request pending, or a half-close) it looks again every <see cref="HangUpPollInterval"/>.
    /// </summary>
    private async Task WatchForCloseAsync(CancellationToken stop)
    {
        try
        {
            await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, stop).ConfigureAwait(false);
            while (!HungUp())
            {
                await Task.Delay(HangUpPollInterval, stop).ConfigureAwait(false);
            }

            _closing.Cancel();
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            _closing.Cancel();
        }
    }

    private unsafe bool HungUp()
    {
        // struct pollfd { int fd; short events; short revents; }: events 0 still reports POLLHUP (0x10) and POLLERR (0x8).
        long pollfd = (uint)(int)_socket.Handle;
        return NativeMethods.poll(&pollfd, 1, 0) > 0 && ((pollfd >> 48) & 0x18) != 0;
    }

    private async Task<AdminResult> RunWatchedAsync(AdminRequest request)
    {
        using var stop = new CancellationTokenSource();
        var watch = WatchForCloseAsync(stop.Token);
        try
        {
            return await _dispatcher.RunAsync(request, _client, _closing.Token).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await watch.ConfigureAwait(false);
        }
    }

    private async Task<Outcome> HandleLineAsync(ReadOnlyMemory<byte> text)
    {
        AdminRequest request;
        long id = 0;
        try
        {
            using var document = JsonDocument.Parse(text);
            request = AdminRequest.Parse(document.RootElement.Clone(), out id);
        }
        catch (JsonException ex)
        {
            await RefuseAsync(0, "the line is not JSON: " + ex.Message).ConfigureAwait(false);
            return Outcome.Close;
        }
        catch (AdminException ex)
        {
            await RefuseAsync(id, ex.Message).ConfigureAwait(false);
            return Outcome.Close;
        }

        AdminResult result;
        try
        {
            result = await RunWatchedAsync(request).ConfigureAwait(false);
        }
        catch (AdminException ex)
        {
            if (ex.CloseConnection)
            {
                await RefuseAsync(request.Id, ex.Message).ConfigureAwait(false);
                return Outcome.Close;
            }

            await WriteAsync(AdminJson.Error(request.Id, ex.Code, ex.Message), _closing.Token).ConfigureAwait(false);
            return Outcome.Next;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or JsonException)
        {
            // An argument the op's own checks let through and the code below refused: still a bad request, answered.
            await RefuseAsync(request.Id, ex.Message).ConfigureAwait(false);
            return Outcome.Close;
        }
#pragma warning disable CA1031 // No request ends its connection without an error line; the connection goes on.
        catch (Exception ex) when (ex is not OperationCanceledException || !_closing.IsCancellationRequested)
#pragma warning restore CA1031
        {
            LogRequestFailed(ex, request.Op.Length <= 64 ? AdminText.Escape(request.Op) : "?", _client.ProcessId);
            await WriteAsync(AdminJson.Error(request.Id, AdminErrors.Failed, ex.Message), _closing.Token).ConfigureAwait(false);
            return Outcome.Next;
        }

        await WriteAsync(
            AdminJson.Line(w =>
            {
                w.WriteNumber("id", request.Id);
                w.WriteBoolean("ok", true);
                w.WritePropertyName("result");
                result.WriteResult(w);
            }),
            _closing.Token).ConfigureAwait(false);
        result.AfterReply?.Invoke();
        if (result.Stream is not { } stream)
        {
            return Outcome.Next;
        }

        var sink = new AdminItemSink(this, request.Id);
        _ = Task.Run(async () =>
        {
            try
            {
                await stream(sink, _closing.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or IOException)
            {
            }
#pragma warning disable CA1031 // A stream's failure ends this connection only.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogConnectionFailed(ex, _client.ProcessId);
            }
            finally
            {
                Dispose();
            }
        });
        return Outcome.Streaming;
    }

    /// <summary>A streaming connection takes no more requests: what the client sends is read (to see it close) and ignored.</summary>
    private async Task DiscardUntilClosedAsync(byte[] buffer)
    {
        while (await _socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, _closing.Token).ConfigureAwait(false) > 0)
        {
        }
    }

    /// <summary>
    /// Closes the sending side after an error line and reads what the client still sends, for a while: closing a socket
    /// with unread input resets it, and a reset can destroy the error line before the client has read it.
    /// </summary>
    private async Task LingerAsync(byte[] buffer)
    {
        _socket.Shutdown(SocketShutdown.Send);
        using var linger = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        linger.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            while (await _socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, linger.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RefuseAsync(long id, string message)
    {
        LogMalformed(_client.ProcessId, _client.UserId, AdminText.Escape(message));
        await WriteAsync(AdminJson.Error(id, AdminErrors.BadRequest, message), _closing.Token).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin: closed the connection of client pid {Pid} (uid {Uid}): {Reason}")]
    private partial void LogMalformed(int pid, uint uid, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin: request '{Op}' of client pid {Pid} failed unexpectedly; it was answered 'failed'")]
    private partial void LogRequestFailed(Exception exception, string op, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin: the connection of client pid {Pid} failed; it was closed")]
    private partial void LogConnectionFailed(Exception exception, int pid);

    private enum Outcome
    {
        Next,
        Close,
        Streaming,
    }
}
