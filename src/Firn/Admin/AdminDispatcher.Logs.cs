using System.Text.Json;

namespace Firn.Admin;

/// <content>logs: the recent lines of one process or all, then (with follow) every new one.</content>
internal sealed partial class AdminDispatcher
{
    private const int DefaultLogLines = 100;

    private AdminResult Logs(AdminRequest request)
    {
        var name = request.OptionalString("name");
        if (name is not null && !string.Equals(name, app.MainProcessName, StringComparison.Ordinal))
        {
            _ = Require(name);
        }

        var count = request.OptionalInteger("lines") ?? DefaultLogLines;
        if (count < 0)
        {
            throw AdminException.BadRequest("'lines' must not be negative");
        }

        var follow = request.OptionalBoolean("follow") ?? false;
        var lines = app.Logs.Snapshot(name, (int)Math.Min(count, int.MaxValue), follow, out var later, out var unfollow);
        var result = new AdminResult(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("lines");
            foreach (var line in lines)
            {
                WriteLogLine(w, line);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
        if (later is null)
        {
            return result;
        }

        return new AdminResult(result.WriteResult)
        {
            Stream = async (sink, cancellationToken) =>
            {
                using (unfollow)
                {
                    await foreach (var line in later.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                    {
                        await sink.SendAsync(w => WriteLogLine(w, line), cancellationToken).ConfigureAwait(false);
                    }
                }
            },
        };
    }

    private static void WriteLogLine(Utf8JsonWriter w, AdminLogLine line)
    {
        w.WriteStartObject();
        AdminJson.WriteTime(w, "time", line.Time);
        w.WriteString("process", line.Process);
        w.WriteString("level", line.Level.ToString());
        if (line.Category is { } category)
        {
            w.WriteString("category", category);
        }
        else
        {
            w.WriteNull("category");
        }

        w.WriteString("message", line.Message);
        w.WriteEndObject();
    }
}
