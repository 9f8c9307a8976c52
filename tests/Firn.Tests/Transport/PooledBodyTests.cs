using Firn.Channels;
using Firn.Serialization;
using Firn.Tests.Support;
using Firn.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Tests.Transport;

/// <summary>
/// A large received body goes back to its pool when the last of its holders lets go, never before (a holder that never
/// lets go keeps it from the pool); only Firn's own serializer with its default options lets what it read be reused; the
/// pool reuses an array only for a body it fits within a quarter, keeps a bounded number of arrays and bytes, and drops
/// them when unused.
/// </summary>
public sealed class PooledBodyTests
{
    private const int Large = 300 * 1024;

    [Fact]
    public void A_body_goes_back_to_the_pool_when_its_last_holder_lets_go()
    {
        var pool = new LargeBodyPool();
        var body = PooledBody.Rent(Large, pool);
        ReadOnlyMemory<byte> kept = default, second = default;
        ReceivedBody.Handle((_, span) => kept = ReceivedBody.Keep(span[4..]), FrameKind.Send, body);

        // The connection let go; the keeper still holds it.
        Assert.False(body.Returned);
        ReceivedBody.AddHolder(kept);
        second = kept;
        ReceivedBody.Release(kept);
        Assert.False(body.Returned);
        Assert.Equal(0, pool.Count);

        ReceivedBody.Release(second);
        Assert.True(body.Returned);
        Assert.Equal(1, pool.Count);
        Assert.Same(body.Array, PooledBody.Rent(Large, pool).Array);
    }

    [Theory]
    [InlineData(PooledBody.PooledAbove, false)]
    [InlineData(PooledBody.PooledAbove + 1, true)]
    public void A_held_copy_is_pooled_only_past_the_steady_read_buffer_and_goes_back_when_released(int length, bool pooled)
    {
        var bytes = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        var copy = PooledBody.HeldCopy(bytes);
        Assert.True(copy.Span.SequenceEqual(bytes));
        Assert.Equal(pooled, System.Runtime.InteropServices.MemoryMarshal.TryGetMemoryManager<byte, PooledBody>(copy, out var body));
        if (pooled)
        {
            Assert.False(body!.Returned);
            ReceivedBody.Release(copy);
            Assert.True(body.Returned);
        }
    }

    [Fact]
    public void A_body_that_no_handler_kept_goes_back_when_the_handler_returns()
    {
        var pool = new LargeBodyPool();
        var body = PooledBody.Rent(Large, pool);
        ReceivedBody.Handle((_, span) => Assert.Equal(Large, span.Length), FrameKind.Send, body);
        Assert.True(body.Returned);
        Assert.Equal(1, pool.Count);
    }

    [Fact]
    public void A_holder_that_never_lets_go_keeps_the_array_from_the_pool()
    {
        var pool = new LargeBodyPool();
        var body = PooledBody.Rent(Large, pool);
        ReceivedBody.Handle((_, span) => ReceivedBody.Keep(span), FrameKind.Send, body);
        Assert.False(body.Returned);
        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public void A_body_cannot_be_held_again_once_it_went_back_to_the_pool()
    {
        var pool = new LargeBodyPool();
        var body = PooledBody.Rent(Large, pool);
        body.Release();
        Assert.Equal(1, pool.Count);
        Assert.Throws<InvalidOperationException>(body.AddHolder);
        Assert.True(body.Returned);
    }

    [Fact]
    public void Memory_that_is_not_part_of_a_pooled_body_is_never_given_to_a_pool()
    {
        var pool = new LargeBodyPool();
        var body = PooledBody.Rent(Large, pool);
        ReadOnlyMemory<byte> plain = new byte[Large];
        ReceivedBody.AddHolder(plain);
        ReceivedBody.Release(plain);
        ReceivedBody.Release(plain);
        Assert.False(body.Returned);
        Assert.Equal(0, pool.Count);
    }

    [Theory]
    [InlineData(1000, 1000, true)]
    [InlineData(1000, 800, true)]
    [InlineData(1000, 799, false)]
    [InlineData(1000, 1001, false)]
    public void An_array_is_reused_for_a_body_it_fits_within_a_quarter(int returned, int wanted, bool reused)
    {
        var pool = new LargeBodyPool();
        var array = new byte[returned];
        pool.Return(array);
        Assert.Equal(reused, ReferenceEquals(array, pool.Rent(wanted)));
    }

    [Fact]
    public void The_pool_keeps_at_most_its_count_and_its_bytes()
    {
        var pool = new LargeBodyPool();
        for (var i = 0; i < LargeBodyPool.MaxArrays + 1; i++)
        {
            pool.Return(new byte[1000]);
        }

        Assert.Equal(LargeBodyPool.MaxArrays, pool.Count);

        var bounded = new LargeBodyPool();
        var half = (int)(LargeBodyPool.MaxBytes / 2);
        bounded.Return(new byte[half]);
        bounded.Return(new byte[half]);
        bounded.Return(new byte[1]);
        Assert.Equal(2, bounded.Count);
    }

    [Fact]
    public void Only_Firns_serializer_with_its_default_options_lets_what_it_read_be_reused()
    {
        var registry = new ChannelRegistry(MessagePackFirnSerializer.Instance, new MessageSizeLimit(1024 * 1024), NullLoggerFactory.Instance, TestApps.Timeout, OutboundBuffer.DefaultHardLimit);
        var custom = new MessagePackFirnSerializer(MessagePack.MessagePackSerializerOptions.Standard);

        // As channels and RPC get it: the app's serializer wrapping the configured one.
        Assert.True(ICopiesOnRead.Promises(registry.Serializer));
        Assert.True(ICopiesOnRead.Promises(MessagePackFirnSerializer.Instance));
        Assert.False(ICopiesOnRead.Promises(custom));
        Assert.False(ICopiesOnRead.Promises(new KeepingSerializer()));

        Assert.False(MessageCodec<Dictionary<string, int>>.For(registry.Serializer).MayKeepInput);
        Assert.False(MessageCodec<byte[]>.For(registry.Serializer).MayKeepInput);
        Assert.True(MessageCodec<byte[]>.For(new KeepingSerializer()).MayKeepInput);
        Assert.True(MessageCodec<Dictionary<string, int>>.For(custom).MayKeepInput);
        Assert.True(MessageCodec<Dictionary<string, int>>.For(new KeepingSerializer()).MayKeepInput);
    }

    [Fact]
    public void A_pool_not_rented_from_for_a_whole_interval_drops_its_arrays()
    {
        var pool = new LargeBodyPool();
        pool.Return(new byte[1000]);
        pool.Trim();
        Assert.Equal(0, pool.Count);

        pool.Return(new byte[1000]);
        _ = pool.Rent(5000);
        pool.Trim();
        Assert.Equal(1, pool.Count);
        pool.Trim();
        Assert.Equal(0, pool.Count);
    }

    /// <summary>A serializer Firn does not know: what it reads may refer to its input.</summary>
    private sealed class KeepingSerializer : IFirnSerializer
    {
        public void Serialize<T>(System.Buffers.IBufferWriter<byte> writer, T value) => MessagePackFirnSerializer.Instance.Serialize(writer, value);

        public T Deserialize<T>(ReadOnlyMemory<byte> data) => MessagePackFirnSerializer.Instance.Deserialize<T>(data);
    }
}
