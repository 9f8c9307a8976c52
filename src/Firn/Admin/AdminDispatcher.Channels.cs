using Firn.Hosting;
using Firn.Meters;

namespace Firn.Admin;

/// <content>channels and top: what the router, the call table and /proc already count.</content>
internal sealed partial class AdminDispatcher
{
    private AdminResult Channels()
    {
        var router = app.Main.Router;
        var channels = HostViews.Channels(router.List(), app.Registry);
        var totals = router.ChannelTotals();
        return new AdminResult(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("channels");
            foreach (var channel in channels)
            {
                var (sent, consumed) = totals.GetValueOrDefault(channel.Name);
                w.WriteStartObject();
                w.WriteString("name", channel.Name);
                w.WriteString("type", channel.TypeName);
                w.WriteStartArray("members");
                foreach (var member in channel.Members)
                {
                    w.WriteStartObject();
                    w.WriteString("process", member.ProcessName);
                    w.WriteString("host", member.Host);
                    w.WriteString("mode", member.Mode.ToString());
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteNumber("queued", channel.Queued);
                w.WriteNumber("unconsumed", channel.Unconsumed);
                w.WriteBoolean("closed", channel.IsClosed);
                w.WriteNumber("sent", sent);
                w.WriteNumber("consumed", consumed);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private AdminResult Top()
    {
        var messages = app.Main.Router.ProcessTotals();
        var calls = app.Main.RpcTotals();
        var rows = new List<(string Name, int? Pid)> { (app.MainProcessName, Environment.ProcessId) };
        rows.AddRange(app.Processes().Select(p => (p.Name, p.GetStatus().ProcessId)));
        return new AdminResult(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("processes");
            foreach (var (name, pid) in rows)
            {
                var m = messages.GetValueOrDefault(name);
                var c = calls.GetValueOrDefault(name);
                w.WriteStartObject();
                w.WriteString("name", name);
                AdminJson.WriteNullable(w, "pid", pid);
                w.WriteNumber("messagesSent", m.Sent);
                w.WriteNumber("messagesConsumed", m.Consumed);
                w.WriteNumber("callsMade", c.Made);
                w.WriteNumber("callsServed", c.Served);
                w.WriteNumber("queued", m.Queued);
                AdminJson.WriteNullable(w, "memoryBytes", pid is { } p ? ProcStat.ReadResidentBytes(p) : null);
                var cpu = pid is { } q ? ProcStat.ReadCpuSeconds(q) : null;
                AdminJson.WriteNullable(w, "cpuSeconds", cpu is { } s ? s.User + s.System : null);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}
