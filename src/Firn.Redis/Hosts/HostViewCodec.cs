using System.Buffers;
using System.Text;
using System.Text.Json;
using Firn.Hosting;

namespace Firn.Redis.Hosts;

/// <summary>
/// A host's registry entry as JSON (readable with <c>redis-cli HGETALL</c>): <c>processes</c>, an array of
/// <c>{"name","state","pid","restarts","uptime","lastExitCode","lastExitReason","lastSignal","cpuSeconds","memoryBytes"}</c>,
/// and <c>channels</c>, an array of <c>{"name","type","queued","unconsumed","closed","members":[{"process","mode"}]}</c>.
/// </summary>
internal static class HostViewCodec
{
    /// <summary>The processes' JSON; without the fields that change all the time (uptime, CPU, memory) when <paramref name="steady"/>.</summary>
    public static string Processes(IReadOnlyList<HostProcess> processes, bool steady) => Write(w =>
    {
        w.WriteStartArray();
        foreach (var process in processes)
        {
            var s = process.Status;
            w.WriteStartObject();
            w.WriteString("name", s.Name);
            w.WriteString("state", s.State.ToString());
            WriteNumber(w, "pid", s.ProcessId);
            w.WriteNumber("restarts", s.Restarts);
            WriteNumber(w, "lastExitCode", s.LastExitCode);
            w.WriteString("lastExitReason", s.LastExitReason?.ToString());
            WriteNumber(w, "lastSignal", s.LastSignal);
            if (!steady)
            {
                WriteNumber(w, "uptime", s.Uptime?.TotalSeconds);
                WriteNumber(w, "cpuSeconds", process.CpuSeconds);
                WriteNumber(w, "memoryBytes", process.MemoryBytes);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    public static string Channels(IReadOnlyList<ChannelInfo> channels) => Write(w =>
    {
        w.WriteStartArray();
        foreach (var channel in channels)
        {
            w.WriteStartObject();
            w.WriteString("name", channel.Name);
            w.WriteString("type", channel.TypeName);
            w.WriteNumber("queued", channel.Queued);
            w.WriteNumber("unconsumed", channel.Unconsumed);
            w.WriteBoolean("closed", channel.IsClosed);
            w.WriteStartArray("members");
            foreach (var member in channel.Members)
            {
                w.WriteStartObject();
                w.WriteString("process", member.ProcessName);
                w.WriteString("mode", member.Mode.ToString());
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    /// <summary>Reads a host's entry, labelling every process and member with <paramref name="host"/>.</summary>
    /// <exception cref="JsonException">The entry is not what this version writes.</exception>
    public static HostView Read(string host, string processesJson, string channelsJson)
    {
        using var processesDocument = JsonDocument.Parse(processesJson);
        var processes = new List<HostProcess>();
        foreach (var p in processesDocument.RootElement.EnumerateArray())
        {
            var status = new ProcessStatus(
                p.GetProperty("name").GetString()!,
                ParseEnum<ProcessState>(p, "state") ?? throw new JsonException("a process without a state"),
                Int(p, "pid"),
                Int(p, "restarts") ?? 0,
                Double(p, "uptime") is { } uptime ? TimeSpan.FromSeconds(uptime) : null,
                Int(p, "lastExitCode"),
                ParseEnum<ProcessExitReason>(p, "lastExitReason"),
                Int(p, "lastSignal"))
            {
                Host = host,
            };
            processes.Add(new HostProcess(status, Double(p, "cpuSeconds"), Long(p, "memoryBytes")));
        }

        using var channelsDocument = JsonDocument.Parse(channelsJson);
        var channels = new List<ChannelInfo>();
        foreach (var c in channelsDocument.RootElement.EnumerateArray())
        {
            var members = c.GetProperty("members").EnumerateArray()
                .Select(m => new ChannelMemberInfo(m.GetProperty("process").GetString()!, ParseEnum<ReceiveMode>(m, "mode") ?? ReceiveMode.None) { Host = host })
                .ToArray();
            channels.Add(new ChannelInfo(
                c.GetProperty("name").GetString()!,
                c.GetProperty("type").GetString()!,
                members,
                Int(c, "queued") ?? 0,
                Int(c, "unconsumed") ?? 0,
                c.TryGetProperty("closed", out var closed) && closed.ValueKind == JsonValueKind.True));
        }

        return new HostView(host, processes, channels);
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    private static long? Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;

    private static double? Double(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static T? ParseEnum<T>(JsonElement element, string name)
        where T : struct, Enum =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && Enum.TryParse<T>(value.GetString(), out var parsed) ? parsed : null;
}
