// A Firn app for firnctl's tests (tests/Firn.Tests/Cli): run as `Firn.TestAdminApp <admin-dir> <app-name>`, it puts its
// admin socket in <admin-dir> and prints "ready" once its children run:
//   worker  registers the RPC methods "worker.say" (logs "Said: <text>" and returns the text upper-cased) and
//           "worker.publish" (publishes a string on a topic), "worker.fail" (throws), and sets the store key "worker.ready" to true
//   idler   does nothing until stopped
using Firn;
using Microsoft.Extensions.Logging;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Firn.TestAdminApp <admin-dir> <app-name>");
    return 2;
}

var app = new FirnApp(new FirnAppOptions
{
    AdminDirectory = args[0],
    AppName = args[1],
    ShutdownTimeout = TimeSpan.FromSeconds(2),
});
var quick = new ProcessOptions { ShutdownTimeout = TimeSpan.FromSeconds(2), KillTimeout = TimeSpan.FromSeconds(2) };

app.AddProcess(
    "worker",
    async context =>
    {
        await context.App.Rpc.RegisterAsync(
            "worker.say",
            (string text) =>
            {
                context.Logger.LogInformation("Said: {Text}", text);
                return text.ToUpperInvariant();
            },
            context.Stopping);
        await context.App.Rpc.RegisterAsync(
            "worker.publish",
            (string topic, string text) =>
            {
                context.App.SharedMemory.Publish(topic, text);
                return true;
            },
            context.Stopping);
        await context.App.Rpc.RegisterAsync("worker.fail", string () => throw new InvalidOperationException("worker.fail always fails"), context.Stopping);
        context.App.SharedMemory.Set("worker.ready", true);
        context.Logger.LogInformation("Worker ready");
        await Task.Delay(Timeout.Infinite, context.Stopping);
    },
    quick);
app.AddProcess("idler", async context => await Task.Delay(Timeout.Infinite, context.Stopping), quick);

app.OnAfterStart(() =>
{
    Console.Out.WriteLine("ready");
    Console.Out.Flush();
});

return await app.RunAsync();
