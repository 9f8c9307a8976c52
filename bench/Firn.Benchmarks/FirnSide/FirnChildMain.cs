namespace Firn.Benchmarks.FirnSide;

/// <summary>
/// The child role of this program: the main process of a case re-launches it with the Firn environment set,
/// and the child's name (for example <c>b1-send-0</c>) selects what it does (see <see cref="ChildRoles"/>).
/// </summary>
internal static class FirnChildMain
{
    public static bool IsFirnChild => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("FIRN_PROCESS_NAME"));

    public static async Task<int> RunAsync()
    {
        await using var app = new FirnApp(new FirnAppOptions { EnableMetrics = Environment.GetEnvironmentVariable(FirnApps.MetricsVariable) != "0" });
        app.AddProcess(app.ProcessName, ChildRoles.For(app.ProcessName));
        return await app.RunAsync();
    }
}
