using System.Diagnostics;
using System.Reflection;

namespace Firn.Hosting;

/// <summary>Builds the command line that starts a child: this same program again (like Python's spawn), or the declared executable.</summary>
internal static class ProcessLauncher
{
    public static ProcessStartInfo CreateStartInfo(ProcessDeclaration declaration, ChildEnvironment environment)
    {
        var info = new ProcessStartInfo { UseShellExecute = false };
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

        if (declaration.Options.WorkingDirectory is { } directory)
        {
            info.WorkingDirectory = directory;
        }

        foreach (var (key, value) in declaration.Options.Environment)
        {
            info.Environment[key] = value;
        }

        info.Environment[ChildEnvironment.NameVariable] = environment.ProcessName;
        info.Environment[ChildEnvironment.SocketVariable] = environment.SocketPath;
        info.Environment[ChildEnvironment.SecretVariable] = environment.Secret;
        info.Environment[ChildEnvironment.ParentVariable] = environment.ParentProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return info;
    }

    /// <summary>The executable of this program, plus the entry DLL when it runs under the <c>dotnet</c> host.</summary>
    private static (string FileName, string[] LeadingArguments) CurrentProgram()
    {
        var processPath = Environment.ProcessPath ?? throw new FirnConfigurationException("Cannot find this program's executable to re-launch it as a child; set ProcessOptions.Executable.");
        var hostName = Path.GetFileNameWithoutExtension(processPath);
        if (string.Equals(hostName, "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            var entry = Assembly.GetEntryAssembly()?.Location;
            if (string.IsNullOrEmpty(entry))
            {
                throw new FirnConfigurationException("This program runs under the dotnet host but its entry assembly has no file; set ProcessOptions.Executable.");
            }

            return (processPath, [entry]);
        }

        return (processPath, []);
    }
}
