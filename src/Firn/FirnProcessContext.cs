using Firn.Channels;
using Firn.Hosting;
using Microsoft.Extensions.Logging;

namespace Firn;

/// <summary>What a child's entry gets: its name, its two built-in channels, a logger and a stop signal.</summary>
public sealed class FirnProcessContext
{
    private readonly ChildHost _host;

    internal FirnProcessContext(FirnApp app, ChildHost host, Channel<object?> active, Channel<object?> passive, ILogger logger, CancellationToken stopping)
    {
        App = app;
        _host = host;
        ActiveChannel = active;
        PassiveChannel = passive;
        Logger = logger;
        Stopping = stopping;
    }

    /// <summary>The app (for <see cref="FirnApp.GetChannel{T}(string, ChannelOptions?)"/> and more).</summary>
    public FirnApp App { get; }

    /// <summary>This child's name.</summary>
    public string ProcessName => _host.ProcessName;

    /// <summary>The <c>{name}-active</c> channel, meant for pulling messages with <c>Receive</c>.</summary>
    public Channel<object?> ActiveChannel { get; }

    /// <summary>The <c>{name}-passive</c> channel, meant for handlers registered with <c>OnReceive</c>.</summary>
    public Channel<object?> PassiveChannel { get; }

    /// <summary>A logger whose lines carry this process's name.</summary>
    public ILogger Logger { get; }

    /// <summary>Fires when the main process asks this child to stop (or is gone); return from the entry soon after.</summary>
    public CancellationToken Stopping { get; }

    /// <summary>
    /// Asks the main process to restart this child (the seed's "restart" scenario). Returns at once; <see cref="Stopping"/>
    /// fires when the stop begins. Only the first request of an instance counts.
    /// </summary>
    public void RequestRestart() => _host.SendControl(ControlRequest.RestartSelf);

    /// <summary>Asks the main process to stop this child and not restart it.</summary>
    public void RequestStop() => _host.SendControl(ControlRequest.StopSelf);

    /// <summary>Asks the main process to stop the whole application.</summary>
    public void RequestApplicationStop() => _host.SendControl(ControlRequest.StopApplication);

    /// <summary>Asks the main process to restart the whole application: every child, this one included (see <see cref="FirnSupervisor.RestartAsync"/>).</summary>
    public void RequestApplicationRestart() => _host.SendControl(ControlRequest.RestartApplication);

    /// <summary>
    /// Tells the main process that this child is ready: with <see cref="ProcessOptions.WaitForReadySignal"/>, it counts as
    /// <see cref="ProcessState.Running"/> only from this call on. Otherwise (and after the first call) it does nothing.
    /// </summary>
    public void SignalReady() => _host.SignalReady();
}
