using Firn.Tests.Support;

namespace Firn.Tests.Admin;

/// <summary>The admin socket's store, pub/sub and RPC ops.</summary>
public sealed class AdminDataTests
{
    [Fact]
    public async Task Store_set_get_keys_del_round_trip_and_a_CSharp_reader_sees_the_values()
    {
        await using var app = await AdminApp.Create(_ => { }).StartAsync();
        await using var client = await app.ConnectAsync();
        var memory = app.App.SharedMemory;

        await client.OkAsync("store.set", new { key = "cfg:text", value = "hello" });
        await client.OkAsync("store.set", new { key = "cfg:count", value = 42 });
        await client.OkAsync("store.set", new { key = "cfg:ratio", value = 0.5 });
        await client.OkAsync("store.set", new { key = "cfg:on", value = true });
        await client.OkAsync("store.set", new { key = "other", value = new { a = 1, b = new[] { "x" } } });
        Assert.Equal("hello", memory.Get<string>("cfg:text"));
        Assert.Equal(42L, memory.Get<long>("cfg:count"));
        Assert.Equal(0.5, memory.Get<double>("cfg:ratio"));
        Assert.True(memory.Get<bool>("cfg:on"));

        memory.Set("cfg:point", new StorePoint(3, 4));
        var point = await client.OkAsync("store.get", new { key = "cfg:point" });
        Assert.True(point.GetProperty("found").GetBoolean());
        Assert.Equal(typeof(StorePoint).FullName, point.GetProperty("type").GetString());
        Assert.Equal(3, point.GetProperty("value").GetProperty("X").GetInt32());
        var text = await client.OkAsync("store.get", new { key = "cfg:text" });
        Assert.Equal("System.String", text.GetProperty("type").GetString());
        Assert.Equal("hello", text.GetProperty("value").GetString());
        var other = await client.OkAsync("store.get", new { key = "other" });
        Assert.Equal("x", other.GetProperty("value").GetProperty("b")[0].GetString());

        var keys = (await client.OkAsync("store.keys", new { pattern = "cfg:*" })).GetProperty("keys").EnumerateArray().Select(k => k.GetString()).ToList();
        Assert.Equal(["cfg:count", "cfg:on", "cfg:point", "cfg:ratio", "cfg:text"], keys);

        Assert.True((await client.OkAsync("store.del", new { key = "cfg:text" })).GetProperty("deleted").GetBoolean());
        Assert.False((await client.OkAsync("store.del", new { key = "cfg:text" })).GetProperty("deleted").GetBoolean());
        Assert.False((await client.OkAsync("store.get", new { key = "cfg:text" })).GetProperty("found").GetBoolean());
        Assert.False(memory.TryGet<string>("cfg:text", out _));
        Assert.Equal("bad-request", await client.ErrorAsync("store.get", new { key = 5 }));
    }

    [Fact]
    public async Task Sub_streams_a_publication()
    {
        await using var app = await AdminApp.Create(_ => { }).StartAsync();
        await using var client = await app.ConnectAsync();
        await client.OkAsync("sub", new { pattern = "news.*" });
        app.App.SharedMemory.Publish("other", "not this");
        app.App.SharedMemory.Publish("news.today", new StorePoint(1, 2));
        var item = (await client.ReadAsync())!.Value.GetProperty("item");
        Assert.Equal("news.today", item.GetProperty("topic").GetString());
        Assert.Equal(typeof(StorePoint).FullName, item.GetProperty("type").GetString());
        Assert.Equal(2, item.GetProperty("value").GetProperty("Y").GetInt32());
    }

    [Fact]
    public async Task Rpc_list_and_call_with_a_remote_error_as_failed()
    {
        await using var app = await AdminApp.Create(a => a.AddProcess("calc", TestApps.ReadyChild("rpc-serve"))).StartAsync();
        Assert.Equal("ready", await app.App.NextReportAsync("calc"));
        await using var client = await app.ConnectAsync();

        var methods = (await client.OkAsync("rpc.list")).GetProperty("methods").EnumerateArray().ToList();
        Assert.Contains(methods, m => m.GetProperty("name").GetString() == "calc.add" && m.GetProperty("owner").GetString() == "calc");

        var sum = await client.OkAsync("rpc.call", new { method = "calc.add", args = new[] { 2, 3 } });
        Assert.Equal(5, sum.GetProperty("result").GetInt32());
        var echo = await client.OkAsync("rpc.call", new { method = "calc.echo", args = new[] { "hi" } });
        Assert.Equal("calc:hi", echo.GetProperty("result").GetString());

        var failed = await client.RequestAsync("rpc.call", new { method = "calc.throw", args = new[] { "no way" } });
        Assert.Equal("failed", failed.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("no way", failed.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("not-found", await client.ErrorAsync("rpc.call", new { method = "calc.nothing", args = Array.Empty<int>() }));

        // top counts the calls the child served.
        var top = (await client.OkAsync("top")).GetProperty("processes").EnumerateArray().ToList();
        var calc = Assert.Single(top, p => p.GetProperty("name").GetString() == "calc");
        Assert.True(calc.GetProperty("callsServed").GetInt64() >= 3);
        Assert.True(Assert.Single(top, p => p.GetProperty("name").GetString() == "main").GetProperty("callsMade").GetInt64() >= 3);

        var channels = (await client.OkAsync("channels")).GetProperty("channels").EnumerateArray().ToList();
        var report = Assert.Single(channels, c => c.GetProperty("name").GetString() == "report-calc");
        Assert.True(report.GetProperty("sent").GetInt64() >= 1);
        Assert.True(report.GetProperty("consumed").GetInt64() >= 1);
    }
}

/// <summary>A record stored and published by the tests.</summary>
public sealed record StorePoint(int X, int Y);
