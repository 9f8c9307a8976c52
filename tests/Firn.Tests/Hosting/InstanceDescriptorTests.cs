using Firn.Hosting;
using Firn.Tests.Hardening;
using Firn.Tests.Support;
using Xunit.Abstractions;

namespace Firn.Tests.Hosting;

/// <summary>
/// An instance's descriptors (its output pipes, its process, its connection) are closed once its exit has been handled,
/// not when a garbage collection finalizes them. It counts the test process's own descriptors, so it runs alone.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class InstanceDescriptorTests(ITestOutputHelper output)
{
    /// <summary>What the runtime may open or close between two counts on its own (thread-pool and timer plumbing); a leak of two pipes per restart is 400.</summary>
    private const int Slack = 16;

    [Fact]
    public async Task Two_hundred_restarts_leave_the_descriptor_count_at_its_baseline_without_a_garbage_collection()
    {
        const int restarts = 200;
        using var log = new CategoryLog();
        await using var app = await TestApps.StartAsync(SupervisedApps.Create(log.Factory, ("cycler", SupervisedApps.Child(["idle"]))));
        await app.NextReportAsync("cycler");

        // One restart first, so everything the runtime opens lazily for a stop and a start exists before the count.
        await RestartAsync(app);
        var baseline = Descriptors();

        var collections = GC.CollectionCount(2);
        for (var i = 0; i < restarts; i++)
        {
            await RestartAsync(app);
        }

        // RestartProcessAsync returns after the old instance's exit was handled: its descriptors must be gone already.
        var after = Descriptors();
        output.WriteLine($"descriptors: {baseline.Total} before, {after.Total} after {restarts} restarts (pipes {baseline.Pipes} -> {after.Pipes}, sockets {baseline.Sockets} -> {after.Sockets}); {GC.CollectionCount(2) - collections} gen-2 collections meanwhile");
        Assert.Equal(restarts + 1, app.Supervisor!.GetProcess("cycler").Restarts);
        Assert.True(after.Pipes <= baseline.Pipes + Slack, $"pipes went from {baseline.Pipes} to {after.Pipes}");
        Assert.True(after.Sockets <= baseline.Sockets + Slack, $"sockets went from {baseline.Sockets} to {after.Sockets}");
        Assert.True(after.Total <= baseline.Total + Slack, $"descriptors went from {baseline.Total} to {after.Total}");
    }

    private static async Task RestartAsync(FirnApp app)
    {
        await app.Supervisor!.RestartProcessAsync("cycler").WaitAsync(TestApps.Timeout);
        Assert.StartsWith("pid=", await app.NextReportAsync("cycler"), StringComparison.Ordinal);
        Assert.Equal(ProcessState.Running, app.Supervisor!.GetProcess("cycler").State);
    }

    private static (int Total, int Pipes, int Sockets) Descriptors()
    {
        int total = 0, pipes = 0, sockets = 0;
        foreach (var fd in Directory.GetFiles("/proc/self/fd"))
        {
            total++;
            try
            {
                var target = new FileInfo(fd).LinkTarget ?? string.Empty;
                pipes += target.StartsWith("pipe:", StringComparison.Ordinal) ? 1 : 0;
                sockets += target.StartsWith("socket:", StringComparison.Ordinal) ? 1 : 0;
            }
            catch (IOException)
            {
                // Closed since the listing (the listing's own descriptor, for one).
            }
        }

        return (total, pipes, sockets);
    }
}
