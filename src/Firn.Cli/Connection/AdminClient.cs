using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Firn.Cli.Connection;

/// <summary>
/// One connection to an app's admin socket: JSON objects, one per line, both ways (docs/admin-protocol.md). Checks the
/// server's hello first; requests are answered in order, so one request at a time needs no correlation beyond the id check.
/// </summary>
internal sealed class AdminClient : IAsyncDisposable
{
    public const int ProtocolVersion = 1;
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(15);

    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly Stream _stream;
    private int _nextId;

    private AdminClient(AppEndpoint app, Socket socket)
    {
        App = app;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new StreamReader(_stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);
    }

    public AppEndpoint App { get; }

    /// <summary>The server's hello line: <c>{"firnAdmin":1,"app","pid","uid","version"}</c>.</summary>
    public JsonObject Hello { get; private set; } = [];

    /// <summary>
    /// Connects and reads the hello. Refused, unreachable, or a socket or server that another user may have planted
    /// (<see cref="SocketTrust"/>): a <see cref="CliException"/> with exit code 3, and nothing sent.
    /// </summary>
    public static async Task<AdminClient> ConnectAsync(AppEndpoint app, CancellationToken cancellationToken)
    {
        SocketTrust.CheckSocketFile(app);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(app.SocketPath), cancellationToken);
            SocketTrust.CheckServer(socket, app);
        }
        catch (CliException)
        {
            socket.Dispose();
            throw;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw ex.SocketErrorCode == SocketError.AccessDenied
                ? new CliException(ExitCodes.NoApp, $"Cannot connect to {app}: permission denied on {app.SocketPath} (only the app's user or root may).")
                : new CliException(ExitCodes.NoApp, $"Cannot connect to {app} at {app.SocketPath}: {ex.Message}.");
        }

        var client = new AdminClient(app, socket);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(HelloTimeout);
            var hello = await client.ReadLineAsync(timeout.Token)
                ?? throw new CliException(ExitCodes.NoApp, $"{app} closed the connection before saying hello.");
            if (hello["ok"] is JsonValue ok && !ok.GetValue<bool>())
            {
                var (code, message) = ReadError(hello);
                throw code == "permission-denied"
                    ? new CliException(ExitCodes.NoApp, $"{app} refused this client: {message}")
                    : new CliException(ExitCodes.NoApp, $"{app} refused the connection ({code}): {message}");
            }

            var version = hello["firnAdmin"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : -1;
            if (version != ProtocolVersion)
            {
                throw new CliException(ExitCodes.NoApp, $"{app} speaks admin protocol version {version}; this firnctl speaks {ProtocolVersion}. Use the firnctl of the app's Firn version.");
            }

            client.Hello = hello;
            return client;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await client.DisposeAsync();
            throw new CliException(ExitCodes.NoApp, $"{app} accepted the connection but said no hello within {HelloTimeout.TotalSeconds:0} s.");
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends a request and returns its result; an error reply throws <see cref="AdminException"/>.</summary>
    public async Task<JsonNode?> RequestAsync(string op, JsonObject? arguments = null, CancellationToken cancellationToken = default)
    {
        var id = ++_nextId;
        var request = new JsonObject { ["id"] = id, ["op"] = op };
        foreach (var (name, value) in arguments ?? [])
        {
            request[name] = value?.DeepClone();
        }

        var bytes = Encoding.UTF8.GetBytes(request.ToJsonString() + "\n");
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken);
        }
        catch (IOException ex)
        {
            throw Lost(ex.Message);
        }

        var reply = await ReadLineAsync(cancellationToken) ?? throw Lost("the app closed the connection");
        if (reply["id"] is JsonValue replyId && replyId.TryGetValue<int>(out var got) && got != id && got != 0)
        {
            throw new CliException(ExitCodes.Failed, $"{App} answered request {got} to request {id}: a protocol error.");
        }

        if (reply["ok"] is JsonValue ok && ok.GetValue<bool>())
        {
            return reply["result"];
        }

        var (code, message) = ReadError(reply);
        throw new AdminException(code, message);
    }

    /// <summary>The items of a stream started by the last request (<c>logs</c> with follow, <c>sub</c>), until the app closes it.</summary>
    public async IAsyncEnumerable<JsonNode?> ReadItemsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.ContainsKey("item"))
            {
                yield return line["item"];
            }
            else if (line["ok"] is JsonValue ok && !ok.GetValue<bool>())
            {
                var (code, message) = ReadError(line);
                throw new AdminException(code, message);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private static (string Code, string Message) ReadError(JsonObject reply)
    {
        var error = reply["error"] as JsonObject;
        var code = error?["code"]?.GetValue<string>() ?? "failed";
        var message = error?["message"]?.GetValue<string>() ?? code;
        return (code, message);
    }

    private CliException Lost(string why) => new(ExitCodes.NoApp, $"Lost the connection to {App}: {why}.");

    private async Task<JsonObject?> ReadLineAsync(CancellationToken cancellationToken)
    {
        string? line;
        try
        {
            line = await _reader.ReadLineAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            throw Lost(ex.Message);
        }

        if (line is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(line) as JsonObject
                ?? throw new CliException(ExitCodes.Failed, $"{App} sent a line that is not a JSON object: a protocol error.");
        }
        catch (JsonException ex)
        {
            throw new CliException(ExitCodes.Failed, $"{App} sent a line that is not JSON ({ex.Message}): a protocol error.");
        }
    }
}
