
namespace Firn.TestChild;

/// <summary>Names with a lone surrogate, tried from a child. Results go back on channel "report-{name}".</summary>
internal static class NameScenarios
{
    public static async Task<bool> TryRunAsync(string[] args, FirnProcessContext context)
    {
        if (args[0] != "ill-formed-names")
        {
            return false;
        }

        // Each attempt reports how it failed; had it gone through, the main process would have seen "x\uFFFDy" and "k\uFFFD".
        var app = context.App;
        var channel = Attempt(() => app.GetChannel<string>("x\uD800y").Send("through a lone surrogate"));
        var key = Attempt(() => app.SharedMemory.Set("k\uD800", "through a lone surrogate"));
        var report = app.GetChannel<string>("report-" + context.ProcessName);
        var payload = Attempt(() => report.Send("payload \uDC00"));

        // Then the child keeps working: the same channel and store, with well-formed names.
        app.SharedMemory.Set("k-after", "ok");
        await report.SendAsync($"{channel}\n{key}\n{payload}", context.Stopping);
        await Scenarios.WaitForStop(context.Stopping);
        return true;
    }

    private static string Attempt(Action action)
    {
        try
        {
            action();
            return "sent";
        }
        catch (ArgumentException ex)
        {
            return $"{ex.GetType().Name}: {ex.Message}";
        }
    }
}
