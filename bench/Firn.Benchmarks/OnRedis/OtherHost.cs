using System.Diagnostics;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.OnRedis;

/// <summary>
/// The other host of a Redis case, seen from the measuring process: this program in the role <c>redis-host</c> (another
/// OS process with a main-process <see cref="FirnApp"/> of its own on the same Redis and prefix, under its own
/// <see cref="FirnAppOptions.MainProcessName"/>; see <see cref="OtherHostRole"/>). It takes commands as lines on its
/// standard input and answers with lines starting with <c>@</c> on its standard output; it exits when its input closes.
/// </summary>
internal sealed class OtherHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Threading.Channels.Channel<string> _lines = System.Threading.Channels.Channel.CreateUnbounded<string>();

    private OtherHost(Process process, string name)
    {
        _process = process;
        Name = name;
        _ = Task.Run(ReadAsync);
    }

    /// <summary>Its main process's name, e.g. "host-a".</summary>
    public string Name { get; }

    /// <summary>Starts the other host and waits until it says it is ready (its channel handler or RPC method is in place).</summary>
    public static async Task<OtherHost> StartAsync(BenchContext context, string configuration, string prefix, string name, string mode, CancellationToken cancellationToken)
    {
        var process = context.Processes.StartRole(redirectInput: true, "redis-host", configuration, prefix, name, mode, context.TempDirectory);
        var host = new OtherHost(process, name);
        try
        {
            await host.ExpectAsync("@ready", TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>Sends one command line.</summary>
    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits for the next answer starting with <paramref name="prefix"/>; fails if the host exits first.</summary>
    public async Task<string> ExpectAsync(string prefix, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(deadline.Token);
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            throw new InvalidOperationException($"{Describe()} before it said '{prefix}' (its standard error is above).");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"host {Name} did not say '{prefix}' within {timeout.TotalSeconds:0} s.");
        }
    }

    /// <summary>Why the other host is no longer there, or null while it runs.</summary>
    public string? Gone => _process.HasExited ? Describe() : null;

    public async ValueTask DisposeAsync()
    {
        try
        {
            // End of input: the host disposes its app and exits; a host stuck in a command is killed.
            _process.StandardInput.Close();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            ChildProcesses.Kill(_process);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private string Describe() => _process.HasExited ? $"host {Name} exited with code {_process.ExitCode}" : $"host {Name} closed its output";

    private async Task ReadAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith('@'))
                {
                    _lines.Writer.TryWrite(line);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }

        // Once the output closed, the exit code is known shortly after: wait for it, so the error can name it.
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
        }

        _lines.Writer.TryComplete();
    }
}
