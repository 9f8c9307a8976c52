using System.Diagnostics;
using Firn.Tests.Support;

namespace Firn.Tests.Cli;

/// <summary>What one run of firnctl printed and returned.</summary>
internal sealed record CtlResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>Runs firnctl (src/Firn.Cli's build output, built first by the test project) as a real process.</summary>
internal static class FirnCtl
{
    public static string DllPath { get; } = Locate();

    /// <summary>Runs <c>firnctl --admin-dir DIR args...</c> to its end.</summary>
    public static Task<CtlResult> RunAsync(string adminDirectory, params string[] args) =>
        RunProcessAsync("dotnet", [DllPath, "--admin-dir", adminDirectory, .. args]);

    /// <summary>As <see cref="RunAsync(string, string[])"/>, as another user (uid and gid 65534) through setpriv.</summary>
    public static Task<CtlResult> RunAsNobodyAsync(string adminDirectory, params string[] args) =>
        RunProcessAsync("setpriv", ["--reuid", "65534", "--regid", "65534", "--clear-groups", "dotnet", DllPath, "--admin-dir", adminDirectory, .. args]);

    /// <summary>Starts a streaming command (<c>logs -f</c>, <c>sub</c>); disposing kills it.</summary>
    public static ProgramProcess Stream(string adminDirectory, params string[] args) =>
        ProgramProcess.Start(DllPath, ["--admin-dir", adminDirectory, .. args]);

    private static async Task<CtlResult> RunProcessAsync(string program, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("FIRN_ADMIN_DIR");
        info.Environment.Remove("FIRN_PROCESS_NAME");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TestApps.Timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"firnctl {string.Join(' ', info.ArgumentList)} did not end within {TestApps.Timeout}.");
        }

        return new CtlResult(process.ExitCode, await output, await error);
    }

    private static string Locate()
    {
        // tests/Firn.Tests/bin/CONFIGURATION/net10.0 → src/Firn.Cli/bin/CONFIGURATION/net10.0/firnctl.dll
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = output;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Firn.slnx")))
        {
            root = root.Parent;
        }

        var path = Path.Combine(root?.FullName ?? throw new InvalidOperationException("The repository root (Firn.slnx) was not found above " + AppContext.BaseDirectory), "src", "Firn.Cli", "bin", output.Parent!.Name, output.Name, "firnctl.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("firnctl is not built (dotnet build Firn.slnx).", path);
    }
}
