namespace Firn.Tests.Contracts;

/// <summary>
/// A class fixture: one target per test class (a real child is started once for the class, not per test), and more
/// targets of the same flavour for the few tests that need other settings.
/// </summary>
public abstract class ContractFixture : IAsyncLifetime
{
    private ContractTarget? _target;

    internal ContractTarget Target => _target ?? throw new InvalidOperationException("The fixture has not started.");

    /// <summary>Starts a target of this fixture's flavour; the caller disposes it.</summary>
    internal abstract Task<ContractTarget> StartAsync(ContractSettings settings);

    public async Task InitializeAsync() => _target = await StartAsync(new ContractSettings());

    public async Task DisposeAsync()
    {
        if (_target is not null)
        {
            await _target.DisposeAsync();
        }
    }
}

/// <summary>The main process alone: in-process router, local store, local calls.</summary>
public sealed class MainAloneFixture : ContractFixture
{
    internal override Task<ContractTarget> StartAsync(ContractSettings settings) => ContractTarget.MainAloneAsync(settings);
}

/// <summary>A child hosted in the test process, connected to the main process over a real Unix socket.</summary>
public sealed class InProcessChildFixture : ContractFixture
{
    internal override Task<ContractTarget> StartAsync(ContractSettings settings) => ContractTarget.InProcessChildAsync(settings);
}

/// <summary>A real child process (Firn.TestChild's "contract" scenario), driven by commands over a channel.</summary>
public sealed class RealChildFixture : ContractFixture
{
    internal override Task<ContractTarget> StartAsync(ContractSettings settings) => ContractTarget.RealChildAsync(settings);
}
