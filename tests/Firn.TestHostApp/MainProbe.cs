using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Firn.TestHostApp;

/// <summary>The main process's service: it reports what the tests check, and uses the store in its own stop.</summary>
internal sealed class MainProbe : IHostedService
{
    private readonly FirnApp _app;
    private readonly FirnSupervisor _supervisor;
    private readonly SharedMemory _memory;
    private readonly RpcEndpoint _rpc;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly IServiceProvider _services;

    public MainProbe(FirnApp app, FirnSupervisor supervisor, SharedMemory memory, RpcEndpoint rpc, IHostApplicationLifetime lifetime, IServiceProvider services)
    {
        _app = app;
        _supervisor = supervisor;
        _memory = memory;
        _rpc = rpc;
        _lifetime = lifetime;
        _services = services;
        supervisor.ProcessStateChanged += (_, e) => Print($"state {e.Name} {e.PreviousState}->{e.State} reason={e.Status.LastExitReason} code={e.Status.LastExitCode}");
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _rpc.Register("main.echo", (string text) => "main:" + text);
        Print($"main-has-greeter={_services.GetService<AlphaGreeter>() is not null} main-has-context={_services.GetService<FirnProcessContext>() is not null}");
        _lifetime.ApplicationStarted.Register(() =>
        {
            Print("started " + string.Join(',', _supervisor.GetProcesses().Select(p => $"{p.Name}={p.State}")));
            Print("pids=" + string.Join(',', _supervisor.GetProcesses().Select(p => $"{p.Name}:{p.ProcessId}")));
        });
        _ = Task.Run(ReportsAsync, CancellationToken.None);
        new Thread(ReadCommands) { IsBackground = true, Name = "commands" }.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Firn stops after this service: its store and children are still here.
        Print("children-at-probe-stop " + string.Join(',', _supervisor.GetProcesses().Select(p => $"{p.Name}={p.State}")));
        await _memory.SetAsync("probe", "bye", cancellationToken: cancellationToken);
        Print("store-in-stop=" + await _memory.GetAsync("probe", "missing", cancellationToken));
    }

    private static void Print(string line)
    {
        lock (Console.Out)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }

    private async Task ReportsAsync()
    {
        var reports = _app.GetChannel<string>("reports");
        while (!_app.Stopping.IsCancellationRequested)
        {
            try
            {
                Print("report " + await reports.ReceiveAsync(_app.Stopping));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void ReadCommands()
    {
        while (Console.In.ReadLine() is { } command)
        {
            switch (command)
            {
                case "stop":
                    _lifetime.StopApplication();
                    break;
                case "call-alpha":
                    var greeting = _rpc.CallAsync<string>("alpha.greet", "main").GetAwaiter().GetResult();
                    Print(string.Create(CultureInfo.InvariantCulture, $"greet={greeting}"));
                    break;
            }
        }
    }
}
