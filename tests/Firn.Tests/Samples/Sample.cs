using Firn.Tests.Support;

namespace Firn.Tests.Samples;

/// <summary>Runs a program of samples/ as a real main process, from its own build output (the test project builds it first).</summary>
internal static class Sample
{
    /// <summary>Starts samples/<paramref name="name"/> with <paramref name="args"/>, from another directory than its own (it must find its files beside it).</summary>
    public static ProgramProcess Start(string name, params string[] args) => Start(name, environment: null, args);

    /// <summary>As <see cref="Start(string, string[])"/>, with these environment variables set.</summary>
    public static ProgramProcess Start(string name, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        ProgramProcess.Start(ProgramPath(name), args, Path.GetTempPath(), environment);

    /// <summary>samples/NAME/bin/CONFIGURATION/net10.0/NAME.dll, the configuration being the test project's own.</summary>
    public static string ProgramPath(string name)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent!.Name;
        var root = output;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Firn.slnx")))
        {
            root = root.Parent;
        }

        var path = Path.Combine(root?.FullName ?? throw new InvalidOperationException("The repository root (Firn.slnx) was not found above " + AppContext.BaseDirectory), "samples", name, "bin", configuration, output.Name, name + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"The sample {name} is not built (dotnet build Firn.slnx).", path);
    }
}
