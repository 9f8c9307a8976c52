using Firn.Tests.Support;

namespace Firn.Tests.Contracts.Storage;

/// <summary>
/// What the shared store promises the process that uses it, whatever its role: reads of its own and the main
/// process's writes, types, atomic operations, time to live, key and size limits, the store's key limit and the
/// synchronous forms.
/// </summary>
public abstract class StoreContract : ContractTests
{
    private protected StoreContract(ContractFixture fixture)
        : base(fixture)
    {
    }

    [ContractFact]
    public async Task A_process_reads_its_own_writes_and_the_other_process_reads_them_too()
    {
        var mine = Name("mine");
        var theirs = Name("theirs");

        await Subject.RunAsync("store.set", mine, "point", "1,2");
        await Peer.RunAsync("store.set", theirs, "string", "from main");

        Assert.Equal("1,2", await Subject.RunAsync("store.get", mine, "point"));
        Assert.Equal("1,2", await Peer.RunAsync("store.get", mine, "point"));
        Assert.Equal("from main", await Subject.RunAsync("store.get", theirs, "string"));
        Assert.Equal("true:from main", await Subject.RunAsync("store.try-get", theirs, "string"));
        Assert.Equal("fallback", await Subject.RunAsync("store.get", Name("missing"), "string", "fallback"));
        Assert.Equal("false", await Subject.RunAsync("store.try-get", Name("missing"), "string"));
    }

