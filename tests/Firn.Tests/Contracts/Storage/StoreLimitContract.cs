using Firn.Tests.Support;

namespace Firn.Tests.Contracts.Storage;

/// <summary>
/// The in-memory store's key limit (<see cref="FirnAppOptions.StoreMaxKeys"/>), whoever writes. Not a promise of the
/// store on Redis, where the server's own memory limit applies (docs/redis.md), so these run on the in-memory targets only.
/// </summary>
public abstract class StoreLimitContract : ContractTests
{
    private protected StoreLimitContract(ContractFixture fixture)
        : base(fixture)
    {
    }

    [ContractFact]
    public async Task A_write_past_the_key_limit_fails_and_changes_nothing()
    {
        const int maxKeys = 200;
        await using var target = await StartTargetAsync(new ContractSettings(StoreMaxKeys: maxKeys));
        var prefix = Name("fill");

        var outcome = (await target.Subject.TextAsync("store.fill", prefix, maxKeys + 10)).Split('|');

        // The store holds at most maxKeys keys, whatever wrote them: the fill stops exactly there.
        Assert.Equal(3, outcome.Length);
        Assert.Equal($"{maxKeys}", outcome[0]);
        Assert.Equal(nameof(StoreException), outcome[1]);
        Assert.Contains($"maximum of {maxKeys} keys (FirnAppOptions.StoreMaxKeys)", outcome[2], StringComparison.Ordinal);
        Assert.Equal(maxKeys, target.Main.Store.Count);
        var refused = prefix + outcome[0];
        Assert.Equal("false", await target.Peer.RunAsync("store.try-get", refused, "int"));
        Assert.Equal("true", await target.Subject.RunAsync("store.delete", prefix + "0"));
        await target.Subject.RunAsync("store.set", refused, "int", 1);
        Assert.Equal("1", await target.Peer.RunAsync("store.get", refused, "int"));
    }
}

/// <summary>The store's key limit in the main process alone.</summary>
public sealed class StoreLimitContract_MainAlone(MainAloneFixture fixture) : StoreLimitContract(fixture), IClassFixture<MainAloneFixture>;

/// <summary>The store's key limit in a child hosted in the test process.</summary>
public sealed class StoreLimitContract_InProcessChild(InProcessChildFixture fixture) : StoreLimitContract(fixture), IClassFixture<InProcessChildFixture>;

/// <summary>The store's key limit in a real child process.</summary>
public sealed class StoreLimitContract_RealChild(RealChildFixture fixture) : StoreLimitContract(fixture), IClassFixture<RealChildFixture>;
