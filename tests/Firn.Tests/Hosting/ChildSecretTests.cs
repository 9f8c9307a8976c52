using Firn.Tests.Support;

namespace Firn.Tests.Hosting;

/// <summary>A child's secret is handed over through an inherited pipe, never left in its environment.</summary>
public sealed class ChildSecretTests
{
    [Fact]
    public async Task A_running_child_s_secret_is_not_in_its_proc_environ()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("echo", ["echo", "in-x", "out-x"])));
        var pid = app.Supervisor!.GetProcess("echo").ProcessId!.Value;

        // What any process of the same user can read for the child's whole life.
        var names = File.ReadAllText($"/proc/{pid}/environ").Split('\0').Select(entry => entry.Split('=')[0]).ToArray();

        Assert.Contains("FIRN_PROCESS_NAME", names);
        Assert.DoesNotContain("FIRN_SECRET", names);
    }
}
