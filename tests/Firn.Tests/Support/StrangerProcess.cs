using System.Diagnostics;
using System.Globalization;

namespace Firn.Tests.Support;

/// <summary>
/// A real program of the same user, not a Firn child (Firn.TestChild's "stranger" mode): it keeps trying to hold
/// idle connections to a main process's socket, reopening each one the main process closes, and reports how long
/// each closed connection lived.
/// </summary>
internal sealed class StrangerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<TimeSpan> _lifetimes = [];
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private StrangerProcess(string socketPath, int connections)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        start.ArgumentList.Add(TestApps.ChildPath);
        start.ArgumentList.Add("stranger");
        start.ArgumentList.Add(socketPath);
        start.ArgumentList.Add(connections.ToString(CultureInfo.InvariantCulture));
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
    }

    public int Id => _process.Id;

    /// <summary>How many of its connections the main process has closed so far.</summary>
    public int Closed
    {
        get
        {
            lock (_lifetimes)
            {
                return _lifetimes.Count;
            }
        }
    }

    /// <summary>How long each closed connection lived, in the order they closed.</summary>
    public IReadOnlyList<TimeSpan> Lifetimes
    {
        get
        {
            lock (_lifetimes)
            {
                return [.. _lifetimes];
            }
        }
    }

    public static async Task<StrangerProcess> StartAsync(string socketPath, int connections)
    {
        var stranger = new StrangerProcess(socketPath, connections);
        stranger._process.Start();
        stranger._process.BeginOutputReadLine();
        try
        {
            await stranger._started.Task.WaitAsync(TestApps.Timeout);
            return stranger;
        }
        catch
        {
            await stranger.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TestApps.Timeout);
        }
        catch (TimeoutException)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TestApps.Timeout);
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line == "started")
        {
            _started.TrySetResult();
        }
        else if (line?.StartsWith("closed ", StringComparison.Ordinal) == true)
        {
            lock (_lifetimes)
            {
                _lifetimes.Add(TimeSpan.FromMilliseconds(long.Parse(line["closed ".Length..], CultureInfo.InvariantCulture)));
            }
        }
    }
}
