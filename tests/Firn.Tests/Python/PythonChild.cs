using System.Diagnostics;
using Firn.Tests.Docs;

namespace Firn.Tests.Python;

/// <summary>
/// The Python client (clients/python) run by Debian's interpreter, /usr/bin/python3, which python3-msgpack serves.
/// Tests that need it are skipped, with the reason, where that interpreter or its msgpack is missing.
/// </summary>
internal static class PythonChild
{
    public const string Interpreter = "/usr/bin/python3";

    private static readonly Lazy<string?> MissingReason = new(FindMissing);

    public static string ClientDirectory { get; } = Path.Combine(MarkdownCode.RepositoryRoot, "clients", "python");

    /// <summary>clients/python/tests: the test children's scripts and modules.</summary>
    public static string TestsDirectory { get; } = Path.Combine(ClientDirectory, "tests");

    /// <summary>Why Python children cannot run here, or <see langword="null"/> if they can.</summary>
    public static string? Missing => MissingReason.Value;

    /// <summary>A child running the script <paramref name="script"/> of clients/python/tests.</summary>
    public static ProcessOptions Script(string script, RestartPolicy restart = RestartPolicy.Temporary) => new()
    {
        Executable = Interpreter,
        Arguments = ["-u", Path.Combine(TestsDirectory, script)],
        Restart = restart,
        WaitForReadySignal = true,
        RestartDelay = TimeSpan.FromMilliseconds(10),
    };

    /// <summary>
    /// Adds a child that runs the module <paramref name="module"/> of clients/python/tests with
    /// <see cref="FirnApp.AddPythonProcess"/>, under <see cref="Interpreter"/>, with clients/python and its tests on the
    /// path unless <paramref name="pythonPath"/> says otherwise.
    /// </summary>
    public static FirnApp AddTestModule(
        FirnApp app,
        string name,
        string module,
        RestartPolicy restart = RestartPolicy.Temporary,
        IReadOnlyDictionary<string, string>? environment = null,
        IReadOnlyList<string>? arguments = null,
        IEnumerable<string>? pythonPath = null) =>
        app.AddPythonProcess(name, module, new ProcessOptions
        {
            Executable = Interpreter,
            Arguments = arguments ?? [],
            Environment = environment ?? new Dictionary<string, string>(),
            Restart = restart,
            RestartDelay = TimeSpan.FromMilliseconds(10),
        }, pythonPath ?? [ClientDirectory, TestsDirectory]);

    private static string? FindMissing()
    {
        if (!File.Exists(Interpreter))
        {
            return $"{Interpreter} is not installed (apt-get install python3 python3-msgpack)";
        }

        using var probe = Process.Start(new ProcessStartInfo(Interpreter, ["-c", "import msgpack"]) { RedirectStandardError = true })!;
        probe.StandardError.ReadToEnd();
        probe.WaitForExit();
        return probe.ExitCode == 0 ? null : $"{Interpreter} has no msgpack module (apt-get install python3-msgpack)";
    }
}

/// <summary>A fact that is skipped, with the reason, where the Python client cannot run.</summary>
internal sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute()
    {
        if (PythonChild.Missing is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that is skipped, with the reason, where the Python client cannot run.</summary>
internal sealed class PythonTheoryAttribute : TheoryAttribute
{
    public PythonTheoryAttribute()
    {
        if (PythonChild.Missing is { } reason)
        {
            Skip = reason;
        }
    }
}
