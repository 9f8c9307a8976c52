using System.Globalization;
using Firn.Tests.Hosting;
using Firn.Tests.Support;

namespace Firn.Tests.GenericHost;

/// <summary>
/// A running Firn.TestHostApp main process (the Generic Host application of the tests) with its output lines; disposing
/// kills it and whatever children are left.
/// </summary>
internal sealed class HostAppProcess : ProgramProcess
{
    private HostAppProcess(string scenario)
        : base(Path.Combine(AppContext.BaseDirectory, "Firn.TestHostApp.dll"), [scenario], workingDirectory: null)
    {
    }

    /// <summary>The children's pids, from the "pids=" line the main process prints at ApplicationStarted.</summary>
    public IReadOnlyDictionary<string, int> Children { get; private set; } = new Dictionary<string, int>();

    /// <summary>Starts the program with <paramref name="scenario"/>; with <paramref name="waitUntilStarted"/>, returns once the host has started.</summary>
    public static async Task<HostAppProcess> StartAsync(string scenario = "run", bool waitUntilStarted = true)
    {
        var app = new HostAppProcess(scenario);
        if (!waitUntilStarted)
        {
            return app;
        }

        try
        {
            var line = await app.WaitForLineAsync(l => l.StartsWith("pids=", StringComparison.Ordinal), "the host application has started");
            app.Children = line["pids=".Length..].Split(',').Select(p => p.Split(':')).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
            app.Remember(app.Children.Values);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until every child is gone (not even a zombie).</summary>
    public Task ChildrenGoneAsync() =>
        TestApps.UntilAsync(() => Children.Values.All(pid => !SupervisedApps.IsAlive(pid)), "every child of the host application has exited");

    /// <summary>The index of the first line that matches exactly, or -1.</summary>
    public int IndexOf(string line) => Lines.ToList().IndexOf(line);
}
