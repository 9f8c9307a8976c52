using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Firn.Benchmarks.Harness;

/// <summary>
/// How a peer process reports: one JSON object of numbers on its last line of standard output
/// (for example <c>{"msgs_per_s": 123.4}</c>).
/// </summary>
internal static class RoleOutput
{
    /// <summary>Writes the figures as the process's report line.</summary>
    public static void Write(IReadOnlyDictionary<string, double> figures)
    {
        Console.Out.WriteLine(Line(figures));
        Console.Out.Flush();
    }

    /// <summary>The figures as one JSON object on one line (what <see cref="Parse"/> reads).</summary>
    public static string Line(IReadOnlyDictionary<string, double> figures) =>
        "{" + string.Join(", ", figures.Select(f => $"\"{f.Key}\": {f.Value.ToString("R", CultureInfo.InvariantCulture)}")) + "}";

    /// <summary>Reads the report line of a started process, waits for it to exit with 0, and returns its figures.</summary>
    public static async Task<Metrics> ReadAsync(Process process, ChildProcesses processes, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string? last = null;
        var reading = Task.Run(
            async () =>
            {
                while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
                {
                    if (line.StartsWith('{'))
                    {
                        last = line;
                    }
                }
            },
            cancellationToken);
        var exitCode = await processes.WaitAsync(process, timeout);
        await reading.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{process.StartInfo.FileName} exited with code {exitCode}.");
        }

        return Parse(last ?? throw new InvalidOperationException($"{process.StartInfo.FileName} reported nothing."));
    }

    public static Metrics Parse(string json)
    {
        var metrics = new Metrics();
        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            metrics[property.Name] = property.Value.GetDouble();
        }

        return metrics;
    }
}
