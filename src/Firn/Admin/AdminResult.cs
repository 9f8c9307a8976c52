using System.Text.Json;

namespace Firn.Admin;

/// <summary>Who sent a request (the kernel's record at connect time), for the audit log.</summary>
internal readonly record struct AdminClient(int ProcessId, uint UserId);

/// <summary>What a request answers: a result, then optionally a stream of items, or an action taken once the reply is sent.</summary>
internal sealed class AdminResult
{
    public static readonly AdminResult Empty = new(static w =>
    {
        w.WriteStartObject();
        w.WriteEndObject();
    });

    public AdminResult(Action<Utf8JsonWriter> writeResult) => WriteResult = writeResult;

    /// <summary>Writes the <c>result</c> value.</summary>
    public Action<Utf8JsonWriter> WriteResult { get; }

    /// <summary>For a streaming op: sends the items until its token fires (the client closed, or the app stops).</summary>
    public Func<AdminItemSink, CancellationToken, Task>? Stream { get; init; }

    /// <summary>Runs once the reply has been written (restart-app, stop-app: the reply goes first).</summary>
    public Action? AfterReply { get; init; }
}

/// <summary>Where a streaming op sends its items (<c>{"id":..,"item":..}</c> lines).</summary>
internal sealed class AdminItemSink(AdminConnection connection, long id)
{
    public Task SendAsync(Action<Utf8JsonWriter> writeItem, CancellationToken cancellationToken) =>
        connection.WriteAsync(
            AdminJson.Line(w =>
            {
                w.WriteNumber("id", id);
                w.WritePropertyName("item");
                writeItem(w);
            }),
            cancellationToken);
}