    [ContractFact]
    public async Task Reading_a_value_as_another_type_fails_naming_both_types_and_object_reads_anything()
    {
        var key = Name("typed");
        await Peer.RunAsync("store.set", key, "point", "3,4");

        var error = await Assert.ThrowsAsync<StoreTypeMismatchException>(() => Subject.RunAsync("store.get", key, "int"));

        Assert.Contains("Firn.TestChild.Point", error.Message, StringComparison.Ordinal);
        Assert.Contains("System.Int32", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{key}'", error.Message, StringComparison.Ordinal);
        Assert.Equal("{X:3,Y:4}", await Subject.RunAsync("store.get", key, "object"));
    }

    [ContractFact]
    public async Task Delete_says_whether_the_key_existed()
    {
        var key = Name("deleted");
        await Peer.RunAsync("store.set", key, "int", 1);

        Assert.Equal("true", await Subject.RunAsync("store.delete", key));
        Assert.Equal("false", await Subject.RunAsync("store.delete", key));
        Assert.Equal("false", await Peer.RunAsync("store.try-get", key, "int"));
    }

    [ContractFact]
    public async Task Increment_starts_a_missing_key_at_zero_and_is_atomic_across_processes()
    {
        var key = Name("counter");

        Assert.Equal("5", await Subject.RunAsync("store.increment", key, 5));
        Assert.Equal("3", await Subject.RunAsync("store.increment", key, -2));
        await Task.WhenAll(Subject.RunAsync("store.increment-many", key, 1000), Peer.RunAsync("store.increment-many", key, 1000));

        Assert.Equal("2003", await Peer.RunAsync("store.get", key, "long"));
        var text = Name("text");
        await Peer.RunAsync("store.set", text, "string", "x");
        var error = await Assert.ThrowsAsync<StoreTypeMismatchException>(() => Subject.RunAsync("store.increment", text, 1));
        Assert.Contains("System.String", error.Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task Increment_keeps_the_time_to_live()
    {
        var key = Name("expiring-counter");
        var ttl = TimeSpan.FromSeconds(2);
        var written = System.Diagnostics.Stopwatch.StartNew();
        await Subject.RunAsync("store.set", key, "long", 1, ttl);

        var incremented = await Subject.RunAsync("store.increment", key, 1);
        if (written.Elapsed < ttl - TimeSpan.FromMilliseconds(100))
        {
            // Only a slow machine increments after the time to live (and starts again from 0).
            Assert.Equal("2", incremented);
        }

        await UntilAsync(async () => await Peer.RunAsync("store.try-get", key, "long") == "false", "the counter expired");
    }

    [ContractFact]
    public async Task CompareAndSet_compares_type_and_bytes_and_is_false_for_a_missing_key()
    {
        var key = Name("cas");
        await Peer.RunAsync("store.set", key, "int", 5);

        Assert.Equal("false", await Subject.RunAsync("store.compare-and-set", key, "int", 4, 6));
        Assert.Equal("false", await Subject.RunAsync("store.compare-and-set", key, "long", 5, 6));
        Assert.Equal("true", await Subject.RunAsync("store.compare-and-set", key, "int", 5, 6));
        Assert.Equal("6", await Peer.RunAsync("store.get", key, "int"));
        Assert.Equal("false", await Subject.RunAsync("store.compare-and-set", Name("missing"), "int", 0, 1));
        Assert.Equal("false", await Peer.RunAsync("store.try-get", Name("missing"), "int"));
    }

    [ContractFact]
    public async Task SetIfAbsent_sets_only_the_first_time()
    {
        var key = Name("lock");

        Assert.Equal("true", await Subject.RunAsync("store.set-if-absent", key, "string", "subject"));
        Assert.Equal("false", await Peer.RunAsync("store.set-if-absent", key, "string", "main"));
        Assert.Equal("false", await Subject.RunAsync("store.set-if-absent", key, "string", "again"));
        Assert.Equal("subject", await Peer.RunAsync("store.get", key, "string"));
    }

    [ContractFact]
    public async Task An_expired_key_is_gone_from_every_read_at_once()
    {
        var key = Name("session");
        var ttl = TimeSpan.FromSeconds(2);
        var written = System.Diagnostics.Stopwatch.StartNew();
        await Subject.RunAsync("store.set", key, "string", "token", ttl);
        var present = await Subject.RunAsync("store.get-all", key);
        if (written.Elapsed < ttl - TimeSpan.FromMilliseconds(100))
        {
            // Only a slow machine reads after the time to live.
            Assert.Equal("token", present);
        }

        await UntilAsync(async () => await Subject.RunAsync("store.try-get", key, "string") == "false", "the key expired");
        Assert.True(written.Elapsed >= ttl - TimeSpan.FromMilliseconds(20), $"the key expired after {written.Elapsed}, before its {ttl}");
        Assert.Equal("<absent>", await Subject.RunAsync("store.get", key, "string", "<absent>"));
        Assert.Equal("<absent>", await Subject.RunAsync("store.get-all", key));
        Assert.Equal("false", await Subject.RunAsync("store.has-key", key));
        Assert.Equal("false", await Peer.RunAsync("store.try-get", key, "string"));
    }

    [ContractFact]
    public async Task GetAll_and_Keys_list_every_process_s_keys()
    {
        var mine = Name("listed-mine");
        var theirs = Name("listed-theirs");
        await Subject.RunAsync("store.set", mine, "int", 7);
        await Peer.RunAsync("store.set", theirs, "strings", "a,b");

        Assert.Equal("7", await Subject.RunAsync("store.get-all", mine));
        Assert.Equal("[a,b]", await Subject.RunAsync("store.get-all", theirs));
        Assert.Equal("true", await Subject.RunAsync("store.has-key", theirs));
        Assert.Equal("true", await Peer.RunAsync("store.has-key", mine));
    }

    [ContractFact]
    public async Task Keys_are_1_to_1024_characters()
    {
        var longest = Name("k").PadRight(1024, 'k');

        await Subject.RunAsync("store.set", longest, "int", 1);

        Assert.Equal("1", await Peer.RunAsync("store.get", longest, "int"));
        await Assert.ThrowsAsync<ArgumentException>(() => Subject.RunAsync("store.set", longest + "k", "int", 1));
        await Assert.ThrowsAsync<ArgumentException>(() => Subject.RunAsync("store.set", string.Empty, "int", 1));
    }

    [ContractFact]
    public async Task An_oversized_value_throws_before_anything_is_sent()
    {
        var key = Name("big");

        var error = await Assert.ThrowsAsync<MessageTooLargeException>(() => Subject.RunAsync("store.set", key, "bytes", 17 * 1024 * 1024));

        Assert.Contains($"'{key}'", error.Message, StringComparison.Ordinal);
        Assert.Equal("false", await Peer.RunAsync("store.try-get", key, "bytes"));
        await Subject.RunAsync("store.set", key, "bytes", 10);
        Assert.Equal("bytes[10]", await Peer.RunAsync("store.get", key, "bytes"));
    }

    [ContractFact]
    public async Task The_synchronous_forms_do_what_the_async_ones_do()
    {
        Assert.Equal(
            "get=1 try-get=true:1 cas=true set-if-absent=false get-all=2 keys=true delete=true delete-again=false increment=5",
            await Subject.RunAsync("store.sync-forms", Name("sync")));
    }
}

/// <summary>The store contract on Redis, in the main process alone.</summary>
public sealed class StoreContract_RedisMainAlone(RedisMainAloneFixture fixture) : StoreContract(fixture), IClassFixture<RedisMainAloneFixture>, IRedisContract;

/// <summary>The store contract on Redis, in a child hosted in the test process.</summary>
public sealed class StoreContract_RedisInProcessChild(RedisInProcessChildFixture fixture) : StoreContract(fixture), IClassFixture<RedisInProcessChildFixture>, IRedisContract;

/// <summary>The store contract on Redis, in a real child process.</summary>
public sealed class StoreContract_RedisRealChild(RedisRealChildFixture fixture) : StoreContract(fixture), IClassFixture<RedisRealChildFixture>, IRedisContract;

/// <summary>The store contract in the main process alone.</summary>
public sealed class StoreContract_MainAlone(MainAloneFixture fixture) : StoreContract(fixture), IClassFixture<MainAloneFixture>;

/// <summary>The store contract in a child hosted in the test process.</summary>
public sealed class StoreContract_InProcessChild(InProcessChildFixture fixture) : StoreContract(fixture), IClassFixture<InProcessChildFixture>;

/// <summary>The store contract in a real child process.</summary>
public sealed class StoreContract_RealChild(RealChildFixture fixture) : StoreContract(fixture), IClassFixture<RealChildFixture>;
