using System.CommandLine;
using Firn.Cli.Connection;
using Firn.Cli.Rendering;

namespace Firn.Cli.Commands;

/// <summary>The options every command takes, and the way every command runs (connect, act, map failures to exit codes).</summary>
internal static class Global
{
    public static readonly Option<string?> App = new("--app", "-a")
    {
        Description = "The app to talk to when several are running: its name or main-process pid (all digits is a pid; name:NAME or pid:PID to say which).",
        Recursive = true,
    };

    public static readonly Option<string?> AdminDir = new("--admin-dir")
    {
        Description = "Where the apps' admin sockets are (default: $FIRN_ADMIN_DIR, else $XDG_RUNTIME_DIR/firn, else /tmp/firn-<uid>).",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Machine output: one JSON document (streams: one JSON object per line).",
        Recursive = true,
    };

    public static string Directory(ParseResult parse) =>
        parse.GetValue(AdminDir)
        ?? (Environment.GetEnvironmentVariable("FIRN_ADMIN_DIR") is { Length: > 0 } dir ? dir : AdminDirectory.Default());

    /// <summary>Sets <paramref name="command"/>'s action: connect to the chosen app, run <paramref name="action"/>, turn failures into exit codes.</summary>
    public static void Connected(Command command, Func<ParseResult, AdminClient, CancellationToken, Task<int>> action) =>
        Safe(command, async (parse, cancellationToken) =>
        {
            await using var client = await AppLocator.ConnectAsync(Directory(parse), parse.GetValue(App), cancellationToken);
            return await action(parse, client, cancellationToken);
        });

    /// <summary>Sets <paramref name="command"/>'s action, turning failures into a message on standard error and an exit code.</summary>
    public static void Safe(Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await action(parse, cancellationToken);
            }
            catch (CliException ex)
            {
                Output.Error(ex.Message);
                return ex.ExitCode;
            }
            catch (AdminException ex)
            {
                // The app's message may quote a client's text: one line, whatever it holds.
                Output.Error(Terminal.Escape(ex.Message));
                return ex.ExitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C (or SIGTERM): the operator ended it.
                return ExitCodes.Ok;
            }
        });

    /// <summary>The longest duration the app takes (24 days: docs/admin-protocol.md), in seconds.</summary>
    public const double MaxDurationSeconds = 24 * 24 * 3600;

    /// <summary>Parses a duration: "30s", "500ms", "2m", "1h", or a number of seconds; at most <see cref="MaxDurationSeconds"/>.</summary>
    public static TimeSpan ParseDuration(string text, string option)
    {
        var t = text.Trim();
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), (string.Empty, 1)];
        foreach (var (suffix, seconds) in units)
        {
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(t[..^suffix.Length], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 0)
            {
                // Infinity parses as a number; a huge one overflows TimeSpan (and timers end at ~49.7 days).
                var total = n * seconds;
                return double.IsFinite(total) && total <= MaxDurationSeconds
                    ? TimeSpan.FromSeconds(total)
                    : throw new CliException(ExitCodes.Usage, $"{option}: '{text}' is longer than the app takes (at most {MaxDurationSeconds:0} s, 24 days).");
            }
        }

        throw new CliException(ExitCodes.Usage, $"{option}: '{text}' is not a duration (examples: 30s, 500ms, 2m).");
    }
}
