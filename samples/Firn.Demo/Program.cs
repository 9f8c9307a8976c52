// The seed example of LiteyukiBot's process communication, in Firn.
//
// The main process starts a child named "nonebot". Every 3 seconds it sends a string on "nonebot-passive"
// and another on "nonebot-active". In the child, a passive handler (filter: "is a string") logs
// "Passive receive: ..." and an active loop logs "Active receive: ...".
//
// Shared memory: the child counts the active messages in the shared store ("active-count") and publishes
// an event on "nonebot.heard"; the main process subscribes to "nonebot.*" and logs it with the counter.
//
// With --restart, the child also asks the main process over a channel to restart it after it has received
// two active messages (the seed's "restart the bot" scenario), and the main process does so.
using Firn;
using Microsoft.Extensions.Logging;

var app = new FirnApp();
var restartDemo = args.Contains("--restart");

app.AddProcess("nonebot", async context =>
{
    context.PassiveChannel.OnReceive(
        data => context.Logger.LogInformation("Passive receive: {Data}", data),
        filter: data => data is string);

    var received = 0;
    var control = context.App.GetChannel<string>("control");
    while (!context.Stopping.IsCancellationRequested)
    {
        var data = await context.ActiveChannel.ReceiveAsync(context.Stopping);
        context.Logger.LogInformation("Active receive: {Data}", data);
        var count = await context.App.SharedMemory.IncrementAsync("active-count", cancellationToken: context.Stopping);
        context.App.SharedMemory.Publish("nonebot.heard", $"message #{count}");
        if (restartDemo && ++received == 2)
        {
            context.Logger.LogInformation("A user typed \"restart\": asking the main process to restart me");
            await control.SendAsync("restart nonebot", context.Stopping);
        }
    }
});

app.OnAfterStart(async stopping =>
{
    var passive = app.GetChannel<object?>("nonebot-passive");
    var active = app.GetChannel<object?>("nonebot-active");
    app.GetChannel<string>("control").OnReceive(
        async request =>
        {
            var name = request["restart ".Length..];
            app.Logger.LogInformation("Restarting '{Name}' on its request", name);
            await app.Supervisor!.RestartProcessAsync(name, stopping);
            app.Logger.LogInformation("'{Name}' restarted (pid {Pid})", name, app.Supervisor!.GetProcess(name).ProcessId);
        },
        filter: request => request.StartsWith("restart ", StringComparison.Ordinal));

    using var events = app.SharedMemory.Subscribe<string>("nonebot.*", (topic, data) =>
        app.Logger.LogInformation("Event {Topic}: {Data} (shared counter: {Count})", topic, data, app.SharedMemory.Get<long>("active-count")));

    while (!stopping.IsCancellationRequested)
    {
        await passive.SendAsync("I am main process passive", stopping);
        await active.SendAsync("I am main process active", stopping);
        await Task.Delay(TimeSpan.FromSeconds(3), stopping);
    }
});

return await app.RunAsync();
