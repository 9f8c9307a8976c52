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

    public virtual async Task InitializeAsync() => _target = await StartAsync(new ContractSettings());

    public virtual async Task DisposeAsync()
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

/// <summary>
/// A target whose main process keeps the store and pub/sub on Redis: a redis-server of its own for the test class, and
/// a prefix of its own per target. Nothing starts where redis-server is missing (the class's tests are skipped).
/// </summary>
public abstract class RedisContractFixture : ContractFixture
{
    public Redis.RedisServer Redis { get; } = new();

    public override async Task InitializeAsync()
    {
        if (Tests.Redis.RedisServer.Missing is null)
        {
            await Redis.InitializeAsync();
            await base.InitializeAsync();
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Redis.DisposeAsync();
    }

    internal FirnAppOptions OnRedis(FirnAppOptions options) => options.UseRedis(Redis.Options());
}

/// <summary>The main process alone, on Redis.</summary>
public sealed class RedisMainAloneFixture : RedisContractFixture
{
    internal override Task<ContractTarget> StartAsync(ContractSettings settings) => ContractTarget.MainAloneAsync(settings, OnRedis);
}

/// <summary>A child hosted in the test process, its main process on Redis.</summary>
public sealed class RedisInProcessChildFixture : RedisContractFixture
{
    internal override Task<ContractTarget> StartAsync(ContractSettings settings) => ContractTarget.InProcessChildAsync(settings, OnRedis);
}

/// <summary>A real child process, its main process on Redis.</summary>
public sealed class RedisRealChildFixture : RedisContractFixture
{
    internal override Task<ContractTarget> StartAsync(ContractSettings settings) => ContractTarget.RealChildAsync(settings, OnRedis);
}
