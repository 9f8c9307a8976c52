namespace Firn.Hosting;

/// <summary>
/// How <see cref="FirnApp.AddPythonProcess"/> starts a Python child: the interpreter exec'd directly (so the pid the
/// main process spawned is the pid that connects) with a short bootstrap that runs the module as <c>-m</c> would, after
/// checking that the <c>firn</c> package and its <c>msgpack</c> import.
/// </summary>
internal static class PythonLauncher
{
    /// <summary>The variable that names the interpreter; without it, see <see cref="Interpreter"/>.</summary>
    public const string InterpreterVariable = "FIRN_PYTHON";

    /// <summary>The exit code of a Python child whose <c>firn</c> package or <c>msgpack</c> cannot be imported.</summary>
    public const int MissingPackageExitCode = 5;

    public const string DefaultInterpreter = "python3";

    /// <summary>
    /// Imports firn first so that a missing package is one clear line on standard error (which the main process logs)
    /// and exit code 5, not a traceback from deep in the module; then runs the module as <c>python -m</c> does.
    /// The firn package itself exits with code 5 when msgpack is missing in a child.
    /// </summary>
    public const string Bootstrap =
        "import sys\n" +
        "module = sys.argv.pop(1)\n" +
        "try:\n" +
        "    import firn\n" +
        "except ImportError as error:\n" +
        "    sys.stderr.write(f\"Firn: {sys.executable} cannot import the firn package ({error}); put clients/python on PYTHONPATH or install it. sys.path: {sys.path}\\n\")\n" +
        "    sys.exit(5)\n" +
        "import runpy\n" +
        "runpy.run_module(module, run_name='__main__', alter_sys=True)\n";

    /// <summary>Where Debian's packages (python3-msgpack) put their interpreter, tried when the one on <c>PATH</c> lacks msgpack.</summary>
    public const string SystemInterpreter = "/usr/bin/python3";

    private static readonly Lazy<string> Found = new(Find);

    /// <summary>
    /// The interpreter: <c>FIRN_PYTHON</c> if set; else, in the main process, the first of <c>python3</c> on <c>PATH</c>
    /// and <see cref="SystemInterpreter"/> that can import msgpack (asked once per process: a version manager's
    /// <c>python3</c> often shadows the system one that Debian's python3-msgpack serves), else <c>python3</c>, whose
    /// child then says what it cannot import. A child never starts Python children, so it asks nothing.
    /// </summary>
    public static string Interpreter()
    {
        var configured = Environment.GetEnvironmentVariable(InterpreterVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        return ChildEnvironment.IsChild ? DefaultInterpreter : Found.Value;
    }

    private static string Find() =>
        new[] { DefaultInterpreter, SystemInterpreter }.FirstOrDefault(ImportsMsgpack) ?? DefaultInterpreter;

    private static bool ImportsMsgpack(string interpreter)
    {
        try
        {
            using var probe = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(interpreter, ["-c", "import msgpack"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            });
            if (probe is null)
            {
                return false;
            }

            if (!probe.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                probe.Kill();
                return false;
            }

            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not installed.
            return false;
        }
    }

    /// <summary>
    /// The options of a Python child: <paramref name="options"/>' supervision settings, the interpreter (its
    /// <see cref="ProcessOptions.Executable"/> if set), the module and its arguments, and <c>PYTHONPATH</c> with
    /// <paramref name="pythonPath"/> in front.
    /// </summary>
    public static ProcessOptions Options(string module, ProcessOptions? options, IEnumerable<string>? pythonPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(module);
        options ??= new ProcessOptions();
        var environment = new Dictionary<string, string>(options.Environment, StringComparer.Ordinal);
        var directories = (pythonPath ?? []).Select(d => Path.GetFullPath(d, options.WorkingDirectory ?? Environment.CurrentDirectory)).ToList();
        if (directories.Count > 0)
        {
            var inherited = environment.TryGetValue("PYTHONPATH", out var set) ? set : Environment.GetEnvironmentVariable("PYTHONPATH");
            if (!string.IsNullOrEmpty(inherited))
            {
                directories.Add(inherited);
            }

            environment["PYTHONPATH"] = string.Join(':', directories);
        }

        // Output into the main process's log line by line, not when a pipe's buffer fills.
        environment.TryAdd("PYTHONUNBUFFERED", "1");
        return options.WithCommand(options.Executable ?? Interpreter(), ["-c", Bootstrap, module, .. options.Arguments], environment);
    }
}
