using System.Text;
using Firn.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Firn.Hosting;

/// <summary>Reads a child's standard output or error and logs it line by line under the child's name.</summary>
internal static class ChildOutputForwarder
{
    /// <summary>A longer line is logged in pieces of this many characters, so a child cannot make the main process buffer without bound.</summary>
    public const int MaxLineLength = 16 * 1024;

    /// <summary>
    /// Starts forwarding; the task completes at the end of the stream. With <paramref name="parseLevels"/>, a line
    /// written by a Firn child's console logger (<c>[WARN] message</c>) keeps its level; any other line is logged at
    /// Information (standard output) or Warning (standard error). The reader is disposed when the task completes: the
    /// pipe is the forwarder's alone (<see cref="System.Diagnostics.Process"/> leaves a stream it handed out to its user).
    /// </summary>
    public static Task ForwardAsync(StreamReader reader, ILogger logger, string processName, bool isError, bool parseLevels) =>
        Task.Run(() => PumpAsync(reader, logger, processName, isError, parseLevels));

    private static async Task PumpAsync(StreamReader reader, ILogger logger, string processName, bool isError, bool parseLevels)
    {
        var stream = isError ? "stderr" : "stdout";
        var fallback = isError ? LogLevel.Warning : LogLevel.Information;
        var buffer = new char[1024];
        var line = new StringBuilder();
        void Emit()
        {
            if (line.Length > 0 && line[^1] == '\r')
            {
                line.Length--;
            }

            var text = line.ToString();
            line.Clear();
            var level = fallback;
            if (parseLevels && FirnLogFormat.TryParseLevelTag(text, out var tagged, out var messageStart))
            {
                level = tagged;
                text = text[messageStart..];
            }

            if (logger.IsEnabled(level))
            {
                logger.Log(level, default, new ChildOutputLine(processName, stream, text), null, ChildOutputLine.Format);
            }
        }

        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                var chunk = buffer.AsSpan(0, read);
                while (!chunk.IsEmpty)
                {
                    var end = chunk.IndexOf('\n');
                    var piece = end < 0 ? chunk : chunk[..end];
                    while (line.Length + piece.Length >= MaxLineLength)
                    {
                        var room = MaxLineLength - line.Length;
                        line.Append(piece[..room]);
                        piece = piece[room..];
                        Emit();
                    }

                    line.Append(piece);
                    if (end < 0)
                    {
                        break;
                    }

                    Emit();
                    chunk = chunk[(end + 1)..];
                }
            }

            if (line.Length > 0)
            {
                Emit();
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The pipe broke with the process, or its exit was handled and the pipe closed: nothing more to forward.
        }
        finally
        {
            reader.Dispose();
        }
    }
}
