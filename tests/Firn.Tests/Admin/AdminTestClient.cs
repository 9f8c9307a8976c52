using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Firn.Tests.Support;

namespace Firn.Tests.Admin;

/// <summary>A tiny raw JSON-lines client of the admin socket, as an operator's tool would speak it.</summary>
internal sealed class AdminTestClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;
    private long _nextId;

    private AdminTestClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new StreamReader(_stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
    }

    public JsonElement Hello { get; private set; }

    /// <summary>Connects and reads the hello line.</summary>
    public static async Task<AdminTestClient> ConnectAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        var client = new AdminTestClient(socket);
        client.Hello = await client.ReadAsync() ?? throw new InvalidOperationException("no hello line");
        return client;
    }

    /// <summary>Sends a request and returns its reply (throws if the connection closed first).</summary>
    public async Task<JsonElement> RequestAsync(string op, object? arguments = null)
    {
        var id = ++_nextId;
        var fields = new Dictionary<string, object?> { ["id"] = id, ["op"] = op };
        if (arguments is not null)
        {
            foreach (var property in arguments.GetType().GetProperties())
            {
                fields[property.Name] = property.GetValue(arguments);
            }
        }

        await SendLineAsync(JsonSerializer.Serialize(fields));
        var reply = await ReadAsync() ?? throw new InvalidOperationException($"the connection closed before the reply to '{op}'");
        Assert.Equal(id, reply.GetProperty("id").GetInt64());
        return reply;
    }

    /// <summary>The result of a request that must succeed.</summary>
    public async Task<JsonElement> OkAsync(string op, object? arguments = null)
    {
        var reply = await RequestAsync(op, arguments);
        Assert.True(reply.GetProperty("ok").GetBoolean(), $"'{op}' failed: {reply}");
        return reply.GetProperty("result");
    }

    /// <summary>The error code of a request that must fail.</summary>
    public async Task<string> ErrorAsync(string op, object? arguments = null)
    {
        var reply = await RequestAsync(op, arguments);
        Assert.False(reply.GetProperty("ok").GetBoolean(), $"'{op}' succeeded: {reply}");
        return reply.GetProperty("error").GetProperty("code").GetString()!;
    }

    public async Task SendLineAsync(string line) => await SendRawAsync(Encoding.UTF8.GetBytes(line + "\n"));

    public async Task SendRawAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>The next line as JSON, or null at the end of the stream.</summary>
    public async Task<JsonElement?> ReadAsync()
    {
        var line = await _reader.ReadLineAsync().WaitAsync(TestApps.Timeout);
        return line is null ? null : JsonDocument.Parse(line).RootElement.Clone();
    }

    /// <summary>Whether the server closed the connection (reads to its end; a reset counts as closed).</summary>
    public async Task<bool> IsClosedAsync()
    {
        try
        {
            return await ReadAsync() is null;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _stream.Dispose();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
