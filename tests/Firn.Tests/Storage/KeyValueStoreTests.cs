using Firn.Serialization;
using Firn.Storage;

namespace Firn.Tests.Storage;

/// <summary>The store's rules, on the store itself with a controlled clock.</summary>
public sealed class KeyValueStoreTests
{
    private long _now = 1_000;

    [Fact]
    public void An_entry_with_a_time_to_live_disappears_from_get_getall_and_keys_when_it_expires()
    {
        var store = NewStore();
        store.Execute(Set("short", "v", ttlMs: 500));
        store.Execute(Set("long", "v"));

        _now += 499;
        Assert.Equal(StoreStatus.Ok, store.Execute(new StoreRequest(StoreOperation.Get, "short")).Status);
        _now += 1;

        Assert.Equal(StoreStatus.NotFound, store.Execute(new StoreRequest(StoreOperation.Get, "short")).Status);
        Assert.Equal(["long"], store.Execute(new StoreRequest(StoreOperation.Keys, "*")).Items.Select(i => i.Key));
        Assert.Equal(["long"], store.Execute(new StoreRequest(StoreOperation.GetAll, "*")).Items.Select(i => i.Key));
        Assert.False(store.Execute(new StoreRequest(StoreOperation.Delete, "short")).Flag);
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MaxValue - 1_000)]
    [InlineData(922_337_203_685_477)] // TimeSpan.MaxValue in milliseconds
    public void A_time_to_live_near_the_largest_does_not_wrap_into_the_past(long ttlMs)
    {
        var store = NewStore();
        store.Execute(Set("forever", "v", ttlMs));

        _now += 1_000_000;
        store.Sweep();

        Assert.Equal(StoreStatus.Ok, store.Execute(new StoreRequest(StoreOperation.Get, "forever")).Status);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Sweep_removes_expired_entries_and_their_bytes()
    {
        var store = NewStore();
        store.Execute(Set("a", "v", ttlMs: 10));
        var bytes = store.Bytes;
        Assert.True(bytes > 0);

        _now += 10;
        store.Sweep();

        Assert.Equal(0, store.Count);
        Assert.Equal(0, store.Bytes);
    }

    [Fact]
    public void SetIfAbsent_takes_an_expired_key()
    {
        var store = NewStore();
        store.Execute(Set("lease", "old", ttlMs: 5));
        Assert.False(store.Execute(Set("lease", "new") with { Operation = StoreOperation.SetIfAbsent }).Flag);

        _now += 5;

        Assert.True(store.Execute(Set("lease", "new") with { Operation = StoreOperation.SetIfAbsent }).Flag);
    }

    [Fact]
    public void Increment_starts_from_zero_keeps_the_expiry_and_refuses_other_types()
    {
        var store = NewStore();
        Assert.Equal(5, store.Execute(new StoreRequest(StoreOperation.Increment, "n") { Delta = 5 }).Number);
        Assert.Equal(2, store.Execute(new StoreRequest(StoreOperation.Increment, "n") { Delta = -3 }).Number);

        store.Execute(Set("text", "hello"));
        var refused = store.Execute(new StoreRequest(StoreOperation.Increment, "text") { Delta = 1 });

        Assert.Equal(StoreStatus.TypeMismatch, refused.Status);
        Assert.Contains("System.String", refused.Text, StringComparison.Ordinal);
        Assert.Contains("System.Int64", refused.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Increment_past_the_largest_long_is_an_error_and_keeps_the_value()
    {
        var store = NewStore();
        store.Execute(new StoreRequest(StoreOperation.Increment, "n") { Delta = long.MaxValue });

        var overflow = store.Execute(new StoreRequest(StoreOperation.Increment, "n") { Delta = 1 });

        Assert.Equal(StoreStatus.Error, overflow.Status);
        Assert.Equal(long.MaxValue, store.Execute(new StoreRequest(StoreOperation.Increment, "n") { Delta = 0 }).Number);
    }

    [Fact]
    public void The_key_limit_refuses_new_keys_but_not_updates()
    {
        var store = NewStore(maxKeys: 2);
        store.Execute(Set("a", "1"));
        store.Execute(Set("b", "1"));

        var full = store.Execute(Set("c", "1"));

        Assert.Equal(StoreStatus.Error, full.Status);
        Assert.Contains("StoreMaxKeys", full.Text, StringComparison.Ordinal);
        Assert.Equal(StoreStatus.Ok, store.Execute(Set("a", "2")).Status);
        Assert.Equal(2, store.Count);
    }

    [Fact]
    public void The_byte_limit_refuses_a_write_that_would_pass_it_and_keeps_the_old_value()
    {
        var store = NewStore(maxBytes: 100);
        store.Execute(Set("k", "small"));

        var full = store.Execute(Set("k", new string('x', 200)));

        Assert.Equal(StoreStatus.Error, full.Status);
        Assert.Contains("StoreMaxBytes", full.Text, StringComparison.Ordinal);
        Assert.Equal("small", MessagePackFirnSerializer.Instance.Deserialize<string>(store.Execute(new StoreRequest(StoreOperation.Get, "k")).Payload));
        Assert.True(store.Bytes <= 100);
    }

    [Fact]
    public void The_store_may_hold_exactly_its_byte_limit_and_a_write_one_byte_over_is_refused()
    {
        // A key counts two bytes per character, a value its serialized bytes: "k" and 98 bytes are 100.
        var store = NewStore(maxBytes: 100);
        Assert.Equal(StoreStatus.Ok, store.Execute(RawSet("k", 98)).Status);
        Assert.Equal(100, store.Bytes);

        var over = store.Execute(RawSet("k", 99));
        var newKey = store.Execute(RawSet("j", 0));

        Assert.Equal(StoreStatus.Error, over.Status);
        Assert.Contains("maximum of 100 bytes (FirnAppOptions.StoreMaxBytes)", over.Text, StringComparison.Ordinal);
        Assert.Equal(StoreStatus.Error, newKey.Status);
        Assert.Equal(98, store.Execute(new StoreRequest(StoreOperation.Get, "k")).Payload.Length);
        Assert.Equal((100L, 1), (store.Bytes, store.Count));

        // One byte freed: a new key of two bytes is still one over; shrinking by two makes room for it exactly.
        Assert.Equal(StoreStatus.Ok, store.Execute(RawSet("k", 97)).Status);
        Assert.Equal(StoreStatus.Error, store.Execute(RawSet("j", 0)).Status);
        Assert.Equal(StoreStatus.Ok, store.Execute(RawSet("k", 96)).Status);
        Assert.Equal(StoreStatus.Ok, store.Execute(RawSet("j", 0)).Status);
        Assert.Equal(100, store.Bytes);
    }

    [Fact]
    public void Byte_accounting_returns_to_zero_after_concurrent_writes_and_deletes()
    {
        var store = NewStore();
        Parallel.For(0, 4, worker =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                var key = "k" + (i % 50);
                store.Execute(Set(key, new string('x', i % 17)));
                store.Execute(new StoreRequest(StoreOperation.Increment, "n" + (i % 7)) { Delta = 1 });
                store.Execute(new StoreRequest(StoreOperation.Delete, key));
            }
        });

        foreach (var key in store.Execute(new StoreRequest(StoreOperation.Keys, "*")).Items.Select(i => i.Key).ToArray())
        {
            store.Execute(new StoreRequest(StoreOperation.Delete, key));
        }

        Assert.Equal(0, store.Count);
        Assert.Equal(0, store.Bytes);
    }

    [Fact]
    public void Concurrent_increments_of_a_missing_key_all_count()
    {
        // Every worker's first increment of a key races the others' to create it: none may overwrite another's.
        const int Workers = 4, Keys = 3_000;
        var store = NewStore(maxKeys: Keys);
        using var start = new Barrier(Workers);
        Parallel.For(0, Workers, new ParallelOptions { MaxDegreeOfParallelism = Workers }, _ =>
        {
            start.SignalAndWait();
            for (var i = 0; i < Keys; i++)
            {
                Assert.Equal(StoreStatus.Ok, store.Execute(new StoreRequest(StoreOperation.Increment, "fresh" + i) { Delta = 1 }).Status);
            }
        });

        var lost = Enumerable.Range(0, Keys).Count(i => MessagePackFirnSerializer.Instance.Deserialize<long>(store.Execute(new StoreRequest(StoreOperation.Get, "fresh" + i)).Payload) != Workers);
        Assert.True(lost == 0, $"{lost} of {Keys} keys lost an increment");
    }

    private KeyValueStore NewStore(int maxKeys = 1000, long maxBytes = 1 << 20) =>
        new(MessagePackFirnSerializer.Instance, maxKeys, maxBytes, () => _now);

    /// <summary>A write of <paramref name="payloadBytes"/> bytes (the store counts bytes, it never reads them).</summary>
    private static StoreRequest RawSet(string key, int payloadBytes) =>
        new(StoreOperation.Set, key) { TypeName = "System.Byte[]", Payload = new byte[payloadBytes] };

    private static StoreRequest Set(string key, string value, long ttlMs = 0)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        MessagePackFirnSerializer.Instance.Serialize(buffer, value);
        return new StoreRequest(StoreOperation.Set, key) { TypeName = "System.String", Payload = buffer.WrittenSpan.ToArray(), TimeToLiveMs = ttlMs };
    }
}
