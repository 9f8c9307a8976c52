using System.Text;
using Firn.Admin;
using Firn.Tests.Support;

namespace Firn.Tests.Admin;

/// <summary>Malformed lines close only their own connection; the line limit; the switch.</summary>
public sealed class AdminProtocolTests
{
    public static TheoryData<string> MalformedLines => new()
    {
        "this is not json",
        "[1,2,3]",
        "{\"id\":1}",
        "{\"id\":1,\"op\":5}",
        "{\"id\":\"x\",\"op\":\"ps\"}",
        "{\"id\":2,\"op\":\"describe\",\"name\":7}",
        "{\"id\":3,\"op\":\"logs\",\"lines\":\"many\"}",
        "{\"id\":4,\"op\":\"wait\",\"name\":\"one\",\"state\":\"Asleep\"}",
    };

    [Fact]
    public async Task Each_kind_of_malformed_line_closes_only_that_connection()
    {
        await using var app = await AdminApp.Create(a => a.AddCommand("one", AdminApp.Shell("exec sleep 1000"))).StartAsync();
        await using var keeper = await app.ConnectAsync();
        var pid = app.App.Supervisor!.GetProcess("one").ProcessId;
        foreach (var line in MalformedLines)
        {
            await using var bad = await app.ConnectAsync();
            await bad.SendLineAsync(line);
            var error = (await bad.ReadAsync())!.Value;
            Assert.False(error.GetProperty("ok").GetBoolean());
            Assert.Equal("bad-request", error.GetProperty("error").GetProperty("code").GetString());
            Assert.True(await bad.IsClosedAsync(), line);

            Assert.Single((await keeper.OkAsync("ps")).GetProperty("processes").EnumerateArray());
        }

        // An unknown op is an error, not a violation: the connection stays.
        Assert.Equal("unknown-op", await keeper.ErrorAsync("fly"));
        Assert.Equal(ProcessState.Running, app.App.Supervisor.GetProcess("one").State);
        Assert.Equal(pid, app.App.Supervisor.GetProcess("one").ProcessId);
    }

    [Fact]
    public async Task A_line_of_exactly_1_MiB_is_accepted_and_one_byte_more_is_refused()
    {
        await using var app = await AdminApp.Create(_ => { }).StartAsync();
        await using var client = await app.ConnectAsync();
        await client.SendRawAsync(Padded(AdminConnection.MaxLineBytes, id: 7));
        var reply = (await client.ReadAsync())!.Value;
        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        Assert.Equal(7, reply.GetProperty("id").GetInt32());

        await client.SendRawAsync(Padded(AdminConnection.MaxLineBytes + 1, id: 8));
        var refused = (await client.ReadAsync())!.Value;
        Assert.Equal("bad-request", refused.GetProperty("error").GetProperty("code").GetString());
        Assert.True(await client.IsClosedAsync());

        await using var other = await app.ConnectAsync();
        await other.OkAsync("ps");
    }

    [Fact]
    public async Task EnableAdmin_false_listens_on_nothing()
    {
        await using var app = await AdminApp.Create(_ => { }, enableAdmin: false).StartAsync();
        Assert.Null(app.App.AdminSocketPath);
        Assert.False(Directory.Exists(app.Directory) && Directory.EnumerateFileSystemEntries(app.Directory).Any());
    }

    /// <summary>A ps request padded to <paramref name="length"/> bytes, then its newline.</summary>
    private static byte[] Padded(int length, int id)
    {
        var head = $"{{\"id\":{id},\"op\":\"ps\",\"pad\":\"";
        const string tail = "\"}";
        var line = head + new string('x', length - head.Length - tail.Length) + tail;
        Assert.Equal(length, Encoding.UTF8.GetByteCount(line));
        return Encoding.UTF8.GetBytes(line + "\n");
    }
}
