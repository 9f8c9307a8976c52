using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Firn.Diagnostics;
using Firn.Failures;
using Firn.Tracing;

namespace Firn.Hosting;

/// <summary>
/// Builds the command line that starts a child: this same program again (like Python's spawn), another Firn
/// program, or an external command.
/// </summary>
internal static class ProcessLauncher
{
    /// <summary>
    /// util-linux's <c>setpriv</c>: it sets the parent-death signal and then execs the command in place (same pid),
    /// which is how an external command, which cannot run Firn's code, still dies with the main process.
    /// </summary>
    private static readonly Lazy<string?> Setpriv = new(() => FindOnPath("setpriv"));

    /// <summary>Whether external commands can be tied to the main process's life (<c>setpriv</c> is installed).</summary>
    public static bool CanTieCommandsToParent => Setpriv.Value is not null;

    /// <summary>
    /// The start settings of a Firn child: this program re-launched, or the declared Firn executable. The secret is not
    /// among them: the spawn hands it over (<see cref="SecretHandover"/>, <see cref="ChildEnvironment.SecretFdVariable"/>).
    /// </summary>
    public static ProcessStartInfo CreateStartInfo(ProcessDeclaration declaration, ChildEnvironment environment)
    {
        var info = NewStartInfo(declaration.Options);
        if (declaration.Options.Executable is { } executable)
        {
            info.FileName = executable;
        }
        else
        {
            var (fileName, leadingArguments) = CurrentProgram();
            info.FileName = fileName;
            foreach (var argument in leadingArguments)
            {
                info.ArgumentList.Add(argument);
            }

            foreach (var argument in Environment.GetCommandLineArgs().Skip(1))
            {
                info.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in declaration.Options.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment[ChildEnvironment.NameVariable] = environment.ProcessName;
        info.Environment[ChildEnvironment.SocketVariable] = environment.SocketPath;
        info.Environment.Remove(ChildEnvironment.SecretFdVariable);
        info.Environment[ChildEnvironment.ParentVariable] = environment.ParentProcessId.ToString(CultureInfo.InvariantCulture);
        info.Environment.Remove(ChildEnvironment.ReadyVariable);
        if (environment.WaitForReadySignal)
        {
            info.Environment[ChildEnvironment.ReadyVariable] = "1";
        }

        // A forwarded child logs without time and name: the main process's log adds its own.
        info.Environment.Remove(FirnLogFormat.FormatVariable);
        if (declaration.Options.Output == ProcessOutput.Forward)
        {
            info.Environment[FirnLogFormat.FormatVariable] = "plain";
        }

        return info;
    }

    /// <summary>The start settings of an external command, wrapped in <c>setpriv --pdeathsig KILL</c> when available.</summary>
    public static ProcessStartInfo CreateCommandStartInfo(ProcessDeclaration declaration)
    {
        var executable = declaration.Options.Executable!;
        var resolved = Resolve(executable, declaration.Options.WorkingDirectory)
            ?? throw FirnErrors.CommandNotFound(declaration.Name, executable);
        var info = NewStartInfo(declaration.Options);
        if (Setpriv.Value is { } setpriv)
        {
            info.FileName = setpriv;
            info.ArgumentList.Add("--pdeathsig");
            info.ArgumentList.Add("KILL");
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(resolved);
        }
        else
        {
            info.FileName = resolved;
        }

        foreach (var argument in declaration.Options.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The command is not a Firn program; Firn's variables would only mislead a Firn program it starts in turn.
        foreach (var variable in new[] { ChildEnvironment.NameVariable, ChildEnvironment.SocketVariable, ChildEnvironment.SecretFdVariable, ChildEnvironment.ParentVariable, ChildEnvironment.ReadyVariable, FirnLogFormat.FormatVariable })
        {
            info.Environment.Remove(variable);
        }

        foreach (var (key, value) in declaration.Options.Environment)
        {
            info.Environment[key] = value;
        }

        return info;
    }

    private static ProcessStartInfo NewStartInfo(ProcessOptions options)
    {
        var forward = options.Output == ProcessOutput.Forward;
        var info = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardOutput = forward,
            RedirectStandardError = forward,
        };
        if (options.WorkingDirectory is { } directory)
        {
            info.WorkingDirectory = directory;
        }

        // The span current at the spawn is the child's parent (the declared environment may still set its own).
        ProcessSpans.HandTo(info.Environment);
        foreach (var (key, value) in options.Environment)
        {
            info.Environment[key] = value;
        }

        return info;
    }

    /// <summary>Finds an executable the way <c>execvp</c> would, so that a missing command fails before anything is spawned.</summary>
    private static string? Resolve(string executable, string? workingDirectory)
    {
        if (executable.Contains('/', StringComparison.Ordinal))
        {
            var path = Path.GetFullPath(executable, workingDirectory ?? Environment.CurrentDirectory);
            return IsExecutable(path) ? path : null;
        }

        return FindOnPath(executable);
    }

    private static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (IsExecutable(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    /// <summary>The executable of this program, plus the entry DLL when it runs under the <c>dotnet</c> host.</summary>
    private static (string FileName, string[] LeadingArguments) CurrentProgram()
    {
        var processPath = Environment.ProcessPath ?? throw FirnErrors.ProgramPathUnknown();
        var hostName = Path.GetFileNameWithoutExtension(processPath);
        if (string.Equals(hostName, "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            var entry = Assembly.GetEntryAssembly()?.Location;
            if (string.IsNullOrEmpty(entry))
            {
                throw FirnErrors.EntryAssemblyUnknown();
            }

            return (processPath, [entry]);
        }

        return (processPath, []);
    }
}
